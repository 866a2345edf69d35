"""Rollup counters: the dashboard's sums, kept up to date in each write's transaction.

Two small tables: ``rollup`` sums counted items per (member, system, stage);
``pending`` counts the incomplete ones per (member, system, due date), so that
overdue is a sum over the days before today. Sync rebuilds both from the
instance table in its transaction; every action adds the difference its one
instance makes. Readiness reads these few rows instead of every instance.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    union_all,
    update,
)

from kt_tui.core import rules
from kt_tui.core.tables import INSTANCE, LAPSING, OPEN_BY_DUE, ROLLUP

COUNTERS = (
    "items", "weight", "complete", "complete_weight", "progress_weight", "blocked", "awaiting",
)  # fmt: skip
# Counter keys: 0 for no member or no system, and system -1 for the handover's own
# items (scope handover: no member, no system), so that (0, 0) stays the totals row.
HANDOVER_SYSTEM = -1


def key_of(member_id: int | None, system_id: int | None) -> tuple[int, int]:
    """The (member, system) counter key of an instance."""
    if system_id is None:
        return (member_id or 0, HANDOVER_SYSTEM if member_id is None else 0)
    return (member_id or 0, system_id)


def _key_sql(t: Any = INSTANCE) -> tuple[Any, Any]:
    """key_of in SQL."""
    member = func.coalesce(t.c.member_id, 0)
    system = func.coalesce(t.c.system_id, case((t.c.member_id.is_(None), HANDOVER_SYSTEM), else_=0))
    return member, system


def _ids(m: int, s: int) -> tuple[int | None, int | None]:
    """A counter key back as (member id, system id); the handover's own items have neither."""
    return (m or None, None if s in (0, HANDOVER_SYSTEM) else s)


@dataclass(frozen=True)
class Group:
    """Sums over one (member, system, stage) group of counted items; overdue counts
    come in groups of their own (stage None, the other sums 0)."""

    member_id: int | None
    system_id: int | None
    stage_idx: int | None
    items: int
    weight: int
    complete: int
    complete_weight: int
    progress_weight: int
    overdue: int
    blocked: int = 0
    awaiting: int = 0
    lapsed: int = 0

    @property
    def handover(self) -> bool:
        """A group of the handover's own items (scope handover)."""
        return self.member_id is None and self.system_id is None


def _counted_sums() -> Any:
    """The counters, summed from the instances: (member, system, stage, *COUNTERS)."""
    done = rules.complete_sql()
    member, system = _key_sql()
    stage = func.coalesce(INSTANCE.c.stage_idx, -1)
    return (
        select(
            member,
            system,
            stage,
            func.count(),
            func.sum(INSTANCE.c.weight),
            func.sum(case((done, 1), else_=0)),
            func.sum(case((done, INSTANCE.c.weight), else_=0)),
            func.sum(case((rules.progress_sql(), INSTANCE.c.weight), else_=0)),
            func.sum(case((INSTANCE.c.state == rules.State.BLOCKED, 1), else_=0)),
            func.sum(case((rules.awaiting_sql(), 1), else_=0)),
        )
        .where(rules.counted_sql())
        .group_by(member, system, stage)
    )


