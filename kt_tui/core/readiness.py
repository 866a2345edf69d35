"""Readiness figures from the rollup counters, as plain dataclasses.

The counters hold sums per (member, system, stage): members, systems, cells
and overall are sums of those groups, so Python only ever sees
(members + systems + cells) x stages rows.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, select

from kt_tui.core import rollup, rules
from kt_tui.core.rollup import Group
from kt_tui.core.store import Settings, Store
from kt_tui.core.tables import MEMBER, RECEIVER, SYSTEM


@dataclass
class Tally:
    """Sums over a set of counted items, per stage."""

    items: int = 0
    weight: int = 0
    complete: int = 0
    complete_weight: int = 0
    progress_weight: int = 0
    overdue: int = 0
    blocked: int = 0
    awaiting: int = 0
    lapsed: int = 0
    # stage index -> [items, complete items]
    stages: dict[int, list[int]] = field(default_factory=dict)

    def add(self, stage: int | None, row: Any) -> None:
        self.items += row.items
        self.weight += row.weight
        self.complete += row.complete
        self.complete_weight += row.complete_weight
        self.progress_weight += row.progress_weight
        self.overdue += row.overdue
        self.blocked += row.blocked
        self.awaiting += row.awaiting
        self.lapsed += row.lapsed
        if stage is not None and (row.items or row.complete):  # lapsed groups: complete < 0
            slot = self.stages.setdefault(stage, [0, 0])
            slot[0] += row.items
            slot[1] += row.complete


@dataclass(frozen=True)
class Figures:
    readiness: float | None
    progress: float | None
    items: int
    complete: int
    overdue: int
    level: str | None
    blocked: int = 0
    lapsed: int = 0
    awaiting: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def figures_of(t: Tally, stages: list[str]) -> Figures:
    return Figures(
        rules.fraction(t.complete_weight, t.weight),
        rules.fraction(t.progress_weight, t.weight),
        t.items,
        t.complete,
        t.overdue,
        rules.level({i: (n, c) for i, (n, c) in t.stages.items()}, stages),
        t.blocked,
        t.lapsed,
        t.awaiting,
    )


@dataclass(frozen=True)
class MemberStatus:
    id: int
    handle: str
    name: str
    role: str
    figures: Figures
    side: str = "client"

    def to_json(self) -> dict[str, Any]:
        return {
            "handle": self.handle,
            "name": self.name,
            "role": self.role,
            "side": self.side,
            **self.figures.to_json(),
        }


@dataclass(frozen=True)
class SystemStatus:
    id: int
    key: str
    name: str
    tier: int
    min_ready: int
    ready_receivers: int
    can_transfer: bool | None  # None: nothing counted, nothing to hand over
    figures: Figures

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "tier": self.tier,
            "min_ready": self.min_ready,
            "ready_receivers": self.ready_receivers,
            "can_transfer": self.can_transfer,
            **self.figures.to_json(),
        }


@dataclass(frozen=True)
class CellStatus:
    member: str
    system: str
    figures: Figures

    ready: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"member": self.member, "system": self.system, **self.figures.to_json()}


@dataclass(frozen=True)
class Status:
    name: str
    target_date: date
    today: date
    stages: list[str]
    ready_threshold: float
    overall: Figures
    members: list[MemberStatus]
    systems: list[SystemStatus]
    cells: list[CellStatus]
    handover_items: Figures | None = None  # scope handover; items 0 where there are none

    @property
    def days_left(self) -> int:
        return (self.target_date - self.today).days

    def cell(self, member: str, system: str) -> CellStatus | None:
        for c in self.cells:
            if c.member == member and c.system == system:
                return c
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "handover": {"name": self.name, "target_date": self.target_date.isoformat()},
            "overall": self.overall.to_json(),
            "handover_items": (self.handover_items or EMPTY).to_json(),
            "members": [m.to_json() for m in self.members],
            "systems": [s.to_json() for s in self.systems],
            "cells": [c.to_json() for c in self.cells],
        }


EMPTY = Figures(None, None, 0, 0, 0, None)


def _from_rollup(conn: Connection, today: date) -> list[Group]:
    """The (member, system, stage) groups from the rollup counters (a few rows, not every
    item); rollup.recount_difference checks them against a fresh count."""
    return [*rollup.groups(conn), *rollup.overdue(conn, today), *rollup.lapsed(conn, today)]


def status(store: Store, conn: Connection, today: date) -> Status | None:
    """Every figure of the dashboard; None on an empty store.

    The figures come from the rollup counters.
    """
    settings = store.settings(conn)
    if settings is None:
        return None
    groups = _from_rollup(conn, today)
    return _status(conn, settings, today, groups)


def _status(conn: Connection, settings: Settings, today: date, groups: Iterable[Any]) -> Status:
    stages = settings.stages
    members = conn.execute(
        select(MEMBER.c.id, MEMBER.c.handle, MEMBER.c.name, MEMBER.c.role, MEMBER.c.side)
        .where(MEMBER.c.active == True)  # noqa: E712
        .order_by(MEMBER.c.position, MEMBER.c.handle)
    ).all()
    systems = conn.execute(
        select(SYSTEM.c.id, SYSTEM.c.key, SYSTEM.c.name, SYSTEM.c.tier, SYSTEM.c.min_ready)
        .where(SYSTEM.c.active == True)  # noqa: E712
        .order_by(SYSTEM.c.position, SYSTEM.c.key)
    ).all()
    receivers = conn.execute(
        select(RECEIVER.c.member_id, RECEIVER.c.system_id).where(RECEIVER.c.active == True)  # noqa: E712
    ).all()

    overall = Tally()
    per_member: dict[int, Tally] = defaultdict(Tally)
    per_system: dict[int, Tally] = defaultdict(Tally)
    per_cell: dict[tuple[int, int], Tally] = defaultdict(Tally)
    own = Tally()  # the handover's own items
    for row in groups:
        overall.add(row.stage_idx, row)
        if row.handover:
            own.add(row.stage_idx, row)
        if row.member_id is not None:
            per_member[row.member_id].add(row.stage_idx, row)
        if row.system_id is not None:
            per_system[row.system_id].add(row.stage_idx, row)
        if row.member_id is not None and row.system_id is not None:
            per_cell[(row.member_id, row.system_id)].add(row.stage_idx, row)

    handle_of = {m.id: m.handle for m in members}
    client = {m.id for m in members if rules.is_receiving_side(m.side)}
    key_of = {s.id: s.key for s in systems}
    cells: list[CellStatus] = []
    ready: dict[int, int] = defaultdict(int)
    member_order = {m.id: i for i, m in enumerate(members)}
    system_order = {s.id: i for i, s in enumerate(systems)}
    for mid, sid in sorted(
        (r for r in receivers if r.member_id in handle_of and r.system_id in key_of),
        key=lambda r: (member_order[r.member_id], system_order[r.system_id]),
    ):
        t = per_cell[(mid, sid)]
        ready_here = rules.is_ready_receiver(t.complete_weight, t.weight)
        cell = CellStatus(handle_of[mid], key_of[sid], figures_of(t, stages), ready_here)
        cells.append(cell)
        if cell.ready and mid in client:
            ready[sid] += 1

    system_rows = []
    for s in systems:
        figs = figures_of(per_system[s.id], stages)
        min_ready = rules.min_ready_of(s.min_ready, settings.min_ready_per_system)
        can = rules.can_transfer(figs.readiness, ready[s.id], min_ready, settings.ready_threshold)
        system_rows.append(
            SystemStatus(s.id, s.key, s.name, s.tier, min_ready, ready[s.id], can, figs)
        )
    return Status(
        name=settings.name,
        target_date=settings.target_date,
        today=today,
        stages=stages,
        ready_threshold=settings.ready_threshold,
        overall=figures_of(overall, stages),
        members=[
            MemberStatus(
                m.id, m.handle, m.name, m.role, figures_of(per_member[m.id], stages), m.side
            )
            for m in members
        ],
        systems=system_rows,
        cells=cells,
        handover_items=figures_of(own, stages),
    )


@dataclass(frozen=True)
class Affected:
    """The figures one action can change: its member's, its system's, its cell's, overall."""

    overall: Figures
    member: Figures | None
    system: Figures | None
    cell: Figures | None
    ready_receivers: int | None
    can_transfer: bool | None


