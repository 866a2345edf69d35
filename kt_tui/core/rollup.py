"""Rollup counters: the dashboard's sums, kept up to date in each write's transaction.

Sync rebuilds them from the instance table in its transaction; every action
adds the difference its one instance makes. Readiness reads these few rows
instead of aggregating a million instances.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, String, and_, case, cast, delete, func, insert, select, update

from kt_tui.core.models import Instance, Rollup
from kt_tui.core.readiness import complete_expr, counted_expr

INSTANCE = Instance.__table__  # type: ignore[attr-defined]
ROLLUP = Rollup.__table__  # type: ignore[attr-defined]
COUNTERS = ("items", "weight", "complete", "complete_weight", "progress_weight")


def rebuild(conn: Connection) -> None:
    """Recompute every counter from the instances (sync, migrations)."""
    done = complete_expr()
    conn.execute(delete(ROLLUP))
    key = (
        func.coalesce(INSTANCE.c.member_id, 0),
        func.coalesce(INSTANCE.c.system_id, 0),
        func.coalesce(INSTANCE.c.stage_idx, -1),
        func.coalesce(cast(INSTANCE.c.due, String), ""),
    )
    q = (
        select(
            *key,
            func.count(),
            func.sum(INSTANCE.c.weight),
            func.sum(case((done, 1), else_=0)),
            func.sum(case((done, INSTANCE.c.weight), else_=0)),
            func.sum(case((done | (INSTANCE.c.state == "done"), INSTANCE.c.weight), else_=0)),
        )
        .where(counted_expr())
        .group_by(*key)
    )
    conn.execute(
        insert(ROLLUP).from_select(["member_id", "system_id", "stage_idx", "due", *COUNTERS], q)
    )


@dataclass(frozen=True)
class Contribution:
    items: int
    weight: int
    complete: int
    complete_weight: int
    progress_weight: int


def contribution(state: str, signoff: bool, weight: int, retired: bool = False) -> Contribution:
    """What one instance in this state adds to its group's counters."""
    if retired or state == "na":
        return Contribution(0, 0, 0, 0, 0)
    complete = state == "signed_off" or (state == "done" and not signoff)
    progress = complete or state == "done"
    return Contribution(1, weight, int(complete), weight * complete, weight * progress)


def add_delta(
    conn: Connection,
    *,
    member_id: int | None,
    system_id: int | None,
    stage_idx: int | None,
    due: str | None,
    before: Contribution,
    after: Contribution,
) -> None:
    delta = {c: getattr(after, c) - getattr(before, c) for c in COUNTERS}
    if not any(delta.values()):
        return
    key = {
        "member_id": member_id or 0,
        "system_id": system_id or 0,
        "stage_idx": -1 if stage_idx is None else stage_idx,
        "due": due or "",
    }
    where = and_(*(ROLLUP.c[k] == v for k, v in key.items()))
    changed = conn.execute(
        update(ROLLUP).where(where).values({c: ROLLUP.c[c] + d for c, d in delta.items()})
    ).rowcount
    if not changed:
        conn.execute(insert(ROLLUP).values(**key, **delta))
