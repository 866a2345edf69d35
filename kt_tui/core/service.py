"""The one facade over the core that the CLI and the TUI both call.

Opening the store, resolving the actor, every question (figures, listings,
the log, verify) and every write (verbs, sync), one short transaction each.
The TUI calls it from thread workers and never writes SQL; the CLI calls it
from its commands. This module never imports Textual.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, func, or_, select
from sqlalchemy.exc import SQLAlchemyError

from kt_tui.core import actions, audit, filters, instances, rules
from kt_tui.core.audit import EventRow
from kt_tui.core.clock import SYSTEM_CLOCK, Clock
from kt_tui.core.errors import BadInput, KtError, Refused, StoreError
from kt_tui.core.identity import Actor, login_name, require_handle, resolve_actor
from kt_tui.core.instances import InstanceRow
from kt_tui.core.rights import holds_handover, person_from, require_lead
from kt_tui.core.sorting import parse_sort
from kt_tui.core.store import Store, named_store, open_store
from kt_tui.core.systems import require_system
from kt_tui.core.tables import EVENT, INSTANCE, ITEM, MEMBER, SYSTEM, TEMPLATE

if TYPE_CHECKING:  # readiness and burn-up load when a figure is asked for, not for a verb
    from kt_tui.core.blockers import Blocker
    from kt_tui.core.burnup import Forecast, Point
    from kt_tui.core.competency import Competency
    from kt_tui.core.demo import DemoResult
    from kt_tui.core.readiness import Figures, Status
    from kt_tui.core.sync import SyncResult
    from kt_tui.core.verify import VerifyResult

NO_HANDOVER = (
    "the store holds no handover yet: run `kt-tui sync DIR` "
    "(or plain `kt-tui` to open the bundled sample)"
)


@dataclass(frozen=True)
class Scope:
    """Whose checklist: a member's, a system's, or one cell (both)."""

    member: str | None = None
    system: str | None = None

    @property
    def title(self) -> str:
        if self.member and self.system:
            return f"{self.member} on {self.system}"
        if self.member:
            return f"member {self.member}"
        if self.system:
            return f"system {self.system}"
        return "every item"


@dataclass(frozen=True)
class Shown:
    """What a checklist shows after a verb, read in the verb's own transaction."""

    row: InstanceRow | None
    figures: Figures | None


@dataclass(frozen=True)
class Page:
    """One page of a checklist: rows from ``offset`` on, and the total count."""

    offset: int
    rows: list[InstanceRow]
    total: int


@dataclass(frozen=True)
class Detail:
    row: InstanceRow
    history: list[EventRow]


@dataclass(frozen=True)
class Attendee:
    instance_id: int
    member: str | None
    state: str
    complete: bool
    version: int


@dataclass(frozen=True)
class SessionPart:
    """One part of a course: when, how long, who trains, where."""

    at: str
    minutes: int | None
    trainer: str | None
    location: str | None


@dataclass
class TrainingSession:
    """A training item that has a session: when, how long, who trains, who attends.

    ``at``, ``minutes`` and ``trainer`` are the first part's; ``parts`` holds every
    part (attendance is kept per item, not per part)."""

    ref: str
    title: str
    at: str
    minutes: int | None
    trainer: str | None
    signoff: bool
    attendees: list[Attendee] = field(default_factory=list)
    parts: list[SessionPart] = field(default_factory=list)

    @property
    def location(self) -> str | None:
        return self.parts[0].location if self.parts else None

    def expected(self) -> int:
        """Attendees expected: an n/a one is not (n/a leaves every figure)."""
        return sum(1 for a in self.attendees if a.state != rules.State.NA)

    def attended(self) -> int:
        """Attendees marked (done, or complete)."""
        return sum(1 for a in self.attendees if rules.is_progress(a.state, self.signoff))

    def is_past(self, today: date) -> bool:
        return self.at[:10] < today.isoformat()


Refusals = list[tuple[str, list[tuple[str, str]]]]  # (reason, [(label, own reason)])