def rebuild(conn: Connection) -> None:
    """Recompute every counter from the instances (sync)."""
    conn.execute(delete(ROLLUP))
    conn.execute(delete(OPEN_BY_DUE))
    member, system = _key_sql()
    conn.execute(
        insert(ROLLUP).from_select(
            ["member_id", "system_id", "stage_idx", *COUNTERS], _counted_sums()
        )
    )
    # the handover's totals: key (0, 0), which no instance has (see key_of), so that
    # the overall figures are a key lookup too
    r = ROLLUP.c
    totals = select(
        literal(0), literal(0), r.stage_idx, *(func.sum(r[c]) for c in COUNTERS)
    ).group_by(r.stage_idx)
    conn.execute(
        insert(ROLLUP).from_select(["member_id", "system_id", "stage_idx", *COUNTERS], totals)
    )
    due = INSTANCE.c.due
    opens = select(member, system, due, func.count()).where(_open_with_due())
    # in key order: PostgreSQL fills the key's index in order (a quarter of a million
    # rows at a million instances: 0.5-1 s less than in its hash order)
    grouped = opens.group_by(member, system, due).order_by(member, system, due)
    conn.execute(
        insert(OPEN_BY_DUE).from_select(["member_id", "system_id", "due", "open"], grouped)
    )
    p = OPEN_BY_DUE.c
    open_totals = select(literal(0), literal(0), p.due, func.sum(p.open)).group_by(p.due)
    conn.execute(
        insert(OPEN_BY_DUE).from_select(["member_id", "system_id", "due", "open"], open_totals)
    )
    rebuild_lapsing(conn)


@dataclass(frozen=True)
class Contribution:
    items: int
    weight: int
    complete: int
    complete_weight: int
    progress_weight: int
    blocked: int
    awaiting: int

    @property
    def open(self) -> int:
        return self.items - self.complete


def contribution(state: str, signoff: bool, weight: int, retired: bool = False) -> Contribution:
    """What one instance in this state adds to its group's counters."""
    if not rules.is_counted(state, retired):
        return Contribution(0, 0, 0, 0, 0, 0, 0)
    complete = rules.is_complete(state, signoff)
    progress = rules.is_progress(state, signoff)
    return Contribution(
        1,
        weight,
        int(complete),
        weight * complete,
        weight * progress,
        int(state == rules.State.BLOCKED),
        int(rules.is_awaiting(state, signoff)),
    )


def _open_with_due() -> Any:
    """Counted, open instances that have a due date: what the overdue counters count."""
    return and_(rules.counted_sql(), rules.open_sql(), INSTANCE.c.due.is_not(None))


@functools.cache
def _bump_pair_statement(table: Any, keys: tuple[str, ...], counters: tuple[str, ...]) -> Any:
    """UPDATE counters += deltas WHERE (the row's key) OR (the totals row's): built once
    per shape (each action runs it)."""
    own = and_(*(table.c[k] == bindparam(f"k_{k}") for k in keys))
    rest = [table.c[k] == bindparam(f"k_{k}") for k in keys if k not in _WHO]
    totals = and_(table.c.member_id == 0, table.c.system_id == 0, *rest)
    added = {c: table.c[c] + bindparam(f"d_{c}") for c in counters}
    return update(table).where(or_(own, totals)).values(added)


_WHO = ("member_id", "system_id")


def _bump_with_totals(
    conn: Connection, table: Any, key: dict[str, Any], delta: dict[str, int]
) -> None:
    """Add ``delta`` to an instance's counter row and to the handover's totals row of the
    same stage or day: one UPDATE for both (an instance's key is never the totals' (0,
    0)), and an insert for a row not there yet."""
    q = _bump_pair_statement(table, tuple(key), tuple(delta))
    values = {f"k_{k}": v for k, v in key.items()} | {f"d_{c}": d for c, d in delta.items()}
    if conn.execute(q, values).rowcount == 2:
        return
    for row in (key, {**key, "member_id": 0, "system_id": 0}):
        where = and_(*(table.c[k] == v for k, v in row.items()))
        if conn.execute(select(table.c.member_id).where(where)).first() is None:
            conn.execute(insert(table).values(**row, **delta))


