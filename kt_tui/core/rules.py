"""Every rule of DESIGN's "Readiness, defined once" and "Who may do what", once.

States, verbs and the transition table; who may use which verb; and each
predicate (counted, complete, progress, open, overdue, awaiting, ready
receiver, can transfer, level) in two forms side by side: a Python function
over one instance's values, and a SQLAlchemy expression over the instance
table. tests/core/test_rules.py checks that both forms agree on the same rows.
Nothing else in kt-tui decides these questions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, case, exists, false, func, literal, not_, or_, select

from kt_tui.core.tables import INSTANCE, ITEM, RECEIVER, TEMPLATE
from kt_tui.present import EPSILON


class State(StrEnum):
    """The one stored state of an item instance."""

    TODO = "todo"
    BLOCKED = "blocked"
    DONE = "done"
    SIGNED_OFF = "signed_off"
    NA = "na"


STATES: tuple[str, ...] = tuple(s.value for s in State)


class Role(StrEnum):
    LEAD = "lead"
    ENGINEER = "engineer"


class Side(StrEnum):
    CLIENT = "client"  # receives the systems
    PROVIDER = "provider"  # hands them over


def is_receiving_side(side: str) -> bool:
    """Receivers, ready receivers and the bus-factor gate count client-side members only."""
    return side == Side.CLIENT


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


# verb -> (states it applies to, state it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    Verb.DONE: ((State.TODO, State.BLOCKED), State.DONE),
    Verb.UNDO: ((State.DONE,), State.TODO),
    Verb.BLOCK: ((State.TODO,), State.BLOCKED),
    Verb.UNBLOCK: ((State.BLOCKED,), State.TODO),
    Verb.SIGNOFF: ((State.DONE,), State.SIGNED_OFF),
    Verb.NA: ((State.TODO, State.BLOCKED, State.DONE), State.NA),
    Verb.REOPEN: ((State.SIGNED_OFF, State.NA), State.TODO),
}
TEXT_VERBS: tuple[str, ...] = (Verb.NOTE, Verb.EVIDENCE)
VERBS: tuple[str, ...] = (*TRANSITIONS, *TEXT_VERBS)
# the verbs that need --reason, and what the reason says
REASON_VERBS: dict[str, str] = {
    Verb.BLOCK: "what it waits on",
    Verb.NA: "why it does not apply",
}


# --- who may do what ------------------------------------------------------------

# An engineer may use these on their own items; a lead may use every verb on any item.
DOER_VERBS = frozenset({Verb.DONE, Verb.UNDO, Verb.BLOCK, Verb.UNBLOCK, Verb.NOTE, Verb.EVIDENCE})


def may_use(is_lead: bool, verb: str) -> bool:
    """Whether a member of this role may use ``verb`` at all."""
    return is_lead or verb in DOER_VERBS


def needs_ownership(is_lead: bool) -> bool:
    """Whether the member may act only on their own items (engineers)."""
    return not is_lead


def owns_sql(member_id: int | None, table: Any = INSTANCE) -> Any:
    """The instances that are this member's: bearing their handle, or system items of
    systems they receive. Used for ``mine`` and for an engineer's right to act."""
    if member_id is None:
        return false()
    receives = exists().where(
        RECEIVER.c.member_id == member_id,
        RECEIVER.c.system_id == table.c.system_id,
        RECEIVER.c.active == True,  # noqa: E712
    )
    return or_(
        table.c.member_id == member_id,
        and_(table.c.member_id.is_(None), receives),
    )


def signer_conflict(
    *, done_by: str | None, signer: str | None, bears: int | None, signer_id: int | None
) -> str | None:
    """Why this person may not sign this item (their own work), or None."""
    if done_by is not None and done_by == signer:
        return "you marked it done; another lead must sign it off"
    if bears is not None and bears == signer_id:
        return "it bears your handle; another lead must sign it off"
    return None


def may_sign_sql(handle: str, member_id: int | None, table: Any = INSTANCE) -> Any:
    """The instances this lead may sign: not done by them, not bearing their handle."""
    return and_(
        or_(table.c.done_by.is_(None), table.c.done_by != handle),
        or_(table.c.member_id.is_(None), table.c.member_id != member_id),
    )


# --- what a verb does to an instance ----------------------------------------------

# Fields a verb clears: done and sign-off marks go with undo and reopen; a
# block's reason goes when the item is done, unblocked, undone or reopened.
_CLEARS_MARKS = frozenset({Verb.UNDO, Verb.REOPEN})
_CLEARS_REASON = frozenset({Verb.DONE, Verb.UNDO, Verb.UNBLOCK, Verb.REOPEN})


def effect(
    verb: str,
    state: str,
    *,
    actor: str,
    at: str,
    reason: str | None = None,
    evidence: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """The stored fields one verb sets on one instance, state included.

    The action writes these; verify's replay computes them again from the
    event, so what a verb does is written here only. For ``note`` and
    ``evidence`` the text is passed as ``note`` and ``evidence``.
    """
    values: dict[str, Any] = {}
    if verb in TRANSITIONS:
        values["state"] = str(TRANSITIONS[verb][1])
    if verb == Verb.DONE:
        values.update(done_by=actor, done_at=at)
    elif verb == Verb.SIGNOFF:
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


def past_due_sql(due: Any, today: date) -> Any:
    """The date half of overdue, for a due column (of the instances, or of the open
    counters kept per due day): today is after it."""
    return due < today


def is_awaiting(state: str, signoff: bool) -> bool:
    """Done, and waiting for a sign-off."""
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
    return reaches(readiness, threshold) and ready_receivers >= min_ready


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


def lapsed_sql(today: date, t: Any = INSTANCE) -> Any:
    return and_(complete_sql(t), t.c.lapses_on.is_not(None), t.c.lapses_on < today)


def is_complete_on(state: str, signoff: bool, lapses_on: date | None, today: date) -> bool:
    """Complete today: complete and not lapsed (what an item's row and filters show)."""
    return is_complete(state, signoff) and not is_lapsed(state, signoff, lapses_on, today)


def complete_on_sql(today: date, t: Any = INSTANCE) -> Any:
    return and_(complete_sql(t), not_(lapsed_sql(today, t)))


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
