"""Schema migrations with Alembic's operations, in batch mode on SQLite.

One module per step (``v1_to_v2``...). A step is frozen: it names its tables
and columns itself and calls no live code (no models, no rollup), so it still
does the same thing after that code changes. Imported only when a store's
recorded schema version is older than the code's, so that opening an
up-to-date store never pays for Alembic.
"""

from __future__ import annotations

from collections.abc import Callable

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Connection

from kt_tui.core.migrations import v1_to_v2, v2_to_v3
from kt_tui.core.schema import SCHEMA_VERSION

STEPS: dict[int, Callable[[Operations, Connection], None]] = {
    1: v1_to_v2.upgrade,
    2: v2_to_v3.upgrade,
}


def upgrade(conn: Connection, from_version: int) -> None:
    """Bring a store from ``from_version`` to the current schema, in the caller's transaction."""
    ctx = MigrationContext.configure(conn, opts={"render_as_batch": True})
    op = Operations(ctx)
    for version in range(from_version, SCHEMA_VERSION):
        STEPS[version](op, conn)