def add_delta(
    conn: Connection,
    *,
    member_id: int | None,
    system_id: int | None,
    stage_idx: int | None,
    due: date | None,
    before: Contribution,
    after: Contribution,
) -> None:
    """Add the difference one instance's change of state makes, in the caller's transaction."""
    delta = {c: getattr(after, c) - getattr(before, c) for c in COUNTERS}
    m, s = key_of(member_id, system_id)
    if any(delta.values()):
        key = {"member_id": m, "system_id": s, "stage_idx": -1 if stage_idx is None else stage_idx}
        _bump_with_totals(conn, ROLLUP, key, delta)
    opened = after.open - before.open
    if due is not None and opened:
        key2 = {"member_id": m, "system_id": s, "due": due}
        _bump_with_totals(conn, OPEN_BY_DUE, key2, {"open": opened})


def _not_totals(table: Any) -> Any:
    return or_(table.c.member_id != 0, table.c.system_id != 0)


def _counter_rows(conn: Connection) -> list[Any]:
    """Every counter row but the handover's totals, as stored (0 and -1 for none)."""
    r = ROLLUP.c
    cols = [r.member_id, r.system_id, r.stage_idx, *(r[c] for c in COUNTERS)]
    return list(conn.execute(select(*cols).where(_not_totals(ROLLUP))))


def groups(conn: Connection) -> list[Group]:
    """Every counter row but the handover's totals."""
    return [_grouprow(m, s, st, rest) for m, s, st, *rest in _counter_rows(conn)]


def overdue(conn: Connection, today: date) -> list[Group]:
    """Overdue counts per (member, system), as groups with no stage."""
    p = OPEN_BY_DUE.c
    rows = conn.execute(
        select(p.member_id, p.system_id, func.sum(p.open))
        .where(rules.past_due_sql(p.due, today), _not_totals(OPEN_BY_DUE))
        .group_by(p.member_id, p.system_id)
    )
    return [Group(*_ids(m, s), None, 0, 0, 0, 0, 0, int(n or 0)) for m, s, n in rows]


def recount_difference(conn: Connection) -> str:
    """Compare the counters with a fresh count of the instances; name the first difference.

    Counters are derived data: an edit of them (or of an instance behind
    their back) would forge every figure and the go/no-go line.
    """
    member, system = _key_sql()
    fresh = {
        (m, s, st): tuple(int(v or 0) for v in rest)
        for m, s, st, *rest in conn.execute(_counted_sums())
    }
    kept = {
        (m, s, st): tuple(int(v) for v in rest)
        for m, s, st, *rest in _counter_rows(conn)
        if any(rest)
    }
    for key in sorted(set(fresh) | set(kept)):
        if fresh.get(key) != kept.get(key):
            m, s, st = key
            return (
                f"readiness counters of member #{m}, system #{s}, stage {st} are "
                f"{kept.get(key)}, the items say {fresh.get(key)}"
            )
    fresh_totals: dict[int, list[int]] = {}
    for (_m, _s, st), sums in fresh.items():
        slot = fresh_totals.setdefault(st, [0] * len(COUNTERS))
        for i, v in enumerate(sums):
            slot[i] += v
    r = ROLLUP.c
    kept_totals = {
        st: [int(v) for v in rest]
        for st, *rest in conn.execute(
            select(r.stage_idx, *(r[c] for c in COUNTERS)).where(r.member_id == 0, r.system_id == 0)
        )
        if any(rest)
    }
    if kept_totals != fresh_totals:
        st = min(
            k
            for k in set(kept_totals) | set(fresh_totals)
            if kept_totals.get(k) != fresh_totals.get(k)
        )
        return (
            f"the handover's readiness totals of stage {st} are {kept_totals.get(st)}, "
            f"the items say {fresh_totals.get(st)}"
        )
    due = INSTANCE.c.due
    fresh_open = {
        (m, s, str(d)): int(n)
        for m, s, d, n in conn.execute(
            select(member, system, due, func.count())
            .where(_open_with_due())
            .group_by(member, system, due)
        )
    }
    p = OPEN_BY_DUE.c
    kept_open = {
        (m, s, str(d)): int(n)
        for m, s, d, n in conn.execute(
            select(p.member_id, p.system_id, p.due, p.open).where(_not_totals(OPEN_BY_DUE))
        )
        if n
    }
    if fresh_open != kept_open:
        key = min(
            k for k in set(fresh_open) | set(kept_open) if fresh_open.get(k) != kept_open.get(k)
        )
        return (
            f"overdue counters of member #{key[0]}, system #{key[1]}, due {key[2]} are "
            f"{kept_open.get(key, 0)}, the items say {fresh_open.get(key, 0)}"
        )
    open_by_day: dict[str, int] = {}
    for (_m, _s, d), n in fresh_open.items():
        open_by_day[d] = open_by_day.get(d, 0) + n
    kept_by_day = {
        str(d): int(n)
        for d, n in conn.execute(select(p.due, p.open).where(p.member_id == 0, p.system_id == 0))
        if n
    }
    if kept_by_day != open_by_day:
        return "the handover's overdue totals do not match its items"
    return lapsing_difference(conn)


