"""The report's appendix, folded per item in SQL: one line per (item, system), never
one per instance, with at most NAMES names on a line.

Open and overdue lines come from one GROUP BY over the instances (counts, weight,
the earliest due date, and the members as a list of ids that is cut to NAMES
here); awaiting, n/a and signed-off lines carry per-instance text (evidence, a
reason, a signer), so they take the first NAMES instances of each item by a
window (``row_number``), and the count of all of them. Predicates come from
:mod:`kt_tui.core.rules`; no rule is restated here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, String, and_, case, cast, func, select

from kt_tui.core import rules
from kt_tui.core.rules import State
from kt_tui.core.tables import INSTANCE, ITEM, MEMBER, SYSTEM, TEMPLATE

NAMES = 10  # names shown on one folded line; the rest are counted
STATE_ORDER: list[str] = [State.BLOCKED, State.TODO, State.DONE, State.SIGNED_OFF, State.NA]


@dataclass(frozen=True)
class Entry:
    """One instance shown on a folded line (awaiting, n/a, signed off)."""

    member: str | None
    done_by: str | None
    done_at: str | None
    evidence: str | None
    reason: str | None
    signed_off_by: str | None
    signed_off_at: str | None


@dataclass(frozen=True)
class Folded:
    """The instances of one item on one system (or on none) in one section."""

    ref: str
    title: str
    system: str | None
    stage: str | None
    count: int  # instances folded into this line
    weight: int
    due: date | None  # the earliest
    overdue: int
    states: dict[str, int]  # state -> instances, in STATE_ORDER
    names: list[str]  # the first NAMES members, in roster order
    members: int  # instances that bear a member
    by_state: dict[str, list[str]] = field(default_factory=dict)  # first names per state
    entries: list[Entry] = field(default_factory=list)
    last_at: str | None = None  # the latest done_at (awaiting) or signed_off_at (signed off)

    @property
    def more(self) -> int:
        return self.members - len(self.names)

    @property
    def members_text(self) -> str:
        """``ben, chloe``, or ``16 members: ben, chloe, ... and 6 more`` past NAMES."""
        if not self.members:
            return ""
        shown = ", ".join(self.names)
        if self.more <= 0:
            return shown
        return f"{self.members} members: {shown} and {self.more} more"

    @property
    def state_text(self) -> str:
        """``todo`` alone, or the usual state with the exceptions named: ``todo (blocked: ben)``."""
        states = [s for s in STATE_ORDER if self.states.get(s)]
        if len(states) <= 1:
            return states[0] if states else ""
        main = max(states, key=lambda s: self.states[s])
        others = []
        for s in states:
            if s == main:
                continue
            names = self.by_state.get(s, [])
            n = self.states[s]
            shown = ", ".join(names) if names else str(n)
            if names and n > len(names):
                shown += f" and {n - len(names)} more"
            others.append(f"{s}: {shown}")
        return f"{main} ({'; '.join(others)})"

    def _tail(self) -> str:
        hidden = self.count - len(self.entries)
        return f" and {hidden} more" if hidden > 0 else ""

    def _who(self, e: Entry) -> str:
        return e.member or self.system or ""

    @property
    def evidence_text(self) -> str:
        """``chloe: OPS-13; elif: https://...`` for the entries shown, the rest counted."""
        parts = [
            f"{self._who(e)}: {e.evidence}" if e.evidence else self._who(e) for e in self.entries
        ]
        return "; ".join(parts) + self._tail()

    @property
    def reasons_text(self) -> str:
        """Each reason once, with whom it is given for: ``On the rota (femi, ben)``."""
        by_reason: dict[str, list[str]] = {}
        for e in self.entries:
            by_reason.setdefault(e.reason or "", []).append(self._who(e))
        parts = [
            f"{reason} ({', '.join(w for w in who if w)})" for reason, who in by_reason.items()
        ]
        return "; ".join(parts) + self._tail()

    @staticmethod
    def _distinct(values: list[str | None]) -> str:
        return ", ".join(dict.fromkeys(v for v in values if v))

    @property
    def done_by_text(self) -> str:
        return self._distinct([e.done_by for e in self.entries])

    @property
    def signed_by_text(self) -> str:
        return self._distinct([e.signed_off_by for e in self.entries])

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ref": self.ref,
            "title": self.title,
            "system": self.system,
            "stage": self.stage,
            "count": self.count,
            "weight": self.weight,
            "due": self.due.isoformat() if self.due else None,
            "overdue": self.overdue,
            "states": {s: n for s, n in self.states.items() if n},
            "members": self.names,
            "more_members": max(0, self.more),
        }
        if self.entries:
            out["entries"] = [vars(e) for e in self.entries]
            out["last_at"] = self.last_at
        return out