@dataclass
class BulkResult:
    """One verb over many instances: the outcomes, (instance id, why) of each refusal,
    and the refused instances' labels."""

    done: list[actions.Outcome] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)
    labels: dict[int, str] = field(default_factory=dict)

    def grouped_refusals(self) -> Refusals:
        """The refusals by reason (present.group_refusals): what the CLI and the TUI
        say, each reason once with the items it refused."""
        from kt_tui.present import group_refusals

        return group_refusals((self.labels.get(i, f"#{i}"), why) for i, why in self.refused)


@dataclass(frozen=True)
class Trend:
    """The burn-up (complete weight per day since the first event) and its forecast."""

    points: list[Point]
    forecast: Forecast


@dataclass(frozen=True)
class Opened:
    service: Service
    synced_sample: bool


class Service:
    """The operations of the terminal app over one store, as one actor, at one clock."""

    def __init__(
        self, store: Store, actor: Actor, clock: Clock = SYSTEM_CLOCK, asked: str | None = None
    ) -> None:
        self.store = store
        self.actor = actor
        self.clock = clock
        self.asked = asked  # the --as handle, to resolve the actor again after a sync
        self.identity_mode = "login"  # set by open_service and refresh_actor
        self._trend: tuple[tuple[int, date], Trend | None] | None = None

    # -- figures -------------------------------------------------------------

    def today(self) -> date:
        return self.clock.today()

    def status(self) -> Status | None:
        from kt_tui.core import readiness

        with self.store.read() as conn:
            return readiness.status(self.store, conn, self.today())

    def require_status(self) -> Status:
        """The figures, or StoreError where the store holds no handover yet."""
        st = self.status()
        if st is None:
            raise StoreError(NO_HANDOVER)
        return st

    def change_marker(self) -> int:
        return self.store.change_marker()

    def trend(self) -> Trend | None:
        """The burn-up and the completion forecast, from one read of the event log.

        Replaying the log reads every counted instance (about a second at a
        million), so the answer is kept until the store or the day changes.
        """
        from kt_tui.core import burnup

        with self.store.read() as conn:
            today = self.today()
            key = (int(conn.execute(select(func.max(EVENT.c.id))).scalar() or 0), today)
            if self._trend is not None and self._trend[0] == key:
                return self._trend[1]
            settings = self.store.settings(conn)
            out = None
            if settings is not None:
                points = burnup.burn_up(conn, today, settings.start_date)
                out = Trend(points, burnup.forecast(points, settings.target_date, today))
        self._trend = (key, out)
        return out

    # -- checklists ----------------------------------------------------------

    def _filter(self, text: str) -> filters.Filter:
        """The filter text parsed (BadInput where it does not parse), before any read."""
        return filters.parse_filter(text)

    def validate_filter(self, text: str) -> None:
        """Raise BadInput when the filter text does not parse."""
        self._filter(text)

    def validate_sort(self, text: str | None) -> None:
        """Raise BadInput (with the closest key) when ``text`` names no sort key of
        core/sorting.py; the listings check it too, this says so before any output."""
        parse_sort(text)

    def count(self, scope: Scope, text: str = "") -> int:
        f = self._filter(text)
        extra = instances.scope_conditions(scope.member, scope.system)
        with self.store.read() as conn:
            f = filters.with_names(conn, f)
            return instances.count_instances(conn, f, self.actor, self.today(), extra)

    def page(
        self,
        scope: Scope,
        text: str,
        offset: int,
        limit: int,
        sort: str | None = None,
        total: int | None = None,
    ) -> Page:
        """Rows [offset, offset + limit) of a checklist in the order ``sort`` names
        (core/sorting.py: ``due``, ``-due``; None: the default), and the filtered
        total (counted unless ``total`` is known: the same filter, sorted anew)."""
        f = self._filter(text)
        order = parse_sort(sort)
        extra = instances.scope_conditions(scope.member, scope.system)
        with self.store.read() as conn:
            f = filters.with_names(conn, f)
            if total is None:
                total = instances.count_instances(conn, f, self.actor, self.today(), extra)
            rows = instances.list_instances(
                conn,
                f,
                self.actor,
                self.today(),
                extra=extra,
                limit=limit,
                offset=offset,
                sort=order,
            )
        return Page(offset, rows, total)

    def figures(self, scope: Scope) -> Figures | None:
        """The figures of a checklist's whole scope (not narrowed by a filter).

        Only the counter rows of that member, system or cell are read
        (readiness.affected): about a millisecond at a million instances, so a
        checklist can refresh its header after every verb.
        """
        with self.store.read() as conn:
            return self._figures_in(conn, scope)

    def _figures_in(
        self, conn: Connection, scope: Scope, known: InstanceRow | None = None
    ) -> Figures | None:
        """figures() in a transaction of the caller's; ``known``: an instance whose
        member and system ids spare looking up the scope's."""
        from kt_tui.core import readiness

        settings = self.store.settings(conn)
        if settings is None:
            return None
        member_id = system_id = None
        if scope.member is not None:
            if known is not None and known.member == scope.member:
                member_id = known.member_id
            else:
                member_id = conn.execute(
                    select(MEMBER.c.id).where(MEMBER.c.handle == scope.member)
                ).scalar()
            if member_id is None:
                return None
        if scope.system is not None:
            if known is not None and known.system == scope.system:
                system_id = known.system_id
            else:
                system_id = conn.execute(
                    select(SYSTEM.c.id).where(SYSTEM.c.key == scope.system)
                ).scalar()
            if system_id is None:
                return None
        got = readiness.affected(
            self.store, conn, self.today(), member_id, system_id, settings=settings
        )
        if member_id is not None:
            return got.cell if system_id is not None else got.member
        return got.system if system_id is not None else got.overall

    def row(self, instance_id: int) -> InstanceRow | None:
        with self.store.read() as conn:
            return instances.get_instance(conn, instance_id, self.today())

    def detail(self, instance_id: int) -> Detail | None:
        with self.store.read() as conn:
            row = instances.get_instance(conn, instance_id, self.today())
            if row is None:
                return None
            return Detail(row, audit.for_instance(conn, instance_id))

    # -- actions -------------------------------------------------------------

    def act(
        self, verb: str, instance_id: int, *, show: Scope | None = None, **texts: Any
    ) -> actions.Outcome:
        """One verb through the core's rules (``texts``: note, evidence, reason, text,
        expect_version as actions.act takes them); raises Refused or BadInput.

        ``show``: the outcome's ``shown`` is then a Shown, the instance as the write
        left it and the figures of that checklist scope, read in the same transaction.
        """
        then = None
        if show is not None:
            scope = show

            def then(conn: Connection, target: InstanceRow) -> Shown:
                row = instances.get_instance(conn, instance_id, self.today())
                return Shown(row, self._figures_in(conn, scope, target))

        return actions.act(
            self.store, self.actor, verb, instance_id, clock=self.clock, then=then, **texts
        )

    def refusal(self, verb: str, instance_id: int) -> str | None:
        """Why the rules would refuse ``verb`` here, before asking the user for text."""
        with self.store.read() as conn:
            target = actions.load_target(conn, instance_id, self.today())
            try:
                actions.ensure_allowed(
                    conn, self.actor, verb, target, evidence="(asked next)", today=self.today()
                )
            except KtError as exc:
                return str(exc)
        return None

    # -- sign-off queue ------------------------------------------------------

    def queue(self, limit: int = 5000, sort: str | None = None) -> list[InstanceRow]:
        """Every done item that waits for this actor's signature (a missing party they
        may fill now) or assessment (rules.may_sign_sql, rules.may_assess_sql), in the
        order ``sort`` names (core/sorting.py)."""
        order = parse_sort(sort)  # a bad key is bad input, for a read-only actor too
        a = self.actor
        if a.read_only or a.handle is None:
            return []
        f = filters.Filter(flags={"awaiting"})
        person = person_from(a)
        extra: list[Any] = [
            or_(
                and_(TEMPLATE.c.kind != "assessment", rules.may_sign_sql(person)),
                and_(TEMPLATE.c.kind == "assessment", rules.may_assess_sql(person)),
            )
        ]
        with self.store.read() as conn:
            return instances.list_instances(
                conn, f, a, self.today(), extra=extra, limit=limit, sort=order
            )

    # -- bulk: one verb over every instance a filter picks ----------------------

    def matching(self, text: str) -> list[InstanceRow]:
        """The instances a ``--where`` filter picks: BadInput when it is malformed or
        picks nothing (nothing to do is a mistake, exit 2)."""
        if not text.strip():
            raise BadInput("--where needs a filter (an empty one would pick every item)")
        f = self._filter(text)
        with self.store.read() as conn:
            f = filters.with_names(conn, f)
            rows = instances.list_instances(conn, f, self.actor, self.today())
        if not rows:
            why = "; ".join(self.filter_warnings(text))  # system:order: did you mean orders?
            raise BadInput(
                f"--where {text!r}: matches no item ({why or f'see `kt-tui list {text}`'})"
            )
        return rows

    def position(
        self, scope: Scope, text: str, instance_id: int, sort: str | None = None
    ) -> int | None:
        """The row of ``instance_id`` in the checklist ``page`` lists with the same
        scope, filter and order (None: not listed there), to open the checklist on it."""
        f = self._filter(text)
        extra = instances.scope_conditions(scope.member, scope.system)
        with self.store.read() as conn:
            f = filters.with_names(conn, f)
            return instances.position_of(
                conn, f, self.actor, self.today(), instance_id, extra=extra, sort=parse_sort(sort)
            )

    def ids(self, scope: Scope, text: str = "") -> list[int]:
        """The ids of every instance of a checklist that a filter picks (select all)."""
        f = self._filter(text)
        extra = instances.scope_conditions(scope.member, scope.system)
        with self.store.read() as conn:  # ids alone: select-all at a million builds no rows
            f = filters.with_names(conn, f)
            return instances.instance_ids(conn, f, self.actor, self.today(), extra)

    def bulk(self, verb: str, instance_ids: Iterable[int], **texts: Any) -> BulkResult:
        """``verb`` on each instance, each in its own transaction with its own event; an
        instance the rules refuse is listed with why and the others go on. Bad input
        (a missing reason) stops before anything is written."""
        _check_input(verb, texts)
        return self._each(instance_ids, lambda iid: self.act(verb, iid, **texts))

    def _each(self, instance_ids: Iterable[int], one: Any) -> BulkResult:
        """``one`` on each id. The input was judged first (_check_input), so what an item
        raises now is that item's (a score its scale does not fit, an item gone since
        it was listed): listed with why while the rest go on, never a stop that leaves
        the work already done unsaid."""
        out = BulkResult()
        ids = list(instance_ids)
        for n, iid in enumerate(ids):
            try:
                out.done.append(one(iid))
            except (Refused, BadInput) as exc:
                out.refused.append((iid, str(exc)))
            except StoreError as exc:  # the store failed (locked, gone): the rest is not
                # tried (each would wait as long), and what was done is still said
                why = f"not done: the store failed ({exc})"
                out.refused.extend((i, why) for i in ids[n:])
                break
        if out.refused:  # named as the reasons name them, to say each reason once
            try:
                with self.store.read() as conn:
                    out.labels = instances.labels_of(conn, [i for i, _ in out.refused])
            except SQLAlchemyError:  # the writes are done: say them, the reasons whole
                out.labels = {}
        return out

    def sign_off(self, instance_ids: Iterable[int]) -> BulkResult:
        """Sign off each item in its own transaction (the first missing party the actor
        may fill); the refused ones listed with why."""
        return self.bulk(rules.Verb.SIGNOFF, instance_ids)

    def reject(self, instance_ids: Iterable[int], reason: str) -> BulkResult:
        """Send each item back to todo with the reason, each in its own transaction."""
        return self.bulk(rules.Verb.REJECT, instance_ids, reason=reason)

    def competency(self) -> list[Competency]:
        """Each member's last score on each assessment item (the member x assessment view)."""
        from kt_tui.core.competency import competency

        with self.store.read() as conn:
            return competency(conn)

    # -- training sessions ---------------------------------------------------

    def sessions(self) -> list[TrainingSession]:
        """Training items with a session, by time, with their attendees' states."""
        f = filters.Filter(fields={"kind": ["training"]})
        extra = [ITEM.c.session_at.is_not(None)]
        with self.store.read() as conn:
            rows = instances.list_instances(conn, f, self.actor, self.today(), extra=extra)
        out: dict[str, TrainingSession] = {}
        for r in rows:
            s = out.get(r.ref)
            if s is None:
                s = out[r.ref] = TrainingSession(
                    r.ref,
                    r.title,
                    r.session_at or "",
                    r.session_minutes,
                    r.session_trainer,
                    r.signoff,
                )
            s.attendees.append(Attendee(r.id, r.member, r.state, r.complete, r.version))
        with self.store.read() as conn:
            parts = _session_parts(conn, list(out))
        for ref, s in out.items():
            s.parts = parts.get(ref) or [SessionPart(s.at, s.minutes, s.trainer, None)]
        return sorted(out.values(), key=lambda s: s.at)

    def attend(self, instance_id: int, **texts: Any) -> actions.Outcome:
        """Mark that one member attended: their item of the session is done (by them,
        a lead, or a trainer of the item who is on the roster); ``texts``: evidence,
        note, for items that ask for evidence of attendance."""
        return actions.act(
            self.store,
            self.actor,
            rules.Verb.DONE,
            instance_id,
            clock=self.clock,
            attendance=True,
            **texts,
        )

    def attend_many(self, instance_ids: Iterable[int], **texts: Any) -> BulkResult:
        """Mark each attendance in its own transaction: what was marked, what was refused."""
        _check_input(rules.Verb.DONE, texts)
        return self._each(instance_ids, lambda iid: self.attend(iid, **texts))

    def attend_members(self, ref: str, handles: list[str], **texts: Any) -> BulkResult:
        """``attend REF --members a,b``: every handle checked first (BadInput, with the
        closest handle, for one the roster does not have), then one event each."""
        with self.store.read() as conn:
            actions.require_session_item(conn, ref)
            named = [require_handle(conn, h, "--members") for h in handles]  # BEN is ben
            named = list(dict.fromkeys(named))  # ben and BEN: one attendee
            ids = [actions.resolve_ref(conn, ref, self.actor, h, None) for h in named]
        return self.attend_many(ids, **texts)

    # -- the command line's questions -------------------------------------------

    def listing(
        self, text: str, limit: int | None, sort: str | None = None
    ) -> tuple[list[InstanceRow], int]:
        """The instances a filter picks (at most ``limit``) in the order ``sort`` names
        (core/sorting.py: ``due``, ``-due``), and how many it picks."""
        f = self._filter(text)
        order = parse_sort(sort)
        with self.store.read() as conn:
            f = filters.with_names(conn, f)
            total = instances.count_instances(conn, f, self.actor, self.today())
            rows = instances.list_instances(
                conn, f, self.actor, self.today(), limit=limit, sort=order
            )
        return rows, total

    def stream(self, text: str) -> Iterator[InstanceRow]:
        """Every instance a filter picks, streamed (``list --limit 0``): flat memory."""
        f = self._filter(text)
        with self.store.read() as conn:
            f = filters.with_names(conn, f)
            yield from instances.iter_instances(conn, f, self.actor, self.today())

    def stream_text(
        self, text: str, *, as_json: bool, sort: str | None = None
    ) -> Iterator[list[str]]:
        """``list --limit 0``: every instance a filter picks as finished text made in SQL
        (a JSON object or a tab-separated line), a batch of lines at a time, in the
        order ``sort`` names; control characters are the caller's to escape."""
        from kt_tui.core.item_text import listing_query
        from kt_tui.core.streaming import batches

        f = self._filter(text)
        order = parse_sort(sort)
        with self.store.read() as conn:
            f = filters.with_names(conn, f)
            query = listing_query(
                conn.dialect.name, f, self.actor, self.today(), as_json=as_json, sort=order
            )
            for part in batches(conn, query):
                yield [row[0] for row in part]

    def events(
        self,
        limit: int | None,
        *,
        ref: str | None = None,
        member: str | None = None,
        system: str | None = None,
        since: date | None = None,
    ) -> list[EventRow]:
        """The newest ``limit`` events, newest first: of one REF, of one member's items
        (and the verbs they used), of one system's items, from a day on."""
        with self.store.read() as conn:
            where: list[Any] = []
            if ref is not None:  # a REF that names no item is a typo, not an empty log
                actions.check_ref(conn, ref)
            if member is not None:
                member = require_handle(conn, member, "--member")  # BEN is ben
                mid = select(MEMBER.c.id).where(MEMBER.c.handle == member).scalar_subquery()
                theirs = (
                    select(EVENT.c.instance_id)
                    .join(INSTANCE, INSTANCE.c.id == EVENT.c.instance_id)
                    .where(or_(INSTANCE.c.member_id == mid, EVENT.c.actor == member))
                )
                where.append(EVENT.c.instance_id.in_(theirs))
            if system is not None:
                system = require_system(conn, system, retired=True)  # ORDERS is orders
                sid = select(SYSTEM.c.id).where(SYSTEM.c.key == system).scalar_subquery()
                on_system = select(INSTANCE.c.id).where(INSTANCE.c.system_id == sid)
                where.append(EVENT.c.instance_id.in_(on_system))
            return audit.recent(
                conn, limit, ref=ref, where=where, since=since.isoformat() if since else None
            )

    def verify(self, expected_head: str | None = None) -> VerifyResult:
        from kt_tui.core.verify import verify

        with self.store.read() as conn:
            return verify(conn, expected_head)

    def resolve(
        self, ref: str, member: str | None, system: str | None, verb: str | None = None
    ) -> int:
        """The one instance a REF with --member/--system names (BadInput otherwise);
        --member defaults to the actor, except for the verbs that sign or assess."""
        with self.store.read() as conn:
            return actions.resolve_ref(conn, ref, self.actor, member, system, verb=verb)

    # -- sync ----------------------------------------------------------------

    def sync(
        self, folder: Path | None = None, *, dry_run: bool = False, shown: str | None = None
    ) -> SyncResult:
        """Sync a handover folder (default: the bundled sample), as this actor."""
        from kt_tui.core.sync import sync
        from kt_tui.paths import sample_dir

        result = sync(
            self.store,
            folder or sample_dir(),
            actor=self.actor.name,
            login=self.actor.login,
            dry_run=dry_run,
            shown=shown or (str(folder) if folder else "(bundled sample)"),
            clock=self.clock,
            authorise=lambda conn: require_lead(conn, self.actor, "sync"),
        )
        if result.applied:
            self.refresh_actor()
        return result

    def filter_warnings(self, text: str) -> list[str]:
        """Names a (valid) filter uses that match nothing, each with the closest one."""
        from kt_tui.core.filter_hints import filter_warnings

        f = self._filter(text)
        with self.store.read() as conn:
            return filter_warnings(conn, filters.with_names(conn, f))

    def blockers(self) -> list[Blocker]:
        """Every blocked item, longest blocked first, with what waits on it."""
        from kt_tui.core.blockers import blockers

        with self.store.read() as conn:
            return blockers(conn, self.today())

    def context_parts(self) -> tuple[str, str, str]:
        """Who acts and where, for the header of every screen: the actor (role and side,
        or read-only, or the sample's stand-in), the store ("file PATH" or "database
        URL") and the identity mode, apart so that a narrow screen can shorten one.
        Reads nothing: the identity mode is read when the actor is (open, refresh_actor)."""
        from kt_tui.core.store import store_text

        where = "database" if not self.store.is_sqlite else "file"
        return (
            self.actor.describe(),
            f"{where} {store_text(self.store)}",
            f"identity: {self.identity_mode}",
        )

    def context_line(self) -> str:
        """The three context parts on one line."""
        return "   ".join(self.context_parts())

    def refresh_actor(self) -> None:
        """Resolve the actor again (after a sync, or when the store changed). A name the
        store now refuses (identity switched to "database") leaves a read-only actor."""
        if self.actor.view_only:
            return  # a read-only view stays one
        with self.store.read() as conn:
            settings = self.store.settings(conn)
            self.identity_mode = settings.identity if settings is not None else "login"
            try:
                self.actor = resolve_actor(self.store, conn, self.asked)
            except Refused:
                self.actor = Actor(self.actor.asked, self.actor.login)