# The figures one action changes are read after every action: their statements are
# built once, with bound parameters (building one costs more than running it on
# SQLite: coercing each clause, then its cache key).


@functools.cache
def _sums_by_stage() -> Any:
    r = ROLLUP.c
    return select(r.stage_idx, *(r[c] for c in COUNTERS)).where(r.member_id == 0, r.system_id == 0)


def sums_by_stage(conn: Connection) -> list[Any]:
    """Overall sums per stage (the totals rows): the one figure every action changes."""
    return [_grouprow(0, 0, st, row) for st, *row in conn.execute(_sums_by_stage())]


@functools.cache
def _groups_of(member: bool, system: bool) -> Any:
    r = ROLLUP.c
    conds = [and_(r.member_id == 0, r.system_id == 0)]
    if member:
        conds.append(r.member_id == bindparam("member_id"))
    if system:
        conds.append(r.system_id == bindparam("system_id"))
    cols = [r[c] for c in COUNTERS]
    return select(r.member_id, r.system_id, r.stage_idx, *cols).where(or_(*conds))


@functools.cache
def _overdue_of(member: bool, system: bool) -> Any:
    p = OPEN_BY_DUE.c
    conds = [and_(p.member_id == 0, p.system_id == 0)]
    if member:
        conds.append(p.member_id == bindparam("member_id"))
    if system:
        conds.append(p.system_id == bindparam("system_id"))
    late = rules.past_due_sql(p.due, bindparam("today", type_=Date))
    return (
        select(p.member_id, p.system_id, func.sum(p.open))
        .where(late, or_(*conds))
        .group_by(p.member_id, p.system_id)
    )


def _grouprow(m: int, s: int, st: int, row: Any) -> Group:
    items, weight, complete, complete_weight, progress_weight, blocked, awaiting = (
        int(v or 0) for v in row
    )
    stage = None if st < 0 else st
    return Group(
        *_ids(m, s),
        stage,
        items,
        weight,
        complete,
        complete_weight,
        progress_weight,
        0,
        blocked,
        awaiting,
    )


# --- lapsing counters: complete items that lapse, per (member, system, stage, lapse
# day, due day). The rollup counts them complete; readiness takes back, at read
# time, those whose lapse day is before today (and counts the past-due ones overdue).

LAPSING_COUNTERS = ("items", "weight", "signed_weight")


@dataclass(frozen=True)
class Lapse:
    """What one complete, lapsing instance adds to the lapsing counters."""

    lapses_on: date
    items: int
    weight: int
    signed_weight: int


def lapse_of(
    state: str, signoff: bool, weight: int, lapses_on: date | None, retired: bool = False
) -> Lapse | None:
    """The lapsing counters' share of one instance: None unless counted, complete and
    lapsing."""
    if lapses_on is None or not rules.is_counted(state, retired):
        return None
    if not rules.is_complete(state, signoff):
        return None
    signed = weight if state == rules.State.SIGNED_OFF else 0
    return Lapse(lapses_on, 1, weight, signed)