def _concat(conn: Connection, col: Any) -> Any:
    if conn.dialect.name == "postgresql":
        return func.string_agg(cast(col, String), ",")
    return func.group_concat(col)


def _count(cond: Any) -> Any:
    return func.sum(case((cond, 1), else_=0))


class Roster:
    """Member ids to handles and roster positions: names are cut to NAMES in roster order."""

    def __init__(self, conn: Connection) -> None:
        rows = conn.execute(select(MEMBER.c.id, MEMBER.c.handle, MEMBER.c.position)).all()
        self.handle = {str(i): h for i, h, _p in rows}
        self.rank = {str(i): (p, h) for i, h, p in rows}

    def first(self, ids: str | None, limit: int = NAMES) -> list[str]:
        if not ids:
            return []
        got = [i for i in ids.split(",") if i in self.rank]
        got.sort(key=self.rank.__getitem__)
        return [self.handle[i] for i in got[:limit]]


def _item_columns() -> list[Any]:
    return [
        (TEMPLATE.c.key + "/" + ITEM.c.key).label("ref"),
        ITEM.c.title,
        SYSTEM.c.key.label("system"),
        ITEM.c.stage,
    ]


def _order(agg: Any) -> list[Any]:
    return [
        TEMPLATE.c.id,
        func.coalesce(agg.c.stage_idx, 999),
        ITEM.c.position,
        SYSTEM.c.position,
    ]


def _joined(agg: Any) -> Any:
    return (
        agg.join(ITEM, ITEM.c.id == agg.c.item_id)
        .join(TEMPLATE, TEMPLATE.c.id == ITEM.c.template_id)
        .outerjoin(SYSTEM, SYSTEM.c.id == agg.c.system_id)
    )


def open_lines(conn: Connection, today: date, roster: Roster, *, overdue: bool) -> list[Folded]:
    """The open (or only the overdue) instances folded per (item, system)."""
    live = INSTANCE.c.retired == False  # noqa: E712
    where = rules.overdue_sql(today) if overdue else rules.open_sql()
    agg = (
        select(
            INSTANCE.c.item_id,
            INSTANCE.c.system_id,
            func.min(INSTANCE.c.stage_idx).label("stage_idx"),
            func.count().label("n"),
            func.sum(INSTANCE.c.weight).label("weight"),
            func.min(INSTANCE.c.due).label("due"),
            _count(rules.overdue_sql(today)).label("overdue"),
            _count(INSTANCE.c.state == State.TODO).label("todo"),
            _count(INSTANCE.c.state == State.BLOCKED).label("blocked"),
            _count(INSTANCE.c.state == State.DONE).label("done"),
            func.count(INSTANCE.c.member_id).label("members"),
            _concat(conn, INSTANCE.c.member_id).label("ids"),
            _concat(conn, case((INSTANCE.c.state == State.BLOCKED, INSTANCE.c.member_id))).label(
                "blocked_ids"
            ),
            _concat(conn, case((INSTANCE.c.state == State.DONE, INSTANCE.c.member_id))).label(
                "done_ids"
            ),
        )
        .where(live, where)
        .group_by(INSTANCE.c.item_id, INSTANCE.c.system_id)
        .subquery()
    )
    q = select(*_item_columns(), agg).select_from(_joined(agg)).order_by(*_order(agg))
    out = []
    for r in conn.execute(q).mappings():
        states = {State.BLOCKED: r["blocked"], State.TODO: r["todo"], State.DONE: r["done"]}
        by_state: dict[str, list[str]] = {
            State.BLOCKED: roster.first(r["blocked_ids"]),
            State.DONE: roster.first(r["done_ids"]),
        }
        if r["todo"] and (r["blocked"] or r["done"]):
            others = set((r["blocked_ids"] or "").split(",")) | set(
                (r["done_ids"] or "").split(",")
            )
            todo_ids = ",".join(i for i in (r["ids"] or "").split(",") if i not in others)
            by_state[State.TODO] = roster.first(todo_ids)
        due = r["due"]
        out.append(
            Folded(
                ref=r["ref"],
                title=r["title"],
                system=r["system"],
                stage=r["stage"],
                count=int(r["n"]),
                weight=int(r["weight"] or 0),
                due=date.fromisoformat(due) if isinstance(due, str) else due,
                overdue=int(r["overdue"] or 0),
                states={s: int(n or 0) for s, n in states.items()},
                names=roster.first(r["ids"]),
                members=int(r["members"] or 0),
                by_state=by_state,
            )
        )
    return out


