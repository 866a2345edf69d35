"""The report's appendix, folded per item in SQL: one line per item, never one per
instance nor one per (item, system), with at most NAMES names of members and of
systems on a line ("open on 100 systems: orders, billing, ... and 90 more").
The appendix's size follows the checklists, not the number of instances.

Open and overdue lines come from one GROUP BY item over the instances (counts,
weight, the earliest due date, and the distinct members and systems as lists of
ids that are cut to NAMES here, in roster order); awaiting, n/a and signed-off
lines carry per-instance text (evidence, a reason, a signer), so they take the
first NAMES instances of each item by a window (``row_number``) beside one GROUP
BY item for their counts. Predicates come from :mod:`kt_tui.core.rules`; no rule
is restated here. An entry's signatures are the JSON items' own read
(:func:`kt_tui.core.item_text.signatures_json`), and how far its sign-off is, the
listings' words (:func:`kt_tui.core.labels.signing`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, String, and_, case, cast, func, not_, select

from kt_tui.core import labels, rollup, rules
from kt_tui.core.instances import Signed
from kt_tui.core.item_text import signatures_json
from kt_tui.core.rules import STATE_ORDER, State
from kt_tui.core.tables import INSTANCE, ITEM, MEMBER, SYSTEM, TEMPLATE
from kt_tui.present import stamp

NAMES = 10  # names shown on one folded line; the rest are counted
LAPSED = "lapsed"  # a folded line's bucket of completions past their valid_for
# the order a folded line names its states in (a lapsed completion is open again)
FOLDED_ORDER: tuple[str, ...] = (*STATE_ORDER, LAPSED)


@dataclass(frozen=True)
class Entry:
    """One instance shown on a folded line (awaiting, n/a, signed off)."""

    member: str | None
    system: str | None
    done_by: str | None
    done_at: str | None
    evidence: str | None
    reason: str | None
    signed_off_by: str | None
    signed_off_at: str | None
    signatures: tuple[Signed, ...] = ()  # each party's, in the order given
    signing: str = ""  # awaiting: "1 of 2 signed; missing client-lead" (labels.signing)

    @property
    def signatures_text(self) -> str:
        """Every party's signature: ``pia as provider-lead, 2026-11-24 10:00 and lea as
        client-lead, 2026-11-25 09:00``; the last signer where the store holds none (a
        score signs an assessment)."""
        if self.signatures:
            return " and ".join(f"{s.by} as {s.party}, {stamp(s.at)}" for s in self.signatures)
        if self.signed_off_by:
            return f"{self.signed_off_by}, {stamp(self.signed_off_at)}"
        return ""

    def to_json(self) -> dict[str, Any]:
        out = vars(self).copy()
        out["signatures"] = [s.to_json() for s in self.signatures]
        return out


@dataclass(frozen=True)
class Folded:
    """The instances of one item (on every system) in one section."""

    ref: str
    title: str
    stage: str | None
    count: int  # instances folded into this line
    weight: int
    due: date | None  # the earliest
    overdue: int
    states: dict[str, int]  # state (or lapsed) -> instances, in FOLDED_ORDER
    names: list[str]  # the first NAMES members, in roster order
    members: int  # distinct members among them
    system_names: list[str] = field(default_factory=list)  # the first NAMES, roster order
    systems: int = 0  # distinct systems among them
    by_state: dict[str, list[str]] = field(default_factory=dict)  # first names per state
    entries: list[Entry] = field(default_factory=list)
    last_at: str | None = None  # the latest done_at (awaiting) or signed_off_at (signed off)

    @property
    def more(self) -> int:
        return self.members - len(self.names)

    @staticmethod
    def _cut(names: list[str], total: int, noun: str) -> str:
        shown = ", ".join(names)
        if total <= len(names):
            return shown
        return f"{total} {noun}: {shown} and {total - len(names)} more"

    @property
    def members_text(self) -> str:
        """``ben, chloe``, or ``16 members: ben, chloe, ... and 6 more`` past NAMES."""
        return self._cut(self.names, self.members, "members") if self.members else ""

    @property
    def for_text(self) -> str:
        """Whom the line is open for: its members, else "the system" (a system item),
        else "the handover" (the handover's own items bear neither)."""
        if self.members:
            return self.members_text
        return "the system" if self.systems else "the handover"

    @property
    def systems_text(self) -> str:
        """``orders``, or ``100 systems: orders, billing, ... and 90 more`` past NAMES."""
        return self._cut(self.system_names, self.systems, "systems") if self.systems else ""

    @property
    def state_text(self) -> str:
        """``todo`` alone, or the usual state with the exceptions named: ``todo (blocked: ben)``."""
        states = [s for s in FOLDED_ORDER if self.states.get(s)]
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
        if e.member and e.system and self.systems > 1:
            return f"{e.member} on {e.system}"
        return e.member or e.system or ""

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

    def _grouped(self, texts: list[str]) -> str:
        """Each entry's text once, with whom it is for: ``1 of 2 signed; missing
        client-lead (orders); awaiting lead (billing)``; one text alone where every
        instance of the line has it."""
        by_text: dict[str, list[str]] = {}
        for e, text in zip(self.entries, texts, strict=True):
            by_text.setdefault(text, []).append(self._who(e))
        if len(by_text) == 1 and not self._tail():
            return next(iter(by_text))
        parts = [f"{text} ({', '.join(w for w in who if w)})" for text, who in by_text.items()]
        return "; ".join(parts) + self._tail()

    @property
    def signing_text(self) -> str:
        """How far each awaiting instance's sign-off is, as the listings word it."""
        return self._grouped([e.signing for e in self.entries])

    @property
    def signatures_text(self) -> str:
        """Every party's signature of each instance shown (:attr:`Entry.signatures_text`),
        after whom it is for where the line folds several."""
        if len(self.entries) == 1 and not self._tail():
            return self.entries[0].signatures_text
        parts = [f"{self._who(e)}: {e.signatures_text}" for e in self.entries]
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
            "stage": self.stage,
            "systems": self.system_names,
            "more_systems": max(0, self.systems - len(self.system_names)),
            "count": self.count,
            "weight": self.weight,
            "due": self.due.isoformat() if self.due else None,
            "overdue": self.overdue,
            "states": {s: n for s, n in self.states.items() if n},
            "members": self.names,
            "more_members": max(0, self.more),
        }
        if self.entries:
            out["entries"] = [e.to_json() for e in self.entries]
            out["last_at"] = self.last_at
        return out


