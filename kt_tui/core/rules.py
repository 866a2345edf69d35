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
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, exists, false, not_, or_

from kt_tui.core.tables import INSTANCE, RECEIVER
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
