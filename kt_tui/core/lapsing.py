"""Each instance's lapse day (``lapses_on``) held to rules.lapses_on: recomputed by sync
where an item's ``valid_for`` or sign-off changes, and checked by verify.

The day is a pure function of the instance's state, its sign-off flag, the stamp
of its completion and its item's valid days: an action writes it through
rules.lapses_on, and anything else that changes one of those inputs (sync)
recomputes it here, so that verify can hold every row to the same function.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, or_, select, update

from kt_tui.core import rules
from kt_tui.core.tables import INSTANCE, ITEM


def _rows(conn: Connection, *where: Any) -> Any:
    return conn.execute(
        select(
            INSTANCE.c.id,
            INSTANCE.c.state,
            INSTANCE.c.signoff,
            INSTANCE.c.done_at,
            INSTANCE.c.signed_off_at,
            INSTANCE.c.lapses_on,
            ITEM.c.valid_days,
        )
        .join(ITEM, ITEM.c.id == INSTANCE.c.item_id)
        .where(
            # only rows that can lapse, or still carry a lapse day
            or_(
                INSTANCE.c.lapses_on.is_not(None),
                ITEM.c.valid_days.is_not(None) & INSTANCE.c.state.in_(rules.REDONE_WHEN_LAPSED),
            ),
            *where,
        )
        .order_by(INSTANCE.c.id)
        .execution_options(yield_per=5000)
    )


def expected(r: Any) -> Any:
    stamp = rules.completion_stamp(bool(r.signoff), r.done_at, r.signed_off_at)
    return rules.lapses_on(r.state, bool(r.signoff), stamp, r.valid_days)


def recompute(conn: Connection, item_ids: Iterable[int]) -> None:
    """Set the lapse day of every instance of these items anew (sync, in its transaction)."""
    ids = list(item_ids)
    if not ids:
        return
    changes = [
        {"i": r.id, "lp": want}
        for r in _rows(conn, INSTANCE.c.item_id.in_(ids))
        if (want := expected(r)) != r.lapses_on
    ]
    if changes:
        conn.execute(
            update(INSTANCE)
            .where(INSTANCE.c.id == bindparam("i"))
            .values(lapses_on=bindparam("lp")),
            changes,
        )


def lapse_changes(
    conn: Connection, new: dict[int, tuple[int | None, bool]], today: date, skip: set[int]
) -> dict[int, tuple[int, int]]:
    """For a sync's plan: per item id, given its new (valid days, sign-off), how many of
    its completions lapse today that did not, and how many hold again that had lapsed
    (``skip``: the instances the sync reopens anyway)."""
    if not new:
        return {}
    out: dict[int, tuple[int, int]] = {}
    rows = conn.execute(
        select(
            INSTANCE.c.id,
            INSTANCE.c.item_id,
            INSTANCE.c.state,
            INSTANCE.c.signoff,
            INSTANCE.c.done_at,
            INSTANCE.c.signed_off_at,
            INSTANCE.c.lapses_on,
        ).where(
            INSTANCE.c.item_id.in_(list(new)),
            INSTANCE.c.retired == False,  # noqa: E712
            INSTANCE.c.state.in_(rules.REDONE_WHEN_LAPSED),
        )
    )
    for r in rows:
        if r.id in skip:
            continue
        days, signoff = new[r.item_id]
        was = rules.is_lapsed(r.state, bool(r.signoff), r.lapses_on, today)
        stamp = rules.completion_stamp(signoff, r.done_at, r.signed_off_at)
        now = rules.is_lapsed(
            r.state, signoff, rules.lapses_on(r.state, signoff, stamp, days), today
        )
        if was != now:
            lapse, hold = out.get(r.item_id, (0, 0))
            out[r.item_id] = (lapse + now, hold + was)
    return out


def difference(conn: Connection) -> str:
    """The first instance whose lapse day is not what its state, completion and item say."""
    for r in _rows(conn):
        want = expected(r)
        if want != r.lapses_on:
            return f"item instance #{r.id}: lapses_on is {r.lapses_on!r}, the log says {want!r}"
    return ""