def _ids(conn: Connection, col: Any) -> Any:
    """An id column's values over the group, comma-separated, repeats included: made
    distinct in Python (:func:`_distinct`), where a DISTINCT aggregate kept a temporary
    b-tree per aggregate and cost half the query at a million instances."""
    if conn.dialect.name == "postgresql":
        return func.string_agg(cast(col, String), ",")
    return func.group_concat(col)


def _distinct(ids: str | None) -> list[str]:
    """The distinct ids of an :func:`_ids` list, in their first order."""
    return list(dict.fromkeys(ids.split(","))) if ids else []


def _count(cond: Any) -> Any:
    return func.sum(case((cond, 1), else_=0))


class Roster:
    """Member (or system) ids to names and roster positions: names are cut to NAMES in
    roster order."""

    def __init__(self, conn: Connection, table: Any = MEMBER) -> None:
        name = table.c.handle if table is MEMBER else table.c.key
        rows = conn.execute(select(table.c.id, name, table.c.position)).all()
        ranked = sorted(rows, key=lambda r: (r[2], r[1]))  # roster order: position, name
        self.order = {str(i): n for n, (i, _h, _p) in enumerate(ranked)}
        self.names = [h for _i, h, _p in ranked]

    def first(self, ids: str | list[str] | None, limit: int = NAMES) -> list[str]:
        """The names of the first ``limit`` distinct ``ids`` (a comma-separated list or
        a list) in roster order."""
        if not ids:
            return []
        parts = ids.split(",") if isinstance(ids, str) else ids
        order = self.order
        got = sorted({order[i] for i in parts if i in order})
        return [self.names[n] for n in got[:limit]]


class Rosters:
    def __init__(self, conn: Connection) -> None:
        self.members = Roster(conn, MEMBER)
        self.systems = Roster(conn, SYSTEM)


def _item_columns() -> list[Any]:
    return [(TEMPLATE.c.key + "/" + ITEM.c.key).label("ref"), ITEM.c.title, ITEM.c.stage]


def _order(agg: Any) -> list[Any]:
    return [TEMPLATE.c.id, func.coalesce(agg.c.stage_idx, 999), ITEM.c.position]


