"""The demo: the bundled sample mid-way, with a few weeks of history.

On an empty store, the sample is synced as of ``DAYS`` days ago, then a fixed
(seeded) plan of actions is replayed day by day through the normal action path
(Service.act, as the people DESIGN says do or sign each item, with a clock set
to that day), so every event is an ordinary one and ``verify`` passes. The plan
uses the verbs done, signoff (each party in turn), assess, block, na and note;
an action that the rules refuse to every candidate is left out, so a change of
the rules never breaks it.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, select

from kt_tui.core.clock import Clock
from kt_tui.core.errors import KtError
from kt_tui.core.store import Store
from kt_tui.core.tables import INSTANCE, ITEM, MEMBER, SYSTEM, TEMPLATE

DAYS = 56  # history: eight weeks up to yesterday
SEED = 2027
# The day the sample's calendar (start, sessions, target) is written for. A demo built
# on another day moves every date of the sample by the difference, so that the demo
# tells the same story, and the README's examples meet the same states, whatever day
# it is built.
ANCHOR = date(2026, 11, 26)
_DATE = re.compile(r"(?<![\w-])(\d{4}-\d{2}-\d{2})(?![\d-])")  # a time may follow (T09:30)


def shifted_copy(src: Path, dst: Path, today: date) -> Path:
    """The sample's TOML files in ``dst``, every date moved by ``today - ANCHOR``."""
    delta = timedelta(days=(today - ANCHOR).days)

    def move(m: re.Match[str]) -> str:
        try:
            return (date.fromisoformat(m.group(1)) + delta).isoformat()
        except ValueError:
            return m.group(1)

    dst.mkdir(parents=True, exist_ok=True)
    for path in src.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        (dst / path.name).write_text(_DATE.sub(move, text), encoding="utf-8")
    return dst


@dataclass(frozen=True)
class Target:
    id: int
    ref: str
    member: str | None
    system: str | None
    owner: str
    parties: list[str]
    evidence: bool
    after: list[str]
    attend_on: date | None
    trainer: str | None


@dataclass(frozen=True)
class Person:
    handle: str
    lead: bool
    provider: bool
    systems: tuple[str, ...]


@dataclass
class DemoResult:
    actions: int  # applied
    skipped: int  # refused to every candidate
    first_day: date


class Desk(Protocol):
    """What the demo asks of core/service.py's Service (passed in: no import cycle)."""

    def refusal(self, verb: str, instance_id: int) -> str | None: ...

    def act(self, verb: str, instance_id: int, **texts: Any) -> Any: ...


# a Service for this handle at this clock
DeskFor = Callable[[str, Clock], Desk]


