"""Every rule of DESIGN's "Readiness, defined once" and "Who may do what", once.

States, verbs and the transition table; who may use which verb; and each
predicate (counted, complete, progress, open, overdue, awaiting, ready
receiver, can transfer, level) in two forms side by side: a Python function
over one instance's values, and a SQLAlchemy expression over the instance
table. tests/core/test_rules.py checks that both forms agree on the same rows.
Nothing else in kt-tui decides these questions.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, case, exists, false, func, literal, not_, or_, select, true

from kt_tui.core.tables import INSTANCE, ITEM, RECEIVER, SIGNATURE, TEMPLATE
from kt_tui.present import EPSILON


class State(StrEnum):
    """The one stored state of an item instance."""

    TODO = "todo"
    BLOCKED = "blocked"
    DONE = "done"
    SIGNED_OFF = "signed_off"
    NA = "na"


STATES: tuple[str, ...] = tuple(s.value for s in State)
# the order states are listed and sorted in: what needs attention first
STATE_ORDER: tuple[str, ...] = (State.BLOCKED, State.TODO, State.DONE, State.SIGNED_OFF, State.NA)


class Role(StrEnum):
    LEAD = "lead"
    ENGINEER = "engineer"


class Side(StrEnum):
    CLIENT = "client"  # receives the systems
    PROVIDER = "provider"  # hands them over


def is_receiving_side(side: str) -> bool:
    """Receivers, ready receivers and the bus-factor gate count client-side members only."""
    return side == Side.CLIENT


def receiving_side_sql(side: Any) -> Any:
    """is_receiving_side on a column (derived from it: the sides it holds receiving)."""
    return side.in_([s.value for s in Side if is_receiving_side(s)])


class Verb(StrEnum):
    DONE = "done"
    UNDO = "undo"
    BLOCK = "block"
    UNBLOCK = "unblock"
    SIGNOFF = "signoff"
    NA = "na"
    REOPEN = "reopen"
    NOTE = "note"
    EVIDENCE = "evidence"
    REJECT = "reject"
    ASSESS = "assess"


# verb -> (states it applies to, state it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    Verb.DONE: ((State.TODO, State.BLOCKED), State.DONE),
    Verb.UNDO: ((State.DONE,), State.TODO),
    Verb.BLOCK: ((State.TODO,), State.BLOCKED),
    Verb.UNBLOCK: ((State.BLOCKED,), State.TODO),
    Verb.SIGNOFF: ((State.DONE,), State.SIGNED_OFF),
    Verb.NA: ((State.TODO, State.BLOCKED, State.DONE), State.NA),
    Verb.REOPEN: ((State.SIGNED_OFF, State.NA), State.TODO),
    Verb.REJECT: ((State.DONE,), State.TODO),
    Verb.ASSESS: ((State.TODO, State.BLOCKED, State.DONE), State.SIGNED_OFF),
}
# verbs with more than one outcome: signoff stays done until every party has signed;
# assess leads to todo when the score does not pass (see sign_outcome)
OUTCOMES: dict[str, tuple[str, ...]] = {
    Verb.SIGNOFF: (State.DONE, State.SIGNED_OFF),
    Verb.ASSESS: (State.SIGNED_OFF, State.TODO),
}
TEXT_VERBS: tuple[str, ...] = (Verb.NOTE, Verb.EVIDENCE)
VERBS: tuple[str, ...] = (*TRANSITIONS, *TEXT_VERBS)
# how a refusal names what a verb does to an item ({item}: the item's REF and flags)
VERB_WORDS: dict[str, str] = {
    Verb.DONE: "mark {item} done",
    Verb.UNDO: "undo {item}",
    Verb.BLOCK: "block {item}",
    Verb.UNBLOCK: "unblock {item}",
    Verb.SIGNOFF: "sign off {item}",
    Verb.NA: "mark {item} not applicable",
    Verb.REOPEN: "reopen {item}",
    Verb.NOTE: "leave a note on {item}",
    Verb.EVIDENCE: "set the evidence of {item}",
    Verb.REJECT: "send {item} back",
    Verb.ASSESS: "assess {item}",
}


def verb_words(verb: str, item: str) -> str:
    """What ``verb`` does, in words, naming the item: "mark orders/runbook done"."""
    return VERB_WORDS.get(verb, f"{verb} {{item}}").format(item=item)


# the verbs that need --reason, and what the reason says
REASON_VERBS: dict[str, str] = {
    Verb.BLOCK: "what it waits on",
    Verb.NA: "why it does not apply",
    Verb.REJECT: "what is missing",
}


# --- who may do what ------------------------------------------------------------

# Who does an item (owner), who signs it (parties), and which verbs need which:
# see the section "owners, sign-off parties, signatures, assessments" below.


# --- what a verb does to an instance ----------------------------------------------

# Fields a verb clears: done and sign-off marks go with undo and reopen; a
# block's reason goes when the item is done, unblocked, undone or reopened.
# (assess: a score that does not pass sends the item back to todo)
_CLEARS_MARKS = frozenset({Verb.UNDO, Verb.REOPEN, Verb.REJECT, Verb.ASSESS})
_CLEARS_REASON = frozenset({Verb.DONE, Verb.UNDO, Verb.UNBLOCK, Verb.REOPEN, Verb.ASSESS})


def effect(
    verb: str,
    state: str,
    *,
    actor: str,
    at: str,
    reason: str | None = None,
    evidence: str | None = None,
    note: str | None = None,
    to: str | None = None,
    score: int | None = None,
) -> dict[str, Any]:
    """The stored fields one verb sets on one instance, state included.

    The action writes these; verify's replay computes them again from the
    event, so what a verb does is written here only. For ``note`` and
    ``evidence`` the text is passed as ``note`` and ``evidence``. ``to`` is the
    outcome of a verb with several (OUTCOMES: see sign_outcome); ``score`` an
    assessment's.
    """
    values: dict[str, Any] = {}
    if verb in TRANSITIONS:
        values["state"] = str(outcome_of(verb, to))
    if verb == Verb.DONE:
        values.update(done_by=actor, done_at=at)
    elif verb in OUTCOMES and values["state"] == State.SIGNED_OFF:
        values.update(signed_off_by=actor, signed_off_at=at)
    elif verb in _CLEARS_MARKS:
        values.update(done_by=None, done_at=None, signed_off_by=None, signed_off_at=None)
    if verb in REASON_VERBS:
        values["reason"] = reason
    elif verb in _CLEARS_REASON:
        values["reason"] = None
    if evidence is not None and verb in EVIDENCE_VERBS:
        values["evidence"] = evidence
    if note is not None:
        values["note"] = note
    values.update(_parties_effect(verb, score))
    return values


# the verbs that carry evidence (done --evidence, and the evidence verb itself)
EVIDENCE_VERBS = frozenset({Verb.DONE, Verb.EVIDENCE})

# after a sign-off the evidence is what was signed: changing it needs a reopen
EVIDENCE_FROZEN_IN: tuple[str, ...] = (State.SIGNED_OFF,)

# a raised ``revision`` sends these back to todo, dropping their marks (n/a stays)
REOPENED_BY_REVISION: tuple[str, ...] = (State.DONE, State.SIGNED_OFF)


def next_state(verb: str, state: str) -> str:
    return TRANSITIONS[verb][1] if verb in TRANSITIONS else state


def allowed_from(verb: str, state: str) -> bool:
    return verb not in TRANSITIONS or state in TRANSITIONS[verb][0]


def toggle_done_verb(state: str) -> str:
    """The one key that marks done and takes it back: undo on a done item, else done."""
    return Verb.UNDO if state == State.DONE else Verb.DONE


def toggle_block_verb(state: str) -> str:
    return Verb.UNBLOCK if state == State.BLOCKED else Verb.BLOCK


# --- predicates: Python and SQL side by side ------------------------------------------


def is_counted(state: str, retired: bool) -> bool:
    """Counted in the figures: not retired by sync, not n/a."""
    return not retired and state != State.NA


def counted_sql(t: Any = INSTANCE) -> Any:
    return and_(t.c.retired == False, t.c.state != State.NA)  # noqa: E712


def is_complete(state: str, signoff: bool) -> bool:
    """Signed off, or done where no sign-off is needed."""
    return state == State.SIGNED_OFF or (state == State.DONE and not signoff)


def complete_sql(t: Any = INSTANCE) -> Any:
    return or_(
        t.c.state == State.SIGNED_OFF,
        and_(t.c.state == State.DONE, t.c.signoff == False),  # noqa: E712
    )


def is_progress(state: str, signoff: bool) -> bool:
    """Counts for progress: complete, or done and waiting for its sign-off."""
    return is_complete(state, signoff) or state == State.DONE


def progress_sql(t: Any = INSTANCE) -> Any:
    return or_(complete_sql(t), t.c.state == State.DONE)


def is_open(state: str, signoff: bool) -> bool:
    """Still to complete (among counted items): neither complete nor n/a."""
    return state != State.NA and not is_complete(state, signoff)


def open_sql(t: Any = INSTANCE) -> Any:
    return and_(not_(complete_sql(t)), t.c.state != State.NA)


def is_overdue(state: str, signoff: bool, due: date | None, today: date) -> bool:
    """Today is after the due date and the item is open."""
    return due is not None and due < today and is_open(state, signoff)


def overdue_sql(today: date, t: Any = INSTANCE) -> Any:
    return and_(open_sql(t), t.c.due.is_not(None), past_due_sql(t.c.due, today))


def past_due_sql(due: Any, today: date | Any) -> Any:
    """The date half of overdue, for a due column (of the instances, or of the open
    counters kept per due day): today is after it. ``today``: a date, or a bound
    parameter of one (a statement built once)."""
    return due < today


def is_awaiting(state: str, signoff: bool) -> bool:
    """Done, and waiting for a sign-off: DESIGN's "done, needs sign-off and some party
    has not signed (partly signed included), or an assessment in done with no passing
    score". It is this simple because a done item whose last party signs, and an
    assessment that gets a passing score, leave ``done`` for ``signed_off``
    (sign_outcome), and an assessment always has parties (``signoff`` true)."""
    return state == State.DONE and signoff


def awaiting_sql(t: Any = INSTANCE) -> Any:
    return and_(t.c.state == State.DONE, t.c.signoff == True)  # noqa: E712


# --- figures over groups of items ----------------------------------------------------


def fraction(part: int, whole: int) -> float | None:
    """readiness and progress: complete weight over counted weight; None with nothing counted."""
    return part / whole if whole else None


def is_ready_receiver(complete_weight: int, weight: int) -> bool:
    """A receiver is ready on a system when every counted item of that cell is complete
    (a cell with nothing counted is not ready)."""
    return weight > 0 and complete_weight >= weight


def reaches(readiness: float | None, threshold: float) -> bool:
    """readiness >= threshold, forgiving float rounding; never with nothing counted."""
    return readiness is not None and readiness >= threshold - EPSILON


def can_transfer(
    readiness: float | None, ready_receivers: int, min_ready: int, threshold: float
) -> bool | None:
    """A system may transfer when its readiness reaches the threshold and enough
    receivers are ready; None when it has nothing counted (nothing to hand over:
    it leaves the verdict)."""
    if readiness is None:
        return None
    return reaches(readiness, threshold) and enough_receivers(ready_receivers, min_ready)


def enough_receivers(receivers: int, min_ready: int) -> bool:
    """The bus-factor gate: at least ``min_ready`` ready receivers (sync also asks it of
    all a system's receivers: fewer, and it can never transfer)."""
    return receivers >= min_ready


def min_ready_of(system_min_ready: int | None, default: int) -> int:
    return system_min_ready if system_min_ready is not None else default


def level(stage_counts: Mapping[int, tuple[int, int]], stages: list[str]) -> str | None:
    """Among the stages that hold counted items, the last one such that it and every
    earlier such stage are complete; None where the first is incomplete or nothing
    is staged. A stage without items neither stops nor earns a level.

    ``stage_counts`` maps a stage's index to (counted items, complete items).
    """
    reached: str | None = None
    for i, name in enumerate(stages):
        items, complete = stage_counts.get(i, (0, 0))
        if not items:
            continue
        if complete < items:
            break
        reached = name
    return reached


# --- attendance: who may mark it (training sessions) -------------------------------


def trainers_of(sessions_json: str | None, first_trainer: str | None = None) -> frozenset[str]:
    """Every trainer named by an item's sessions (the JSON list sync stores), as text."""
    import json

    names = {first_trainer} if first_trainer else set()
    for part in json.loads(sessions_json) if sessions_json else []:
        if isinstance(part, dict) and part.get("trainer"):
            names.add(str(part["trainer"]))
    return frozenset(names)


def may_mark_attendance(
    *, is_lead: bool, actor: str | None, attendee: str | None, trainers: frozenset[str]
) -> bool:
    """Anyone marks their own attendance; leads anyone's; a trainer who is a roster
    handle (``actor`` is one: the actor is an active member) anyone's of that item."""
    if actor is None:
        return False
    return is_lead or actor == attendee or actor in trainers


# --- lapsing (valid_for) and waiting (after) -------------------------------------------
#
# Lapsed: a complete item whose completion is older than its ``valid_for``. The
# instance keeps ``lapses_on`` (the local day it became complete + valid_days) while
# it is complete; it is lapsed once today is after that day. The rollup counts it
# complete (the counters cannot know today); the ``lapsing`` counters, keyed by
# lapse day, let readiness take the lapsed ones back out at read time.
#
# Waiting: an instance whose prerequisite instances (its item's ``after``) are not
# all complete or n/a. The gates of an instance are the live instances of each
# prerequisite item that share the bindings both have (same member, same system);
# where none does, every live instance of that prerequisite gates it.

NO_DUE = date(9999, 12, 31)  # the lapsing counters' key for "no due date"
# done is allowed again from these states once the completion has lapsed
REDONE_WHEN_LAPSED: tuple[str, ...] = (State.DONE, State.SIGNED_OFF)


def local_day(stamp: str) -> date:
    """The local date of a stored UTC stamp (``...Z``)."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone().date()


def completion_stamp(signoff: bool, done_at: str | None, signed_off_at: str | None) -> str | None:
    """When an item became complete: its sign-off (the last party's, for several), or its
    done where it needs none."""
    return signed_off_at if signoff else done_at


def lapses_on(
    state: str, signoff: bool, completed_at: str | None, valid_days: int | None
) -> date | None:
    """The last day a completion holds: the day it became complete + valid_days; None
    for an item that does not lapse or is not complete."""
    if valid_days is None or completed_at is None or not is_complete(state, signoff):
        return None
    return local_day(completed_at) + timedelta(days=valid_days)


def is_lapsed(state: str, signoff: bool, lapses_on: date | None, today: date) -> bool:
    """Complete, and today is after its lapse day."""
    return lapses_on is not None and lapses_on < today and is_complete(state, signoff)


def first_lapsed_day(lapses_on: date) -> date:
    """The first day is_lapsed holds for a completion that lapses on ``lapses_on``."""
    return lapses_on + timedelta(days=1)


def lapsed_sql(today: date, t: Any = INSTANCE) -> Any:
    return and_(complete_sql(t), t.c.lapses_on.is_not(None), t.c.lapses_on < today)


def is_complete_on(state: str, signoff: bool, lapses_on: date | None, today: date) -> bool:
    """Complete today: complete and not lapsed (what an item's row and filters show)."""
    return is_complete(state, signoff) and not is_lapsed(state, signoff, lapses_on, today)


def complete_on_sql(today: date, t: Any = INSTANCE) -> Any:
    return and_(complete_sql(t), not_(lapsed_sql(today, t)))


def is_open_on(state: str, signoff: bool, lapses_on: date | None, today: date) -> bool:
    """Still to complete today (among counted items): not complete today, not n/a."""
    return state != State.NA and not is_complete_on(state, signoff, lapses_on, today)


def open_on_sql(today: date, t: Any = INSTANCE) -> Any:
    return and_(not_(complete_on_sql(today, t)), t.c.state != State.NA)


def is_overdue_on(
    state: str, signoff: bool, due: date | None, lapses_on: date | None, today: date
) -> bool:
    """Overdue today: past due and open, or past due and lapsed (done again is due)."""
    late = due is not None and due < today
    return late and (is_open(state, signoff) or is_lapsed(state, signoff, lapses_on, today))


def overdue_on_sql(today: date, t: Any = INSTANCE) -> Any:
    return and_(
        or_(open_sql(t), lapsed_sql(today, t)), t.c.due.is_not(None), past_due_sql(t.c.due, today)
    )


def may_redo(verb: str, state: str, lapsed: bool) -> bool:
    """done once more on a lapsed completion (the verbs table's second source row)."""
    return verb == Verb.DONE and lapsed and state in REDONE_WHEN_LAPSED


def asks_evidence(verb: str, state: str, required: bool, on_file: str | None) -> bool:
    """done must be given evidence now: the item asks for it (``evidence = true``) and
    none on file counts. A lapsed completion's does not: this year's drill needs its
    own proof, not the last one's change ticket."""
    redo = verb == Verb.DONE and state in REDONE_WHEN_LAPSED
    return verb == Verb.DONE and required and (redo or not (on_file or "").strip())


def redo_clears(verb: str, state: str) -> dict[str, Any]:
    """What done on a completed (lapsed) item also drops: its sign-off and score."""
    if verb == Verb.DONE and state in REDONE_WHEN_LAPSED:
        return {"signed_off_by": None, "signed_off_at": None, "score": None}
    return {}


def toggle_done_verb_on(state: str, lapsed: bool) -> str:
    """The TUI's done key: done again on a lapsed item, else toggle_done_verb."""
    return Verb.DONE if lapsed else toggle_done_verb(state)


def blocks_dependants(state: str, signoff: bool, lapses_on: date | None, today: date) -> bool:
    """A prerequisite instance holds its dependants back: neither complete today nor n/a."""
    return state != State.NA and not is_complete_on(state, signoff, lapses_on, today)


def blocks_dependants_sql(today: date, t: Any = INSTANCE) -> Any:
    return and_(t.c.state != State.NA, not_(complete_on_sql(today, t)))


def shares_bindings(
    gate_member: int | None, gate_system: int | None, member: int | None, system: int | None
) -> bool:
    """A prerequisite instance shares the bindings both scopes have (same member where
    both bear one, same system where both bear one)."""
    return (gate_member is None or member is None or gate_member == member) and (
        gate_system is None or system is None or gate_system == system
    )


def _shares_sql(g: Any, t: Any) -> Any:
    return and_(
        or_(g.c.member_id.is_(None), t.c.member_id.is_(None), g.c.member_id == t.c.member_id),
        or_(g.c.system_id.is_(None), t.c.system_id.is_(None), g.c.system_id == t.c.system_id),
    )


def gates(
    member: int | None, system: int | None, candidates: list[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """The instances of one prerequisite item (``candidates``: member_id, system_id,
    retired...) that gate an instance bound to (member, system)."""
    live = [c for c in candidates if not c["retired"]]
    shared = [c for c in live if shares_bindings(c["member_id"], c["system_id"], member, system)]
    return shared or live


def waits_on(
    member: int | None,
    system: int | None,
    prerequisites: Mapping[str, list[Mapping[str, Any]]],
    today: date,
) -> list[tuple[str, Mapping[str, Any]]]:
    """(prerequisite ref, gate) for every gate that holds this instance back; empty when
    it is not waiting. ``prerequisites`` maps each ref of the item's ``after`` to the
    instances of that item (state, signoff, lapses_on, member_id, system_id, retired)."""
    out = []
    for ref, candidates in prerequisites.items():
        for g in gates(member, system, candidates):
            if blocks_dependants(g["state"], bool(g["signoff"]), g["lapses_on"], today):
                out.append((ref, g))
    return out


# made once: an alias sets up its column collections when first used (a few ms)
_WAITING_ALIASES = (
    ITEM.alias("own_item"),
    ITEM.alias("pre_item"),
    TEMPLATE.alias("pre_template"),
    INSTANCE.alias("gate"),
    INSTANCE.alias("gate2"),
)


def _blocking_prerequisites(today: date, t: Any) -> tuple[Any, list[Any]]:
    """The prerequisite items with an instance that holds instance ``t`` back, as
    (their ref, the conditions of a select over them): the SQL form of waits_on."""
    own, pre, pre_t, g, g2 = _WAITING_ALIASES
    ref = pre_t.c.key + "/" + pre.c.key
    # item.after is a JSON list of "template/item": the quoted ref is in it (keys are
    # slugs: only their "_" is a LIKE wildcard, escaped)
    quoted = literal('%"') + func.replace(ref, "_", "\\_") + literal('"%')
    blocking_gate = (
        exists()
        .where(
            g.c.item_id == pre.c.id,
            g.c.retired == False,  # noqa: E712
            blocks_dependants_sql(today, g),
            or_(
                _shares_sql(g, t),
                not_(
                    exists()
                    .where(
                        g2.c.item_id == pre.c.id,
                        g2.c.retired == False,  # noqa: E712
                        _shares_sql(g2, t),
                    )
                    .correlate(pre, t)
                ),
            ),
        )
        .correlate(pre, t)
    )  # two levels down: named, as auto-correlation looks one level up
    conds = [
        own.c.id == t.c.item_id,
        own.c.after.is_not(None),
        pre_t.c.id == pre.c.template_id,
        own.c.after.like(quoted, escape="\\"),
        blocking_gate,
    ]
    return ref, conds


def waiting_sql(today: date, t: Any = INSTANCE) -> Any:
    """The instances that wait on a prerequisite (usable as a filter)."""
    _ref, conds = _blocking_prerequisites(today, t)
    return exists().where(*conds)


def is_waiting(
    member: int | None,
    system: int | None,
    prerequisites: Mapping[str, list[Mapping[str, Any]]],
    today: date,
) -> bool:
    return bool(waits_on(member, system, prerequisites, today))


def waiting_refs_sql(today: date, t: Any = INSTANCE, after: Any = None) -> Any:
    """The refs an instance waits on, space-separated (NULL when it waits on nothing):
    split_refs reads it; the CSV export shows it as it is. ``after``: the instance's
    item's after column where the query joins it, so that the rows of items with no
    prerequisite skip the subquery (most rows: a listing stays a plain scan)."""
    ref, conds = _blocking_prerequisites(today, t)
    refs = select(func.aggregate_strings(ref, " ")).where(*conds).scalar_subquery()
    return refs if after is None else case((after.is_(None), None), else_=refs)


def split_refs(joined: str | None) -> list[str]:
    """waiting_refs_sql's value as a sorted list of refs."""
    return sorted(joined.split(" ")) if joined else []


# === owners, sign-off parties, signatures, assessments (issue 11: 4 and 5) ===========
#
# DESIGN "Who may do what": ``owner`` says who does an item; the parties of
# ``signoff`` say who signs it. Each rule in Python (over one instance and one
# person) and in SQL (over the instance table joined to its item), side by side;
# tests/core/test_parties_rules.py checks that both agree.

OWNER_RECEIVER = "receiver"
OWNER_PROVIDER = "provider"
OWNER_LEAD = "lead"
PARTY_LEAD = "lead"
PARTY_CLIENT_LEAD = "client-lead"
PARTY_PROVIDER_LEAD = "provider-lead"
PARTY_RECEIVER = "receiver"
LEAD_PARTIES: tuple[str, ...] = (PARTY_LEAD, PARTY_CLIENT_LEAD, PARTY_PROVIDER_LEAD)
NAMED_PARTIES: tuple[str, ...] = (*LEAD_PARTIES, PARTY_RECEIVER)
# a signoff event written before parties (schema 2) filled the one party there was
LEGACY_SIGNOFF_PARTY = PARTY_LEAD

# verbs open to whoever may do the item (owner); note: to whoever may do or sign it
OWNER_VERBS = frozenset({Verb.DONE, Verb.UNDO, Verb.BLOCK, Verb.UNBLOCK, Verb.EVIDENCE})
# verbs of whoever may fill a missing party
SIGNER_VERBS = frozenset({Verb.SIGNOFF, Verb.REJECT})
# verbs that are leads' alone
LEAD_VERBS = frozenset({Verb.NA, Verb.REOPEN})
# verbs whose REF does not default --member to the actor (one signs others' items)
NOT_OWN_DEFAULT = frozenset({Verb.SIGNOFF, Verb.REJECT, Verb.ASSESS})
# verbs after which an instance holds no signatures (done: a new completion is
# signed anew; evidence: what was signed changed)
DROPS_SIGNATURES = frozenset({Verb.DONE, Verb.UNDO, Verb.REOPEN, Verb.REJECT, Verb.EVIDENCE,
                              Verb.ASSESS})  # fmt: skip


def _states_with_signatures() -> frozenset[str]:
    """The states an instance can hold signatures in: those signoff leads to, and those
    a verb that keeps signatures leads to from one of them (derived from TRANSITIONS
    and DROPS_SIGNATURES, so it cannot drift from them)."""
    held: set[str] = set(OUTCOMES[Verb.SIGNOFF])
    while True:
        more = {
            to
            for verb, (sources, one) in TRANSITIONS.items()
            if verb not in DROPS_SIGNATURES and held.intersection(sources)
            for to in OUTCOMES.get(verb, (one,))
        }
        if more <= held:
            return frozenset(held)
        held |= more


# in any other state an instance holds no signature: a verb that drops them has none to
# delete there (one statement less per action; on PostgreSQL, one round trip)
STATES_WITH_SIGNATURES = _states_with_signatures()
# the states whose signatures a listing or an export shows: the ones collecting them.
# An item marked na keeps a partial sign-off (it counts no more, and a reopen drops
# it): listings show none for it.
SIGNATURES_SHOWN_IN: tuple[str, ...] = (State.DONE, State.SIGNED_OFF)
# a rejected item shows "sent back" until it is done again: in the states done leaves
SENT_BACK_SHOWN_IN: tuple[str, ...] = TRANSITIONS[Verb.DONE][0]


@dataclass(frozen=True)
class Person:
    """A roster member as the rules about people see them (read from the store at
    the moment of a write: rights.person_of). ``systems``: the systems they have
    (active receiver rows, either side); the SQL forms read those from the store."""

    member_id: int | None
    handle: str | None
    is_lead: bool
    side: str
    systems: frozenset[int] = frozenset()


def _has_system(person: Person, t: Any) -> Any:
    if person.member_id is None:
        return false()
    return exists().where(
        RECEIVER.c.member_id == person.member_id,
        RECEIVER.c.system_id == t.c.system_id,
        RECEIVER.c.active == True,  # noqa: E712
    )


def _flag(value: bool) -> Any:
    return true() if value else false()


def may_do(owner: str, person: Person, member_id: int | None, system_id: int | None) -> bool:
    """Whether ``person`` may do the item (done, undo, block, unblock, evidence).

    receiver: a member-bearing item's own member, a system item's client-side
    members who have the system, a handover item's leads; provider: provider-side
    members (who have the system, for system-bearing items); lead: leads; a handle:
    that member. A lead may do every item.
    """
    if person.member_id is None:
        return False
    if person.is_lead:
        return True
    if owner == OWNER_RECEIVER:
        if member_id is not None:
            return member_id == person.member_id
        return (
            system_id is not None and is_receiving_side(person.side) and system_id in person.systems
        )
    if owner == OWNER_PROVIDER:
        return person.side == Side.PROVIDER and (system_id is None or system_id in person.systems)
    if owner == OWNER_LEAD:
        return False
    return owner == person.handle


def is_mine(owner: str, person: Person, member_id: int | None, system_id: int | None) -> bool:
    """The ``mine`` filter: the items the owner rule gives this person, without the
    lead's right to do every item (a lead's own items, the lead-owned ones, and the
    handover's own receiver items, which are leads')."""
    if person.member_id is None:
        return False
    if may_do(owner, replace(person, is_lead=False), member_id, system_id):
        return True
    handover_item = member_id is None and system_id is None and owner == OWNER_RECEIVER
    return person.is_lead and (owner == OWNER_LEAD or handover_item)


def mine_sql(person: Person, t: Any = INSTANCE, item: Any = ITEM) -> Any:
    """is_mine over the instance table joined to its item."""
    if person.member_id is None:
        return false()
    own = may_do_sql(replace(person, is_lead=False), t, item)
    if not person.is_lead:
        return own
    handover_item = and_(
        t.c.member_id.is_(None), t.c.system_id.is_(None), item.c.owner == OWNER_RECEIVER
    )
    return or_(own, item.c.owner == OWNER_LEAD, handover_item)


def may_do_sql(person: Person, t: Any = INSTANCE, item: Any = ITEM) -> Any:
    """may_do over the instance table joined to its item (the ``mine`` filter)."""
    if person.member_id is None:
        return false()
    if person.is_lead:
        return true()
    receiver = or_(
        t.c.member_id == person.member_id,
        and_(
            t.c.member_id.is_(None),
            t.c.system_id.is_not(None),
            _flag(is_receiving_side(person.side)),
            _has_system(person, t),
        ),
    )
    provider = and_(
        _flag(person.side == Side.PROVIDER),
        or_(t.c.system_id.is_(None), _has_system(person, t)),
    )
    return or_(
        and_(item.c.owner == OWNER_RECEIVER, receiver),
        and_(item.c.owner == OWNER_PROVIDER, provider),
        item.c.owner == (person.handle or ""),
    )


def may_fill(party: str, person: Person, member_id: int | None, system_id: int | None) -> bool:
    """Whether ``person`` is one who may fill ``party`` on this instance (before the
    conflicts of sign_conflict): lead, client-lead, provider-lead, receiver, a handle."""
    if person.member_id is None:
        return False
    if party == PARTY_LEAD:
        return person.is_lead
    if party == PARTY_CLIENT_LEAD:
        return person.is_lead and person.side == Side.CLIENT
    if party == PARTY_PROVIDER_LEAD:
        return person.is_lead and person.side == Side.PROVIDER
    if party == PARTY_RECEIVER:
        if member_id is not None:
            return member_id == person.member_id
        client = is_receiving_side(person.side)
        return client and (system_id is None or system_id in person.systems)
    return party == person.handle


def may_fill_sql(party: str, person: Person, t: Any = INSTANCE) -> Any:
    """may_fill for one party name, over the instance table."""
    if person.member_id is None:
        return false()
    if party == PARTY_LEAD:
        return _flag(person.is_lead)
    if party == PARTY_CLIENT_LEAD:
        return _flag(person.is_lead and person.side == Side.CLIENT)
    if party == PARTY_PROVIDER_LEAD:
        return _flag(person.is_lead and person.side == Side.PROVIDER)
    if party == PARTY_RECEIVER:
        return or_(
            t.c.member_id == person.member_id,
            and_(
                t.c.member_id.is_(None),
                _flag(is_receiving_side(person.side)),
                or_(t.c.system_id.is_(None), _has_system(person, t)),
            ),
        )
    return _flag(party == person.handle)


def sign_conflict(
    party: str,
    person: Person,
    *,
    member_id: int | None,
    done_by: str | None,
    signed_by: Collection[str],
) -> str | None:
    """Why ``person`` may not fill ``party`` here even though they are one who may:
    one person fills at most one party; nobody signs what they marked done; a lead
    never signs, as a lead party, an item bearing their own handle."""
    if person.handle is not None and person.handle in signed_by:
        return "you signed it already, and one person fills one party"
    if done_by is not None and done_by == person.handle:
        return "you marked it done, so someone else must sign it"
    if bears_own_handle(party, person, member_id):
        return "it bears your handle, so another lead must sign it"
    return None


def bears_own_handle(party: str, person: Person, member_id: int | None) -> bool:
    """The conflict no sign-off escapes: a lead party on an item bearing the lead's own
    handle (sign_conflict; sync counts it when it warns of parties few can fill)."""
    return party in LEAD_PARTIES and member_id is not None and member_id == person.member_id


def missing_parties(parties: Sequence[str], signed: Collection[str]) -> list[str]:
    """The parties not signed yet, in their listed order."""
    return [p for p in parties if p not in signed]


def fillable_parties(
    parties: Sequence[str],
    signed: Mapping[str, str],
    person: Person,
    *,
    member_id: int | None,
    system_id: int | None,
    done_by: str | None,
) -> list[str]:
    """The missing parties ``person`` may fill now, in their listed order (the first
    is the one ``signoff`` fills without --as-party). ``signed``: party -> by."""
    return [
        p
        for p in missing_parties(parties, signed)
        if may_fill(p, person, member_id, system_id)
        and sign_conflict(
            p, person, member_id=member_id, done_by=done_by, signed_by=signed.values()
        )
        is None
    ]


def _party_listed(item: Any, party: str) -> Any:
    """``party`` is in the item's parties (a JSON list of strings)."""
    return item.c.parties.contains(f'"{party}"', autoescape=True)


def _signed_sql(t: Any, *, party: str | None = None, by: str | None = None) -> Any:
    conds = [SIGNATURE.c.instance_id == t.c.id]
    if party is not None:
        conds.append(SIGNATURE.c.party == party)
    if by is not None:
        conds.append(SIGNATURE.c.by == by)
    return exists().where(*conds)


def _party_names(handle: str) -> tuple[str, ...]:
    """The party names a person could fill: the named ones, and their own handle."""
    return NAMED_PARTIES if handle in NAMED_PARTIES else (*NAMED_PARTIES, handle)


def may_sign_sql(person: Person, t: Any = INSTANCE, item: Any = ITEM) -> Any:
    """The instances where ``person`` may fill a missing party now (fillable_parties
    is not empty): the sign-off queue, and who may reject."""
    if person.member_id is None or person.handle is None:
        return false()
    handle = person.handle
    own = or_(t.c.member_id.is_(None), t.c.member_id != person.member_id)
    fills = [
        and_(
            _party_listed(item, p),
            not_(_signed_sql(t, party=p)),
            may_fill_sql(p, person, t),
            own if p in LEAD_PARTIES else true(),
        )
        for p in _party_names(handle)
    ]
    return and_(
        not_(_signed_sql(t, by=handle)),
        or_(t.c.done_by.is_(None), t.c.done_by != handle),
        or_(*fills),
    )


def may_assess(
    parties: Sequence[str], person: Person, member_id: int | None, system_id: int | None
) -> bool:
    """``assess`` needs a person who may fill one of the item's parties and who is
    not its member."""
    if member_id is not None and member_id == person.member_id:
        return False
    return any(may_fill(p, person, member_id, system_id) for p in parties)


def may_assess_sql(person: Person, t: Any = INSTANCE, item: Any = ITEM) -> Any:
    if person.member_id is None or person.handle is None:
        return false()
    names = _party_names(person.handle)
    return and_(
        or_(t.c.member_id.is_(None), t.c.member_id != person.member_id),
        or_(*(and_(_party_listed(item, p), may_fill_sql(p, person, t)) for p in names)),
    )


def may_sign_or_do(
    owner: str,
    parties: Sequence[str],
    person: Person,
    member_id: int | None,
    system_id: int | None,
) -> bool:
    """``note`` is open to anyone who may do or sign the item."""
    return may_do(owner, person, member_id, system_id) or any(
        may_fill(p, person, member_id, system_id) for p in parties
    )


ASSESSMENT_KIND = "assessment"


def is_assessment(kind: str) -> bool:
    return kind == ASSESSMENT_KIND


def is_assessment_sql(template: Any = TEMPLATE) -> Any:
    return template.c.kind == ASSESSMENT_KIND


def score_problem(score: int, scale: int | None) -> str | None:
    """Why a score is bad input (outside 1..scale), or None."""
    if not 1 <= score <= (scale or DEFAULT_SCALE):
        return f"{score_range(scale)}, not {score}"
    return None


def score_range(scale: int | None) -> str:
    """What a score may be: "a score is a whole number from 1 to 4"."""
    return f"a score is a whole number from 1 to {scale or DEFAULT_SCALE}"


DEFAULT_SCALE = 4


def passes(score: int | None, pass_score: int | None) -> bool:
    return score is not None and pass_score is not None and score >= pass_score


def passes_sql(score: Any, pass_score: Any) -> Any:
    """passes in SQL."""
    return and_(score.is_not(None), pass_score.is_not(None), score >= pass_score)


def sign_outcome(
    verb: str,
    *,
    parties: Sequence[str] = (),
    signed: Collection[str] = (),
    score: int | None = None,
    pass_score: int | None = None,
) -> str | None:
    """The state a verb with several outcomes leads to: signoff -> signed_off once
    every party (``signed`` includes the one being filled) has signed, else done;
    assess -> signed_off when the score passes, else todo. None for other verbs."""
    if verb == Verb.SIGNOFF:
        return State.SIGNED_OFF if not missing_parties(parties, signed) else State.DONE
    if verb == Verb.ASSESS:
        return State.SIGNED_OFF if passes(score, pass_score) else State.TODO
    return None


def outcome_of(verb: str, to: str | None) -> str:
    """The state ``verb`` leads to, ``to`` where it has several outcomes (one of OUTCOMES)."""
    if verb in OUTCOMES:
        if to not in OUTCOMES[verb]:
            raise ValueError(f"{verb} leads to one of {OUTCOMES[verb]}, not {to!r}")
        return str(to)
    return str(TRANSITIONS[verb][1])


def may_lead_to(verb: str, state: str) -> tuple[str, ...]:
    """Every state ``verb`` may lead to from ``state`` (verify's replay checks events)."""
    if verb in OUTCOMES:
        return OUTCOMES[verb]
    return (next_state(verb, state),)


def _parties_effect(verb: str, score: int | None) -> dict[str, Any]:
    """The fields of this section that a verb sets: the last score (assess sets it,
    reopen drops it) and ``sent_back`` (reject sets it; done and assess clear it)."""
    values: dict[str, Any] = {}
    if verb == Verb.ASSESS:
        values["score"] = score
    elif verb == Verb.REOPEN:
        values["score"] = None
    if verb == Verb.REJECT:
        values["sent_back"] = True
    elif verb in (Verb.DONE, Verb.ASSESS):
        values["sent_back"] = False
    return values


# a raised revision also drops these (sync): signatures go too (DROPS_SIGNATURES)
REOPENED_BY_REVISION_CLEARS: dict[str, Any] = {"score": None}


def too_few_to_fill(fillers: int) -> bool:
    """A party that fewer than two people can fill: one absence would block it (sync
    warns)."""
    return fillers < 2