def _joined(agg: Any) -> Any:
    return agg.join(ITEM, ITEM.c.id == agg.c.item_id).join(
        TEMPLATE, TEMPLATE.c.id == ITEM.c.template_id
    )


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def open_lines(conn: Connection, today: date, rosters: Rosters, *, overdue: bool) -> list[Folded]:
    """The open (or only the overdue) instances folded per item."""
    live = INSTANCE.c.retired == False  # noqa: E712
    # open or overdue today: a lapsed completion is neither complete nor on time
    where = rules.overdue_on_sql(today) if overdue else rules.open_on_sql(today)
    lapsed = rules.lapsed_sql(today)
    blocked = INSTANCE.c.state == State.BLOCKED
    done = and_(INSTANCE.c.state == State.DONE, not_(lapsed))
    who = func.coalesce(INSTANCE.c.member_id, INSTANCE.c.system_id)
    agg = (
        select(
            INSTANCE.c.item_id,
            func.min(INSTANCE.c.stage_idx).label("stage_idx"),
            func.count().label("n"),
            func.sum(INSTANCE.c.weight).label("weight"),
            func.min(INSTANCE.c.due).label("due"),
            _count(rules.overdue_on_sql(today)).label("overdue"),
            _count(lapsed).label("lapsed"),
            _count(INSTANCE.c.state == State.TODO).label("todo"),
            _count(blocked).label("blocked"),
            _count(done).label("done"),
            _ids(conn, INSTANCE.c.member_id).label("ids"),
            _ids(conn, INSTANCE.c.system_id).label("system_ids"),
            # the exceptions: members, or systems where the item bears no member (a
            # template's scope holds for all its items, so one list serves both)
            _ids(conn, case((blocked, who))).label("blocked_ids"),
            _ids(conn, case((done, who))).label("done_ids"),
        )
        .where(live, where)
        .group_by(INSTANCE.c.item_id)
        .subquery()
    )
    q = select(*_item_columns(), agg).select_from(_joined(agg)).order_by(*_order(agg))
    out = []
    for r in conn.execute(q).mappings():
        states: dict[str, Any] = {
            State.BLOCKED: r["blocked"],
            State.TODO: r["todo"],
            State.DONE: r["done"],
        }
        if r["lapsed"]:
            states[LAPSED] = r["lapsed"]
        member_ids, system_ids = _distinct(r["ids"]), _distinct(r["system_ids"])
        # the exceptions are named by member, or by system where the item bears none
        roster, ids = (rosters.members, member_ids) if member_ids else (rosters.systems, system_ids)
        blocked_ids, done_ids = r["blocked_ids"], r["done_ids"]
        by_state: dict[str, list[str]] = {
            State.BLOCKED: roster.first(blocked_ids),
            State.DONE: roster.first(done_ids),
        }
        if r["todo"] and (r["blocked"] or r["done"]):
            others = set((blocked_ids or "").split(",")) | set((done_ids or "").split(","))
            by_state[State.TODO] = roster.first([i for i in ids if i not in others])
        out.append(
            Folded(
                ref=r["ref"],
                title=r["title"],
                stage=r["stage"],
                count=int(r["n"]),
                weight=int(r["weight"] or 0),
                due=_day(r["due"]),
                overdue=int(r["overdue"] or 0),
                states={s: int(n or 0) for s, n in states.items()},
                names=rosters.members.first(member_ids),
                members=len(member_ids),
                by_state=by_state,
                system_names=rosters.systems.first(system_ids),
                systems=len(system_ids),
            )
        )
    return out


AWAITING, NA, SIGNED = "awaiting", "na", "signed"


