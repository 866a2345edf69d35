"""The readiness summary as one dataclass, built from core functions only.

Every export format (markdown, csv, json, html) renders this same Report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date
from functools import cached_property
from typing import Any

from sqlalchemy import Connection

from kt_tui.core import audit, burnup, readiness, rules
from kt_tui.core.blockers import Blocker, blockers
from kt_tui.core.burnup import Forecast, Point
from kt_tui.core.changes import Change, Changes, changes_since
from kt_tui.core.clock import Clock
from kt_tui.core.competency import Competency, competency
from kt_tui.core.errors import StoreError
from kt_tui.core.identity import Actor
from kt_tui.core.readiness import Status
from kt_tui.core.store import Store
from kt_tui.export import folding
from kt_tui.export.folding import Folded
from kt_tui.present import pct, some

SCHEMA = "kt-tui/readiness@1"

RED, AMBER, GREEN = "red", "amber", "green"
GO_NO_GO_RULE = (
    "red: the forecast is late or a tier-1 item is overdue; "
    "green: not red, every system with items can transfer and overall readiness "
    "(every counted item, handover-wide ones included) reaches the threshold; "
    "amber: otherwise"
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


# The summary prints on one page: a roster up to these sizes is shown whole; a larger one
# shows FOLDED_* of them (the least ready) and the appendix holds them all.
SUMMARY_MEMBERS, FOLDED_MEMBERS = 12, 6
SUMMARY_SYSTEMS, FOLDED_SYSTEMS = 10, 5


@dataclass(frozen=True)
class MissingGroup:
    """What one system (or, with key None, the members alone) still misses: from the
    rollup counters; the items themselves are folded per item in ``Report.open_items``."""

    key: str | None
    name: str
    can_transfer: bool | None
    open: int
    weight: int
    scope: str = "system"  # "system", "member" (their items with no system), "handover"


@dataclass(frozen=True)
class Report:
    status: Status
    generated_at: str  # UTC, ISO 8601 with a Z, to the second
    generated_by: str
    verdict: Verdict
    missing: list[MissingGroup]  # per system, from the counters
    open_items: list[Folded]  # every line folds one item's open instances, on every system
    overdue: list[Folded]  # every line folds one item's overdue instances
    awaiting: list[Folded]
    not_applicable: list[Folded]
    signoffs: list[Folded]
    changes: Changes | None
    history: list[Point]
    forecast: Forecast
    chain_head: str
    tier1_overdue: int = 0  # overdue instances on tier-1 systems
    blockers: list[Blocker] = field(default_factory=list)  # for escalation
    competency: list[Competency] = field(default_factory=list)  # last assessment scores

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
    def overdue_count(self) -> int:
        return sum(o.count for o in self.overdue)

    @property
    def awaiting_count(self) -> int:
        return sum(o.count for o in self.awaiting)

    @property
    def na_count(self) -> int:
        return sum(o.count for o in self.not_applicable)

    @property
    def signed_count(self) -> int:
        return sum(o.count for o in self.signoffs)

    @property
    def systems_ready(self) -> int:
        """The systems that may transfer now (the key figure beside the verdict)."""
        return sum(1 for s in self.status.systems if s.can_transfer)

    @property
    def since(self) -> date | None:
        return self.changes.since if self.changes else None

    # -- the one-page summary: a large roster folds into the appendix ------------------

    @cached_property  # the templates ask it several times
    def summary_members(self) -> list[Any]:
        """The members the summary shows: all, up to SUMMARY_MEMBERS; beyond, the
        FOLDED_MEMBERS least ready (the appendix has them all)."""
        members = list(self.status.members)
        if len(members) <= SUMMARY_MEMBERS:
            return members
        # nothing counted (no readiness) is not "least ready": such members rank last
        ranked = sorted(
            members,
            key=lambda m: (m.figures.readiness is None, m.figures.readiness or 0.0, m.handle),
        )
        return ranked[:FOLDED_MEMBERS]

    @cached_property
    def summary_systems(self) -> list[Any]:
        """The systems the summary shows: all, up to SUMMARY_SYSTEMS; beyond, the
        FOLDED_SYSTEMS furthest from transfer (cannot transfer, least ready, first; one
        with nothing counted, which leaves the verdict, last)."""
        systems = list(self.status.systems)
        if len(systems) <= SUMMARY_SYSTEMS:
            return systems
        ranked = sorted(
            systems,
            key=lambda s: (
                s.can_transfer is not False,
                s.figures.readiness is None,
                s.figures.readiness or 0.0,
                s.key,
            ),
        )
        return ranked[:FOLDED_SYSTEMS]

    @property
    def folded_members(self) -> int:
        return len(self.status.members) - len(self.summary_members)

    @property
    def folded_systems(self) -> int:
        return len(self.status.systems) - len(self.summary_systems)

    def changes_list(self) -> list[tuple[str, list[Change]]]:
        if self.changes is None:
            return []
        return [
            ("Completed", self.changes.completed),
            ("Signed off", self.changes.signed_off),
            ("Reopened", self.changes.reopened),
        ]


VERDICT_NAMES = 8  # systems the verdict's one line names before "and N more"


def verdict_of(st: Status, tier1_overdue: tuple[int, list[str]], fc: Forecast) -> Verdict:
    """``tier1_overdue``: overdue instances on tier-1 systems, and those systems' keys
    (:func:`kt_tui.export.folding.tier1_overdue`)."""
    n, systems = tier1_overdue
    red: list[str] = []
    if fc.is_late:
        red.append(f"the forecast is {fc.text}")
    if n:
        red.append(
            f"{n} tier-1 item{'s' if n != 1 else ''} overdue ({some(systems, VERDICT_NAMES)})"
        )
    if red:
        return Verdict(RED, red)
    # a system with nothing counted (can_transfer None) has nothing to hand over: it
    # leaves the verdict (with none counted, the system condition holds vacuously)
    counted = [s for s in st.systems if s.can_transfer is not None]
    blocked = [s.key for s in counted if not s.can_transfer]
    amber = []
    if blocked:
        n = len(blocked)
        amber.append(
            f"{n} system{'s' if n != 1 else ''} cannot transfer yet: {some(blocked, VERDICT_NAMES)}"
        )
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
    return actor.who()  # the page says who, not the context bar's sentence


def build_report(
    store: Store,
    *,
    actor: Actor | str,
    clock: Clock,
    since: date | None = None,
    items: bool = True,
    conn: Connection | None = None,
) -> Report:
    """The report: its header from the rollup counters, its appendix folded per item in
    SQL (:mod:`kt_tui.export.folding`), so no instance becomes a Python object; with
    ``items=False`` only the header, verdict and history (the CSV and the JSON items
    are streamed by their writers, in ``conn``: the read the report was made in, so
    that header and rows show one moment)."""
    if conn is None:
        with store.read() as conn:
            return build_report(
                store, actor=actor, clock=clock, since=since, items=items, conn=conn
            )
    today = clock.today()
    st = readiness.status(store, conn, today)
    if st is None:
        raise StoreError(
            "the store holds no handover yet: run `kt-tui sync DIR` "
            "(or plain `kt-tui` to open the bundled sample)"
        )
    rosters = folding.Rosters(conn)
    tier1 = folding.tier1_overdue(conn, today)
    missing: list[MissingGroup] = []
    open_items: list[Folded] = []
    overdue: list[Folded] = []
    awaiting: list[Folded] = []
    not_applicable: list[Folded] = []
    signoffs: list[Folded] = []
    found_blockers: list[Blocker] = []
    scores: list[Competency] = []
    if items:
        per_system = folding.open_per_system(conn)
        for s in st.systems:
            n, w = per_system.get(s.key, (0, 0))
            missing.append(MissingGroup(s.key, s.name, s.can_transfer, n, w))
        for key, name, scope in (
            (None, "Per member (no system)", "member"),
            (folding.HANDOVER_WIDE, "Handover-wide", "handover"),
        ):
            n, w = per_system.get(key, (0, 0))
            if n:
                missing.append(MissingGroup(None, name, None, n, w, scope))
        open_items = folding.open_lines(conn, today, rosters, overdue=False)
        overdue = folding.open_lines(conn, today, rosters, overdue=True)
        sections = folding.entry_sections(conn, rosters)
        awaiting = sections[folding.AWAITING]
        not_applicable = sections[folding.NA]
        signoffs = sections[folding.SIGNED]
        found_blockers = blockers(conn, today)
        scores = competency(conn)
    changes = changes_since(conn, since) if since is not None else None
    settings = store.settings(conn)  # read once per transaction: status read it already
    points = burnup.burn_up(conn, today, settings.start_date if settings else None)
    head = audit.head(conn)

    fc = burnup.forecast(points, st.target_date, today)
    return Report(
        status=st,
        generated_at=clock.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        generated_by=generated_by(actor),
        verdict=verdict_of(st, tier1, fc),
        missing=missing,
        open_items=open_items,
        overdue=overdue,
        awaiting=awaiting,
        not_applicable=not_applicable,
        signoffs=signoffs,
        changes=changes,
        history=points,
        forecast=fc,
        chain_head=head,
        tier1_overdue=tier1[0],
        blockers=found_blockers,
        competency=scores,
    )