def _check_input(verb: str, texts: dict[str, Any]) -> None:
    """What a bulk run's input needs whatever the item (BadInput, before any write)."""
    actions.check_texts(verb, **{k: v for k, v in texts.items() if k in actions.TEXT_KEYS})
    score = texts.get("score")
    if verb == rules.Verb.ASSESS and isinstance(score, int) and score < 1:
        raise BadInput(f"--score {score}: a score is 1 or more")  # fits no scale at all


def open_service(
    db: str | None,
    as_handle: str | None,
    clock: Clock = SYSTEM_CLOCK,
    *,
    create: bool = True,
    fill_sample: bool = True,
    read_only: bool = False,
) -> Opened:
    """Open the store (``db``, else KT_DB, else the default file) and resolve the actor.

    ``create``: make the store where there is none (else StoreError: commands
    that only read never create one). ``fill_sample``: on an empty *default*
    store put the demo in first, the bundled sample mid-way (``synced_sample``,
    see fill_demo); a store named by
    --db or KT_DB is left as it is, so a typo or a new team database never
    fills up with the sample.
    """
    named = named_store(db)
    store = open_store(named, create=create and not read_only)  # a view never creates one
    synced = False
    if read_only:  # a view: never fills, never writes (Store.write refuses)
        store.read_only = True
        fill_sample = False
    if fill_sample and not named:
        with store.read() as conn:
            empty = store.settings(conn) is None
        if empty:
            fill_demo(store, clock)
            synced = True
    with store.read() as conn:
        actor = resolve_actor(store, conn, as_handle)
        settings = store.settings(conn)
    if read_only:
        actor = Actor(actor.asked, actor.login, view_only=True)
    service = Service(store, actor, clock, as_handle)
    service.identity_mode = settings.identity if settings is not None else "login"
    return Opened(service, synced)