def fill(
    store: Store, clock: Clock, sync_sample: Callable[[Clock], None], desk_for: DeskFor
) -> DemoResult:
    """Sync the sample (``sync_sample``, at a clock DAYS ago), then replay the plan, each
    action through ``desk_for(handle, clock)``."""
    today = clock.today()
    first = today - timedelta(days=DAYS)
    sync_sample(_at(first, 8, 0))
    with store.read() as conn:
        targets, people = _targets(conn), _people(conn)
    plan = Plan(targets, people, first, today)
    applied = skipped = 0
    for day, minute, verb, t, who, texts in sorted(plan.build(), key=lambda a: a[:2]):
        if _apply(desk_for, _at(day, 9 + minute // 60, minute % 60), verb, t, who, texts):
            applied += 1
        else:
            skipped += 1
    return DemoResult(applied, skipped, first)


def _at(day: date, hour: int, minute: int) -> Clock:
    return Clock.fixed(datetime.combine(day, time(hour, minute), tzinfo=UTC), day)


def _apply(
    desk_for: DeskFor, clock: Clock, verb: str, t: Target, who: list[str], texts: dict[str, Any]
) -> bool:
    """The action by the first candidate the rules allow now; False when none may."""
    for handle in who:
        service = desk_for(handle, clock)
        if service.refusal(verb, t.id) is not None:
            continue
        try:
            service.act(verb, t.id, **texts)
        except KtError:
            continue
        return True
    return False


def _targets(conn: Connection) -> list[Target]:
    q = (
        select(
            INSTANCE.c.id, TEMPLATE.c.key.label("template"), ITEM.c.key.label("item"),
            MEMBER.c.handle, SYSTEM.c.key.label("system"), ITEM.c.owner, ITEM.c.parties,
            ITEM.c.evidence, ITEM.c.after, ITEM.c.sessions,
        )
        .select_from(INSTANCE.join(ITEM, ITEM.c.id == INSTANCE.c.item_id)
                     .join(TEMPLATE, TEMPLATE.c.id == ITEM.c.template_id)
                     .outerjoin(MEMBER, MEMBER.c.id == INSTANCE.c.member_id)
                     .outerjoin(SYSTEM, SYSTEM.c.id == INSTANCE.c.system_id))
        .where(INSTANCE.c.retired == False)  # noqa: E712
        .order_by(INSTANCE.c.id)
    )  # fmt: skip
    out = []
    for r in conn.execute(q):
        sessions: list[dict[str, Any]] = json.loads(r.sessions) if r.sessions else []
        last = sessions[-1] if sessions else None  # attendance is marked after the last part
        out.append(
            Target(
                r.id,
                f"{r.template}/{r.item}",
                r.handle,
                r.system,
                r.owner,
                json.loads(r.parties or "[]"),
                bool(r.evidence),
                json.loads(r.after) if r.after else [],
                date.fromisoformat(str(last["at"])[:10]) if last else None,
                str(last["trainer"]) if last else None,
            )
        )
    return out


def _people(conn: Connection) -> list[Person]:
    from kt_tui.core.tables import RECEIVER

    systems: dict[int, list[str]] = {}
    q = select(RECEIVER.c.member_id, SYSTEM.c.key).join(SYSTEM, SYSTEM.c.id == RECEIVER.c.system_id)
    for member_id, key in conn.execute(q.where(RECEIVER.c.active == True)):  # noqa: E712
        systems.setdefault(member_id, []).append(key)
    rows = conn.execute(
        select(MEMBER.c.id, MEMBER.c.handle, MEMBER.c.role, MEMBER.c.side)
        .where(MEMBER.c.active == True)  # noqa: E712
        .order_by(MEMBER.c.position)
    )
    return [
        Person(r.handle, r.role == "lead", r.side == "provider", tuple(systems.get(r.id, ())))
        for r in rows
    ]


Action = tuple[date, int, str, Target, list[str], dict[str, Any]]


class Plan:
    """The seeded plan: which items move, when, and who is asked to move them."""

    def __init__(self, targets: list[Target], people: list[Person], first: date, today: date):
        self.targets, self.people = targets, people
        self.first, self.today = first, today
        self.rng = random.Random(SEED)
        self.complete: dict[int, date] = {}  # planned completion day per instance

    def day(self, lo: int, hi: int) -> date:
        return self.first + timedelta(days=self.rng.randint(lo, hi))

    def of(self, ref: str) -> list[Target]:
        return [t for t in self.targets if t.ref == ref]

    # -- who DESIGN says does and signs an item ----------------------------------

    def doers(self, t: Target) -> list[str]:
        def side(provider: bool, system: str | None, leads: bool | None = None) -> list[str]:
            found = [
                p
                for p in self.people
                if p.provider == provider
                and (system is None or system in p.systems)
                and (leads is None or p.lead == leads)
            ]
            return [p.handle for p in sorted(found, key=lambda p: p.lead)]

        if t.owner == "provider":
            return side(True, t.system) + side(True, None, leads=True)
        if t.owner == "lead":
            return side(False, t.system, leads=True) + side(False, None, leads=True)
        if t.owner != "receiver":
            return [t.owner]
        if t.member is not None:
            return [t.member]
        return side(False, t.system) if t.system else side(False, None, leads=True)

    def signers(self, t: Target, doer: str, party: str | None = None) -> list[str]:
        """Who may fill ``party`` (the item's first by default), in a shuffled order; the
        rules, not this, decide (one party each, never your own work)."""
        if not t.parties:
            return []
        party = party or t.parties[0]
        leads = [p for p in self.people if p.lead]
        if party == "client-lead":
            pool = [p.handle for p in leads if not p.provider]
        elif party == "provider-lead":
            pool = [p.handle for p in leads if p.provider]
        elif party == "receiver":
            pool = [t.member] if t.member else [
                p.handle for p in sorted(self.people, key=lambda p: p.lead)
                if not p.provider and t.system in p.systems
            ]  # fmt: skip
        elif party == "lead":
            pool = [p.handle for p in leads if not p.provider] + [
                p.handle for p in leads if p.provider
            ]
        else:
            pool = [party]
        pool = [h for h in pool if h not in (doer, t.member)]
        self.rng.shuffle(pool)
        return pool

    def ready_day(self, t: Target) -> date | None:
        """The day every prerequisite of ``t`` is planned complete; None if one is not."""
        day = self.first
        for ref in t.after:
            full = ref if "/" in ref else f"{t.ref.split('/')[0]}/{ref}"
            gates = self.of(full)
            shared = [
                g
                for g in gates
                if (g.member is None or t.member is None or g.member == t.member)
                and (g.system is None or t.system is None or g.system == t.system)
            ]
            for g in shared or gates:
                if g.id not in self.complete:
                    return None
                day = max(day, self.complete[g.id])
        return day

    # -- the plan ------------------------------------------------------------------

    def work(
        self,
        t: Target,
        lo: int,
        hi: int,
        *,
        sign: float = 1.0,
        evidence: str | None = None,
        parties: int | None = None,
    ) -> Iterator[Action]:
        """Done between days lo..hi (after its prerequisites), then maybe signed: by
        every party, or by the first ``parties`` of them (a sign-off under way)."""
        ready = self.ready_day(t)
        if ready is None:
            return
        lo = max(lo, (ready - self.first).days + 1)
        if lo > min(hi, DAYS - 1):
            return
        done = self.day(lo, min(hi, DAYS - 1))
        who = self.doers(t)
        texts = {"evidence": evidence or f"{t.ref.split('/')[1].upper()}-{t.id}"}
        yield done, self.rng.randint(0, 480), "done", t, who, texts if t.evidence else {}
        if not t.parties:
            self.complete[t.id] = done
            return
        if self.rng.random() >= sign:
            return
        signed = done
        for party in t.parties[:parties]:  # in their listed order, a day or few apart
            signers = self.signers(t, who[0] if who else "", party)
            signed = signed + timedelta(days=self.rng.randint(1, 4))
            if not signers or signed >= self.today:
                return
            yield signed, self.rng.randint(0, 480), "signoff", t, signers, {"party": party}
        if parties is None or parties >= len(t.parties):
            self.complete[t.id] = signed

    def build(self) -> list[Action]:
        out: list[Action] = []
        add = out.extend
        for t in self.of("onboarding/repo-access") + self.of("onboarding/vpn-access"):
            add(self.work(t, 1, 9))
        for i, t in enumerate(self.of("onboarding/ticketing")):
            if i == 2:
                reason = "waiting on IT to add the ticketing group to the client's directory"
                out.append((self.day(6, 10), 30, "block", t, self.doers(t), {"reason": reason}))
            else:
                add(self.work(t, 4, 16))
        for t in self.of("onboarding/on-call-tool"):
            add(self.work(t, 10, 24, sign=0.8, evidence=f"PAGE-{4100 + t.id}"))
        for t in self.of("onboarding/transition-plan"):
            add(self.work(t, 8, 30, sign=0.7))
        for t in self.targets:  # attendance, on the day of the (last) session
            if t.attend_on and t.ref.startswith("training/") and not t.parties:
                when = (t.attend_on - self.first).days
                if 0 < when < DAYS and self.rng.random() < 0.9:
                    who = [h for h in (t.trainer, t.member) if h]
                    out.append((t.attend_on, 480, "done", t, who, {}))
                    self.complete[t.id] = t.attend_on
        wiki = "https://wiki.northwind.example"
        for name, lo, hi, share in (
            ("architecture", 3, 18, 1.0),
            ("runbooks", 12, 40, 0.6),
            ("known-issues", 15, 45, 0.4),
            ("data-map", 20, 45, 0.6),
            ("dr-plan", 25, 50, 0.5),
        ):
            for t in self.of(f"system-docs/{name}"):
                if self.rng.random() < share:
                    add(self.work(t, lo, hi, evidence=f"{wiki}/{t.system}/{name}"))
        for t in self.of("system-kt/read-docs"):
            add(self.work(t, 10, 45, sign=0.85, evidence=f"GAP-{200 + t.id}"))
        for name, share in (("shadow-incident", 0.5), ("shadow-release", 0.4)):
            for t in self.of(f"system-kt/{name}"):
                if self.rng.random() < share:
                    add(self.work(t, 25, 55, sign=0.7, evidence=f"INC-{7000 + t.id}"))
        for t in self.of("access-handover/admin-rights")[:2]:
            add(self.work(t, 35, 52, evidence=f"{wiki}/{t.system}/access-review"))
        for t in self.of("access-handover/contracts-licences")[:2]:
            add(self.work(t, 30, 50, evidence=f"{wiki}/vendors"))
        cloud = [t for t in self.of("access-handover/cloud-accounts") if t.system == "billing"]
        reason = "the client's cloud organisation admin has not accepted the transfer request"
        out += [(self.day(40, 44), 60, "block", t, self.doers(t), {"reason": reason})
                for t in cloud]  # fmt: skip
        glass = [t for t in self.of("access-handover/break-glass") if t.system == "billing"]
        why = "billing has no break-glass account: recovery goes through the cloud's own flow"
        out += [(self.day(30, 34), 90, "na", t, self._leads(), {"reason": why}) for t in glass]
        for i, t in enumerate(self.of("assessments/teach-back")[:5]):
            if i >= 3:  # booked, not held yet
                note = "teach-back booked with the provider's expert for next week"
                out.append((self.day(45, 54), 120, "note", t, [t.member or ""], {"text": note}))
                continue
            held = self.day(40, 52)
            out.append((held, 60, "done", t, [t.member or ""], {}))  # ready to be assessed
            score = 2 if i == 1 else self.rng.choice((3, 4))  # one below the mark
            assessors = self.signers(t, t.member or "")
            out.append((held + timedelta(days=1), 120, "assess", t, assessors, {"score": score}))
        # a two-party acceptance under way: the provider's lead has signed, the client's
        # has not (the queue and the exports show "1 of 2 signed; missing client-lead")
        for t in self.of("access-handover/admin-rights")[2:3]:
            add(self.work(t, 44, 50, evidence=f"{wiki}/{t.system}/access-review", parties=1))
        return out

    def _leads(self) -> list[str]:
        return [p.handle for p in self.people if p.lead and not p.provider]
