"""A system key as a person types it (--system, the filter's system:): the key the
store holds, case aside where that is unambiguous, else a sentence that says so."""

from __future__ import annotations

from sqlalchemy import Connection, func, or_, select

from kt_tui.core.suggest import match_name, require_name
from kt_tui.core.tables import SYSTEM


def system_in_store(conn: Connection, typed: str) -> str | None:
    """The stored key ``typed`` means (any system ever synced: a retired one's history
    stays), or None."""
    return match_name(typed, _alike(conn, typed))


def require_system(
    conn: Connection, typed: str, flag: str = "--system", *, retired: bool = False
) -> str:
    """system_in_store, else BadInput: the keys it could mean, or the closest one
    ("did you mean orders?"): an active one, or with ``retired`` any ever synced (the
    log, where a retired system's history stays)."""
    q = select(SYSTEM.c.key)
    if not retired:
        q = q.where(SYSTEM.c.active == True)  # noqa: E712
    return require_name(
        typed, _alike(conn, typed), flag, "system", lambda: [k for (k,) in conn.execute(q)]
    )


def _alike(conn: Connection, typed: str) -> list[str]:
    q = select(SYSTEM.c.key).where(
        or_(SYSTEM.c.key == typed, func.lower(SYSTEM.c.key) == typed.lower())
    )
    return [k for (k,) in conn.execute(q)]