@functools.cache
def _receivers_statement() -> Any:
    """A system's min_ready beside each active receiver and whether they are on the
    receiving side (one row with no receiver when it has none): read with the counters
    after each action, so built once."""
    return (
        select(
            SYSTEM.c.min_ready,
            RECEIVER.c.member_id,
            case((rules.receiving_side_sql(MEMBER.c.side), 1), else_=0),
        )
        .select_from(SYSTEM)
        .outerjoin(
            RECEIVER,
            and_(RECEIVER.c.system_id == SYSTEM.c.id, RECEIVER.c.active == True),  # noqa: E712
        )
        .outerjoin(MEMBER, MEMBER.c.id == RECEIVER.c.member_id)
        .where(SYSTEM.c.id == bindparam("system_id"))
    )


def affected(
    store: Store,
    conn: Connection,
    today: date,
    member_id: int | None,
    system_id: int | None,
    settings: Settings | None = None,
) -> Affected:
    """Only the figures an action on (member, system) changes, from the counters' index
    (``settings``: the store's, where the caller read them already).

    About a millisecond at a million instances, where the whole dashboard
    (every member, system and cell) takes tens. Each read answers for the totals,
    the member and the system at once: on PostgreSQL every read is a round trip.
    """
    settings = settings or store.settings(conn)
    assert settings is not None
    stages = settings.stages
    overall, member, system = Tally(), Tally(), Tally()
    cells: dict[int, Tally] = defaultdict(Tally)

    # counter rows, overdue groups, and the lapsed completions that count complete no
    # more (and overdue where past due); with a system, its receivers, in the same read
    groups, receiving = rollup.counters_of(
        conn,
        today,
        member_id=member_id,
        system_id=system_id,
        also=_receivers_statement() if system_id is not None else None,
    )
    for totals, g in groups:
        if totals:
            overall.add(g.stage_idx, g)
            continue
        if member_id is not None and g.member_id == member_id:
            member.add(g.stage_idx, g)
        if system_id is not None and g.system_id == system_id:
            system.add(g.stage_idx, g)
            if g.member_id is not None:
                cells[g.member_id].add(g.stage_idx, g)
    if system_id is None:
        return Affected(
            figures_of(overall, stages), figures_of(member, stages), None, None, None, None
        )
    receivers = {m for (_, m, receives) in receiving if m is not None and receives}
    ready = sum(
        1 for m in receivers if rules.is_ready_receiver(cells[m].complete_weight, cells[m].weight)
    )
    min_ready = rules.min_ready_of(
        receiving[0][0] if receiving else None, settings.min_ready_per_system
    )
    sys_figs = figures_of(system, stages)
    can = rules.can_transfer(sys_figs.readiness, ready, min_ready, settings.ready_threshold)
    cell = figures_of(cells[member_id], stages) if member_id is not None else None
    return Affected(
        figures_of(overall, stages),
        figures_of(member, stages) if member_id is not None else None,
        sys_figs,
        cell,
        ready,
        can,
    )