def entry_lines(conn: Connection, where: Any, state: str, last: Any) -> list[Folded]:
    """Instances matching ``where`` (awaiting, n/a, signed off) folded per (item, system),
    each line with its first NAMES instances (roster order) and their texts; ``last``:
    the column whose latest value the line carries."""
    part = [INSTANCE.c.item_id, INSTANCE.c.system_id]
    ranked = (
        select(
            INSTANCE.c.item_id,
            INSTANCE.c.system_id,
            INSTANCE.c.stage_idx,
            INSTANCE.c.weight,
            INSTANCE.c.due,
            MEMBER.c.handle.label("member"),
            INSTANCE.c.done_by,
            INSTANCE.c.done_at,
            INSTANCE.c.evidence,
            INSTANCE.c.reason,
            INSTANCE.c.signed_off_by,
            INSTANCE.c.signed_off_at,
            func.row_number()
            .over(partition_by=part, order_by=[MEMBER.c.position, INSTANCE.c.id])
            .label("rn"),
            func.count().over(partition_by=part).label("n"),
            func.count(INSTANCE.c.member_id).over(partition_by=part).label("members"),
            func.sum(INSTANCE.c.weight).over(partition_by=part).label("total_weight"),
            func.min(INSTANCE.c.due).over(partition_by=part).label("first_due"),
            func.max(last).over(partition_by=part).label("last_at"),
        )
        .select_from(INSTANCE.outerjoin(MEMBER, MEMBER.c.id == INSTANCE.c.member_id))
        .where(INSTANCE.c.retired == False, where)  # noqa: E712
        .subquery()
    )
    q = (
        select(*_item_columns(), ranked)
        .select_from(_joined(ranked))
        .where(ranked.c.rn <= NAMES)
        .order_by(*_order(ranked), ranked.c.rn)
    )
    out: list[Folded] = []
    key: tuple[Any, Any] | None = None
    for r in conn.execute(q).mappings():
        entry = Entry(
            r["member"],
            r["done_by"],
            r["done_at"],
            r["evidence"],
            r["reason"],
            r["signed_off_by"],
            r["signed_off_at"],
        )
        if (r["item_id"], r["system_id"]) != key:
            key = (r["item_id"], r["system_id"])
            due = r["first_due"]
            out.append(
                Folded(
                    ref=r["ref"],
                    title=r["title"],
                    system=r["system"],
                    stage=r["stage"],
                    count=int(r["n"]),
                    weight=int(r["total_weight"] or 0),
                    due=date.fromisoformat(due) if isinstance(due, str) else due,
                    overdue=0,
                    states={state: int(r["n"])},
                    names=[],
                    members=int(r["members"] or 0),
                    last_at=r["last_at"],
                )
            )
        line = out[-1]
        line.entries.append(entry)
        if entry.member:
            line.names.append(entry.member)
    return out


def awaiting_lines(conn: Connection) -> list[Folded]:
    return entry_lines(conn, rules.awaiting_sql(), State.DONE, INSTANCE.c.done_at)


def na_lines(conn: Connection) -> list[Folded]:
    return entry_lines(conn, INSTANCE.c.state == State.NA, State.NA, INSTANCE.c.done_at)


def signed_lines(conn: Connection) -> list[Folded]:
    state = INSTANCE.c.state == State.SIGNED_OFF
    return entry_lines(conn, state, State.SIGNED_OFF, INSTANCE.c.signed_off_at)


def tier1_overdue(conn: Connection, today: date) -> tuple[int, list[str]]:
    """How many tier-1 instances are overdue, and on which systems (for the verdict)."""
    q = (
        select(SYSTEM.c.key, func.count())
        .select_from(INSTANCE.join(SYSTEM, SYSTEM.c.id == INSTANCE.c.system_id))
        .where(
            and_(INSTANCE.c.retired == False, SYSTEM.c.tier == 1),  # noqa: E712
            rules.overdue_sql(today),
        )
        .group_by(SYSTEM.c.key)
        .order_by(SYSTEM.c.key)
    )
    rows = conn.execute(q).all()
    return sum(int(n) for _k, n in rows), [k for k, _n in rows]