def _lapsing_sums() -> Any:
    """The lapsing counters, summed from the instances."""
    member, system = _key_sql()
    stage = func.coalesce(INSTANCE.c.stage_idx, -1)
    due = func.coalesce(INSTANCE.c.due, rules.NO_DUE)
    lapse = INSTANCE.c.lapses_on
    signed = case((INSTANCE.c.state == rules.State.SIGNED_OFF, INSTANCE.c.weight), else_=0)
    return (
        select(
            member,
            system,
            stage,
            lapse,
            due,
            func.count(),
            func.sum(INSTANCE.c.weight),
            func.sum(signed),
        )
        .where(rules.counted_sql(), rules.complete_sql(), lapse.is_not(None))
        .group_by(member, system, stage, lapse, due)
    )


_LAPSING_KEY = ["member_id", "system_id", "stage_idx", "lapses_on", "due"]


def rebuild_lapsing(conn: Connection) -> None:
    """Recompute the lapsing counters from the instances (sync), with totals at (0, 0)."""
    conn.execute(delete(LAPSING))
    conn.execute(insert(LAPSING).from_select([*_LAPSING_KEY, *LAPSING_COUNTERS], _lapsing_sums()))
    c = LAPSING.c
    totals = select(
        literal(0),
        literal(0),
        c.stage_idx,
        c.lapses_on,
        c.due,
        *(func.sum(c[n]) for n in LAPSING_COUNTERS),
    ).group_by(c.stage_idx, c.lapses_on, c.due)
    conn.execute(insert(LAPSING).from_select([*_LAPSING_KEY, *LAPSING_COUNTERS], totals))


def add_lapse_delta(
    conn: Connection,
    *,
    member_id: int | None,
    system_id: int | None,
    stage_idx: int | None,
    due: date | None,
    before: Lapse | None,
    after: Lapse | None,
) -> None:
    """Move one instance's share of the lapsing counters, in the caller's transaction."""
    if before == after:
        return
    m, s = key_of(member_id, system_id)
    base = {"stage_idx": -1 if stage_idx is None else stage_idx, "due": due or rules.NO_DUE}
    for lapse, sign in ((before, -1), (after, 1)):
        if lapse is None:
            continue
        delta = {n: sign * getattr(lapse, n) for n in LAPSING_COUNTERS}
        key = {**base, "member_id": m, "system_id": s, "lapses_on": lapse.lapses_on}
        _bump_with_totals(conn, LAPSING, key, delta)


def lapsed(conn: Connection, today: date) -> list[Group]:
    """What the lapsed items take back from the counters, per (member, system, stage):
    groups with negative complete figures, their overdue and lapsed counts."""
    rows = conn.execute(_lapsed_query(today).where(_not_totals(LAPSING)))
    return [_lapsed_group(m, s, st, rest) for m, s, st, *rest in rows]


def _lapsed_query(today: Any) -> Any:
    """``today``: a date, or a bound parameter of one."""
    c = LAPSING.c
    late = case((rules.past_due_sql(c.due, today), c["items"]), else_=0)
    return (
        select(
            c.member_id,
            c.system_id,
            c.stage_idx,
            func.sum(c["items"]),
            func.sum(c.weight),
            func.sum(c.signed_weight),
            func.sum(late),
        )
        .where(c.lapses_on < today)
        .group_by(c.member_id, c.system_id, c.stage_idx)
    )


def _lapsed_group(m: int, s: int, st: int, row: Any) -> Group:
    items, weight, signed, late = (int(v or 0) for v in row)
    return Group(
        *_ids(m, s),
        None if st < 0 else st,
        0,
        0,
        -items,
        -weight,
        -signed,
        late,
        lapsed=items,
    )


_ROLLUP_WIDTH = 3 + len(COUNTERS)  # member, system, stage and the counters


