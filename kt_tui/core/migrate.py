"""Schema migrations with Alembic's operations, in batch mode on SQLite.

Imported only when a store's recorded schema version is older than the
code's, so that opening an up-to-date store never pays for Alembic.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Connection

from kt_tui.core import rollup
from kt_tui.core.models import SCHEMA_VERSION


def _v1_to_v2(op: Operations, conn: Connection) -> None:
    """Rollup counters, so the dashboard reads a few rows instead of every instance."""
    op.create_table(
        "rollup",
        sa.Column("member_id", sa.Integer, primary_key=True, nullable=False, default=0),
        sa.Column("system_id", sa.Integer, primary_key=True, nullable=False, default=0),
        sa.Column("stage_idx", sa.Integer, primary_key=True, nullable=False, default=-1),
        sa.Column("items", sa.Integer, nullable=False, default=0),
        sa.Column("weight", sa.Integer, nullable=False, default=0),
        sa.Column("complete", sa.Integer, nullable=False, default=0),
        sa.Column("complete_weight", sa.Integer, nullable=False, default=0),
        sa.Column("progress_weight", sa.Integer, nullable=False, default=0),
    )
    op.create_table(
        "pending",
        sa.Column("member_id", sa.Integer, primary_key=True, nullable=False, default=0),
        sa.Column("system_id", sa.Integer, primary_key=True, nullable=False, default=0),
        sa.Column("due", sa.Date, primary_key=True, nullable=False),
        sa.Column("open", sa.Integer, nullable=False, default=0),
    )
    # figures come from the counters now; an index led by `retired` only made
    # SQLite sort a full listing instead of reading it in rowid order
    op.drop_index("ix_instance_figures", table_name="instance")
    op.create_index("ix_instance_member", "instance", ["member_id", "system_id", "stage_idx"])
    op.create_index("ix_rollup_system", "rollup", ["system_id"])
    op.create_index("ix_pending_system", "pending", ["system_id", "due"])
    op.create_index("ix_pending_due", "pending", ["due"])
    rollup.rebuild(conn)


STEPS: dict[int, Callable[[Operations, Connection], None]] = {1: _v1_to_v2}


def upgrade(conn: Connection, from_version: int) -> None:
    """Bring a store from ``from_version`` to the current schema, in the caller's transaction."""
    ctx = MigrationContext.configure(conn, opts={"render_as_batch": True})
    op = Operations(ctx)
    for version in range(from_version, SCHEMA_VERSION):
        STEPS[version](op, conn)