def _session_parts(conn: Any, refs: list[str]) -> dict[str, list[SessionPart]]:
    """Every part of each training item's sessions (the JSON list sync stores), by REF."""
    if not refs:
        return {}
    ref = TEMPLATE.c.key + "/" + ITEM.c.key
    q = (
        select(ref, ITEM.c.sessions)
        .join(TEMPLATE, TEMPLATE.c.id == ITEM.c.template_id)
        .where(ITEM.c.sessions.is_not(None), ref.in_(refs))
    )
    out: dict[str, list[SessionPart]] = {}
    for key, raw in conn.execute(q):
        out[key] = [
            SessionPart(p["at"], p.get("minutes"), p.get("trainer"), p.get("location"))
            for p in json.loads(raw)
        ]
    return out


def fill_demo(store: Store, clock: Clock = SYSTEM_CLOCK) -> DemoResult:
    """The bundled sample, synced weeks ago, with its history replayed up to yesterday
    (core/demo.py), into a store that must be empty (else Refused, nothing written)."""
    import tempfile

    from kt_tui.core import demo
    from kt_tui.core.sync import sync
    from kt_tui.paths import sample_dir

    who = login_name()

    def sync_sample(at: Clock) -> None:
        with tempfile.TemporaryDirectory(prefix="kt-tui-demo-sample-") as tmp:
            # the sample's calendar moved to today (demo.ANCHOR): the same story any day
            folder = demo.shifted_copy(sample_dir(), Path(tmp), clock.today())
            sync(store, folder, actor=who, login=who, shown="(bundled sample)",
                 clock=at, authorise=_still_empty, sample=True)  # fmt: skip

    def desk_for(handle: str, at: Clock) -> Service:
        with store.read() as conn:
            return Service(store, resolve_actor(store, conn, handle), at)

    return demo.fill(store, clock, sync_sample, desk_for)


def _still_empty(conn: Any) -> None:
    """The sample goes only into a store that is still empty inside the write itself:
    another process may have synced a real handover since we looked."""
    if holds_handover(conn):
        raise Refused("The store is no longer empty, so the bundled sample was not synced into it.")