@functools.cache
def _counters_of(member: bool, system: bool, also: Any) -> Any:
    """The totals', one member's and one system's counter rows, overdue sums and lapsed
    sums as one statement (a union, each part padded to the rollup's width and tagged
    by its kind last), and ``also``'s rows: an action's figures in one read, where on
    PostgreSQL each read is a round trip."""
    parts = []
    queries = [_groups_of(member, system), _overdue_of(member, system), _lapsed_of(member, system)]
    for kind, q in enumerate([*queries, *([also] if also is not None else [])]):
        pad: list[Any] = [literal_column("0")] * (_ROLLUP_WIDTH - len(q.selected_columns))
        parts.append(q.add_columns(*pad, literal_column(str(kind))))
    return union_all(*parts)


def counters_of(
    conn: Connection,
    today: date,
    *,
    member_id: int | None,
    system_id: int | None,
    also: Any = None,
) -> tuple[list[tuple[bool, Group]], list[tuple[Any, ...]]]:
    """The counters an action on (member, system) changes, with the handover's totals,
    as (is the totals row, group): counter rows, overdue groups (stage None, as
    overdue() gives them) and lapsed groups, each to be added as it comes; and the rows
    of ``also``, a select of the caller's read in the same statement (integer columns,
    at most the rollup's width; its binds among member_id and system_id; built once,
    as the union is cached by it)."""
    q = _counters_of(member_id is not None, system_id is not None, also)
    values = {"today": today, "member_id": member_id, "system_id": system_id}
    out: list[tuple[bool, Group]] = []
    extra: list[tuple[Any, ...]] = []
    width = len(also.selected_columns) if also is not None else 0
    for m, s, *rest, kind in conn.execute(q, values):
        if kind == 0:
            g = _grouprow(m, s, rest[0], rest[1:])
        elif kind == 1:
            g = Group(*_ids(m, s), None, 0, 0, 0, 0, 0, int(rest[0] or 0))
        elif kind == 2:
            g = _lapsed_group(m, s, rest[0], rest[1:5])
        else:
            extra.append((m, s, *rest)[:width])
            continue
        out.append(((m, s) == (0, 0), g))
    return out, extra


@functools.cache
def _lapsed_of(member: bool, system: bool) -> Any:
    c = LAPSING.c
    conds = [and_(c.member_id == 0, c.system_id == 0)]
    if member:
        conds.append(c.member_id == bindparam("member_id"))
    if system:
        conds.append(c.system_id == bindparam("system_id"))
    return _lapsed_query(bindparam("today", type_=Date)).where(or_(*conds))


def lapsing_difference(conn: Connection) -> str:
    """Compare the lapsing counters with a fresh count (verify); name the first difference."""
    fresh: dict[tuple[Any, ...], list[int]] = {}
    for m, s, st, lp, due, *rest in conn.execute(_lapsing_sums()):
        counts = [int(v or 0) for v in rest]
        fresh[(m, s, st, str(lp), str(due))] = counts
        total = fresh.setdefault((0, 0, st, str(lp), str(due)), [0, 0, 0])
        if (m, s) != (0, 0):
            for i, v in enumerate(counts):
                total[i] += v
    c = LAPSING.c
    kept = {
        (m, s, st, str(lp), str(due)): [int(v) for v in rest]
        for m, s, st, lp, due, *rest in conn.execute(
            select(*(c[k] for k in _LAPSING_KEY), *(c[n] for n in LAPSING_COUNTERS))
        )
        if any(rest)
    }
    fresh = {k: v for k, v in fresh.items() if any(v)}
    for key in sorted(set(fresh) | set(kept)):
        if fresh.get(key) != kept.get(key):
            m, s, st, lp, due = key
            return (
                f"lapsing counters of member #{m}, system #{s}, stage {st}, lapsing after "
                f"{lp}, due {due} are {kept.get(key)}, the items say {fresh.get(key)}"
            )
    return ""