def entry_sections(conn: Connection, rosters: Rosters) -> dict[str, list[Folded]]:
    """Awaiting sign-off, n/a and signed-off instances folded per item, each line with
    its first NAMES instances (roster order) and their texts, and the latest done_at
    (awaiting, n/a) or signed_off_at (signed off). One GROUP BY and one window over
    the instances serve the three sections."""
    state = INSTANCE.c.state
    section = case(
        (rules.awaiting_sql(), AWAITING),
        (state == State.NA, NA),
        (state == State.SIGNED_OFF, SIGNED),
    )
    last = case((state == State.SIGNED_OFF, INSTANCE.c.signed_off_at), else_=INSTANCE.c.done_at)
    where = [
        INSTANCE.c.retired == False,  # noqa: E712
        state.in_([State.DONE, State.NA, State.SIGNED_OFF]),  # most instances leave here
        section.is_not(None),
    ]
    agg = (
        select(
            section.label("section"),
            INSTANCE.c.item_id,
            func.min(INSTANCE.c.stage_idx).label("stage_idx"),
            func.count().label("n"),
            func.sum(INSTANCE.c.weight).label("weight"),
            func.min(INSTANCE.c.due).label("due"),
            func.max(last).label("last_at"),
            _ids(conn, INSTANCE.c.member_id).label("member_ids"),
            _ids(conn, INSTANCE.c.system_id).label("system_ids"),
        )
        .where(*where)
        .group_by(section, INSTANCE.c.item_id)
        .subquery()
    )
    states = {AWAITING: State.DONE, NA: State.NA, SIGNED: State.SIGNED_OFF}
    lines: dict[str, dict[Any, Folded]] = {AWAITING: {}, NA: {}, SIGNED: {}}
    for r in conn.execute(
        select(*_item_columns(), agg).select_from(_joined(agg)).order_by(*_order(agg))
    ).mappings():
        system_ids = _distinct(r["system_ids"])
        lines[r["section"]][r["item_id"]] = Folded(
            ref=r["ref"],
            title=r["title"],
            stage=r["stage"],
            count=int(r["n"]),
            weight=int(r["weight"] or 0),
            due=_day(r["due"]),
            overdue=0,
            states={states[r["section"]]: int(r["n"])},
            names=[],
            members=len(_distinct(r["member_ids"])),
            last_at=r["last_at"],
            system_names=rosters.systems.first(system_ids),
            systems=len(system_ids),
        )
    part = [section, INSTANCE.c.item_id]
    ranked = (
        select(
            section.label("section"),
            INSTANCE.c.item_id,
            INSTANCE.c.id.label("instance_id"),
            MEMBER.c.handle.label("member"),
            SYSTEM.c.key.label("system"),
            INSTANCE.c.done_by,
            INSTANCE.c.done_at,
            INSTANCE.c.evidence,
            INSTANCE.c.reason,
            INSTANCE.c.signed_off_by,
            INSTANCE.c.signed_off_at,
            func.row_number()
            .over(partition_by=part, order_by=[MEMBER.c.position, SYSTEM.c.position, INSTANCE.c.id])
            .label("rn"),
        )
        .select_from(
            INSTANCE.outerjoin(MEMBER, MEMBER.c.id == INSTANCE.c.member_id).outerjoin(
                SYSTEM, SYSTEM.c.id == INSTANCE.c.system_id
            )
        )
        .where(*where)
        .subquery()
    )
    # the shown instances' signatures and parties: asked of at most NAMES per line
    shown = (
        ranked.join(INSTANCE, INSTANCE.c.id == ranked.c.instance_id)
        .join(ITEM, ITEM.c.id == INSTANCE.c.item_id)
        .join(TEMPLATE, TEMPLATE.c.id == ITEM.c.template_id)
    )
    q = (
        select(
            ranked,
            INSTANCE.c.state,
            TEMPLATE.c.kind,
            ITEM.c.parties,
            signatures_json(conn.dialect.name).label("signatures"),
        )
        .select_from(shown)
        .where(ranked.c.rn <= NAMES)
        .order_by(ranked.c.item_id, ranked.c.rn)
    )
    for r in conn.execute(q).mappings():
        line = lines[r["section"]][r["item_id"]]
        signatures = tuple(
            Signed(s["party"], s["by"], s["at"]) for s in json.loads(r["signatures"] or "[]")
        )
        # how far the sign-off is: said of the awaiting ones (the others are not collecting)
        signing = ""
        if r["section"] == AWAITING:
            parties = json.loads(r["parties"]) if r["parties"] else []
            signed = {s.party for s in signatures}
            signing = labels.signing(r["kind"], r["state"], parties, signed)
        entry = Entry(
            r["member"],
            r["system"],
            r["done_by"],
            r["done_at"],
            r["evidence"],
            r["reason"],
            r["signed_off_by"],
            r["signed_off_at"],
            signatures,
            signing,
        )
        line.entries.append(entry)
        if entry.member and entry.member not in line.names:
            line.names.append(entry.member)
    return {name: list(got.values()) for name, got in lines.items()}


HANDOVER_WIDE = ""  # open_per_system's key of the handover's own items (no system key is "")


def open_per_system(conn: Connection) -> dict[str | None, tuple[int, int]]:
    """Open instances and their weight per system key (None: a member's items with no
    system; HANDOVER_WIDE: the handover's own), from the rollup counters (counted
    minus complete): no pass over the instances."""
    keys: dict[int, str] = {i: k for i, k in conn.execute(select(SYSTEM.c.id, SYSTEM.c.key))}
    out: dict[str | None, tuple[int, int]] = {}
    for g in rollup.groups(conn):
        if g.system_id is not None:
            key: str | None = keys.get(g.system_id)
        else:
            key = None if g.member_id is not None else HANDOVER_WIDE
        n, w = out.get(key, (0, 0))
        out[key] = (n + g.items - g.complete, w + g.weight - g.complete_weight)
    return out


def tier1_overdue(conn: Connection, today: date) -> tuple[int, list[str]]:
    """How many tier-1 instances are overdue, and on which systems (for the verdict)."""
    q = (
        select(SYSTEM.c.key, func.count())
        .select_from(INSTANCE.join(SYSTEM, SYSTEM.c.id == INSTANCE.c.system_id))
        .where(
            and_(INSTANCE.c.retired == False, SYSTEM.c.tier == 1),  # noqa: E712
            rules.overdue_on_sql(today),
        )
        .group_by(SYSTEM.c.key)
        .order_by(SYSTEM.c.key)
    )
    rows = conn.execute(q).all()
    return sum(int(n) for _k, n in rows), [k for k, _n in rows]
