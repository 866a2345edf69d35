"""The readiness summary as one dataclass, built from core functions only.

Every export format (markdown, csv, json, html) renders this same Report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date
from typing import Any

from kt_tui.core import audit, burnup, readiness, rules
from kt_tui.core.burnup import Forecast, Point
from kt_tui.core.changes import Change, Changes, changes_since
from kt_tui.core.clock import Clock
from kt_tui.core.errors import StoreError
from kt_tui.core.filters import parse_filter
from kt_tui.core.identity import Actor
from kt_tui.core.instances import InstanceRow, list_instances
from kt_tui.core.readiness import Status
from kt_tui.core.rules import State
from kt_tui.core.store import Store
from kt_tui.present import pct

SCHEMA = "kt-tui/readiness@1"

STATE_ORDER: list[str] = [State.BLOCKED, State.TODO, State.DONE, State.SIGNED_OFF, State.NA]
RED, AMBER, GREEN = "red", "amber", "green"
GO_NO_GO_RULE = (
    "red: the forecast is late or a tier-1 item is overdue; "
    "amber: not red, and some system cannot transfer yet; "
    "green: every system can transfer"
)


@dataclass(frozen=True)
class Verdict:
    level: str  # red | amber | green
    reasons: list[str]
    rule: str = GO_NO_GO_RULE

    @property
    def label(self) -> str:
        return {RED: "NO-GO", AMBER: "NOT YET", GREEN: "GO"}[self.level]

    @property
    def summary(self) -> str:
        return "; ".join(self.reasons)

    def to_json(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "label": self.label,
            "reasons": self.reasons,
            "rule": self.rule,
        }


@dataclass(frozen=True)
class OpenItem:
    """One item still open on a system, with every member it is open for."""

    ref: str
    title: str
    system: str | None
    stage: str | None
    due: date | None
    members: list[str]
    states: list[str]
    overdue: int
    weight: int
    by_state: dict[str, list[str]] = field(default_factory=dict)

    @property
    def state_text(self) -> str:
        """``todo`` alone, or the usual state with the exceptions named: ``todo (blocked: ben)``."""
        if len(self.states) <= 1:
            return self.states[0] if self.states else ""
        main = max(self.states, key=lambda st: len(self.by_state.get(st, [])))
        others = "; ".join(
            f"{st}: {', '.join(self.by_state.get(st, []))}" for st in self.states if st != main
        )
        return f"{main} ({others})"


@dataclass(frozen=True)
class MissingGroup:
    """The open items of one system (or, with key None, of members alone)."""

    key: str | None
    name: str
    can_transfer: bool | None
    items: list[InstanceRow]

    @property
    def weight(self) -> int:
        return sum(r.weight for r in self.items)

    def by_item(self) -> list[OpenItem]:
        """The open rows folded by item: one line per item, its members listed."""
        return fold(self.items)


def fold(rows: list[InstanceRow]) -> list[OpenItem]:
    """Rows folded by (item, system), in first-seen order, members listed."""
    order: dict[tuple[str, str | None], list[InstanceRow]] = {}
    for r in rows:
        order.setdefault((r.ref, r.system), []).append(r)
    out = []
    for (ref, system), group in order.items():
        dues = [r.due for r in group if r.due]
        states = sorted({r.state for r in group}, key=STATE_ORDER.index)
        out.append(
            OpenItem(
                ref=ref,
                title=group[0].title,
                system=system,
                stage=group[0].stage,
                due=min(dues) if dues else None,
                members=[r.member for r in group if r.member],
                states=states,
                overdue=sum(1 for r in group if r.overdue),
                weight=sum(r.weight for r in group),
                by_state={
                    st: [r.member or r.system or "" for r in group if r.state == st]
                    for st in states
                },
            )
        )
    return out


@dataclass(frozen=True)
class Report:
    status: Status
    generated_at: str  # UTC, ISO 8601 with a Z, to the second
    generated_by: str
    verdict: Verdict
    items: list[InstanceRow]
    missing: list[MissingGroup]
    overdue: list[InstanceRow]
    awaiting: list[InstanceRow]
    not_applicable: list[InstanceRow]
    signoffs: list[InstanceRow]
    changes: Changes | None
    history: list[Point]
    forecast: Forecast
    chain_head: str

    @property
    def name(self) -> str:
        return self.status.name

    @property
    def target_date(self) -> date:
        return self.status.target_date

    @property
    def today(self) -> date:
        return self.status.today

    @property
    def since(self) -> date | None:
        return self.changes.since if self.changes else None

    def changes_list(self) -> list[tuple[str, list[Change]]]:
        if self.changes is None:
            return []
        return [
            ("Completed", self.changes.completed),
            ("Signed off", self.changes.signed_off),
            ("Reopened", self.changes.reopened),
        ]


def verdict_of(st: Status, overdue: list[InstanceRow], fc: Forecast) -> Verdict:
    tier_of = {s.key: s.tier for s in st.systems}
    tier1_overdue = [r for r in overdue if r.system and tier_of.get(r.system) == 1]
    red: list[str] = []
    if fc.is_late:
        red.append(f"the forecast is {fc.text}")
    if tier1_overdue:
        systems = sorted({r.system for r in tier1_overdue if r.system})
        n = len(tier1_overdue)
        red.append(f"{n} tier-1 item{'s' if n != 1 else ''} overdue ({', '.join(systems)})")
    if red:
        return Verdict(RED, red)
    # a system with nothing counted (can_transfer None) has nothing to hand over
    counted = [s for s in st.systems if s.can_transfer is not None]
    blocked = [s.key for s in counted if not s.can_transfer]
    amber = []
    if blocked or not counted:
        what = ", ".join(blocked) if blocked else "no systems with items"
        n = len(blocked)
        amber.append(f"{n} system{'s' if n != 1 else ''} cannot transfer yet: {what}")
    if not rules.reaches(st.overall.readiness, st.ready_threshold):
        amber.append(
            f"overall readiness {pct(st.overall.readiness)} is below {pct(st.ready_threshold)}"
        )
    if amber:
        return Verdict(AMBER, amber)
    return Verdict(GREEN, ["every system with items can transfer; overall readiness is met"])


def generated_by(actor: Actor | str) -> str:
    if isinstance(actor, str):
        return actor
    if actor.stand_in or actor.read_only:
        return actor.describe()
    return actor.handle or actor.asked


def build_report(
    store: Store,
    *,
    actor: Actor | str,
    clock: Clock,
    since: date | None = None,
    items: bool = True,
) -> Report:
    """The whole report; with ``items=False`` only its header, verdict and history
    (the CSV export streams the items itself)."""
    today = clock.today()
    who = actor if isinstance(actor, Actor) else None
    with store.read() as conn:
        st = readiness.status(store, conn, today)
        if st is None:
            raise StoreError(
                "the store holds no handover yet: run `kt-tui sync DIR` "
                "(or plain `kt-tui` to open the bundled sample)"
            )
        if items:
            rows = list_instances(conn, parse_filter(""), who, today)
        else:  # the verdict needs only the overdue items of tier-1 systems
            rows = list_instances(conn, parse_filter("overdue tier:1"), who, today)
        changes = changes_since(conn, since) if since is not None else None
        points = burnup.burn_up(conn, today)
        head = audit.head(conn)

    fc = burnup.forecast(points, st.target_date, today)
    open_rows = [r for r in rows if rules.is_open(r.state, r.signoff)]
    overdue = [r for r in rows if r.overdue]
    missing: list[MissingGroup] = []
    if items:
        by_system: dict[str | None, list[InstanceRow]] = {}
        for r in open_rows:
            by_system.setdefault(r.system, []).append(r)
        for s in st.systems:
            missing.append(MissingGroup(s.key, s.name, s.can_transfer, by_system.get(s.key, [])))
        if by_system.get(None):
            missing.append(MissingGroup(None, "Per member (no system)", None, by_system[None]))
    signed = [r for r in rows if r.state == State.SIGNED_OFF]
    signed.sort(key=lambda r: (r.signed_off_at or "", r.id))
    return Report(
        status=st,
        generated_at=clock.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        generated_by=generated_by(actor),
        verdict=verdict_of(st, overdue, fc),
        items=rows if items else [],
        missing=missing,
        overdue=overdue if items else [],
        awaiting=[r for r in rows if rules.is_awaiting(r.state, r.signoff)],
        not_applicable=[r for r in rows if r.state == State.NA],
        signoffs=signed,
        changes=changes,
        history=points,
        forecast=fc,
        chain_head=head,
    )
