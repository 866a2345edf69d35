"""The verbs of DESIGN's state table, with the rules of "Who may do what"."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, select, update

from kt_tui.core import audit, rollup, rules
from kt_tui.core.clock import SYSTEM_CLOCK, Clock
from kt_tui.core.errors import BadInput, Refused
from kt_tui.core.filters import Filter
from kt_tui.core.identity import Actor, require_handle
from kt_tui.core.instances import InstanceRow, get_instance, list_instances
from kt_tui.core.parties import (
    check_score,
    check_score_given,
    ensure_may,
    party_to_fill,
    write_signatures,
    you_are,
)
from kt_tui.core.rights import rights_from, rights_statement
from kt_tui.core.store import Store, meta_column
from kt_tui.core.suggest import did_you_mean
from kt_tui.core.systems import require_system
from kt_tui.core.tables import EVENT, INSTANCE, ITEM, TEMPLATE
from kt_tui.core.waiting import waiting_on
from kt_tui.present import first_control, typed


@dataclass(frozen=True)
class Outcome:
    instance_id: int
    verb: str
    before: str
    after: str
    event_id: int
    ref: str
    party: str | None = None  # the party a signoff filled
    missing: tuple[str, ...] = ()  # the parties still to sign after it
    shown: Any = None  # what act's ``then`` read after the write, in its transaction
    member: str | None = None  # the instance's member and system, as the store spells them
    system: str | None = None


def resolve_ref(
    conn: Connection,
    ref: str,
    actor: Actor,
    member: str | None = None,
    system: str | None = None,
    *,
    verb: str | None = None,
) -> int:
    """REF is ``template/item`` with --member/--system; exactly one instance or BadInput.
    --member defaults to the actor, except for signoff, reject and assess (one signs
    or assesses someone else's item); it matches a handle as identity.match_handle
    does ("BEN" is ben), and a system key likewise (systems.require_system)."""
    today = date.min  # the rows' overdue flag plays no part in resolving a REF
    template, item = ref_parts(ref)
    rows = list_instances(
        conn, Filter(), None, today, extra=[TEMPLATE.c.key == template, ITEM.c.key == item]
    )
    if not rows:
        raise no_such_item(conn, ref)
    if member is not None:
        member = require_handle(conn, member, "--member")
    if system is not None:
        system = require_system(conn, system)  # ORDERS is orders
    picked = rows
    if member is not None:
        picked = [r for r in picked if r.member == member]
    elif (
        actor.handle is not None
        and verb not in rules.NOT_OWN_DEFAULT
        and any(r.member for r in picked)
    ):
        mine = [r for r in picked if r.member == actor.handle]
        picked = mine or picked
    if system is not None:
        picked = [r for r in picked if r.system == system]
    if len(picked) == 1:
        return picked[0].id
    shown = picked or rows
    listing = "\n".join(f"  {r.label}" for r in shown[:20])
    more = f"\n  ... and {len(shown) - 20} more" if len(shown) > 20 else ""
    why = "matches no instance" if not picked else f"matches {len(picked)} instances"
    raise BadInput(f"{ref}: {why}; candidates:\n{listing}{more}")


def ref_parts(ref: str) -> tuple[str, str]:
    """A REF's template and item keys; BadInput where it is not ``template/item``."""
    template, sep, item = ref.partition("/")
    if not sep or not template or not item:
        raise BadInput(f"{typed(ref)}: REF must be template/item, e.g. system-docs/runbook")
    return template, item


def require_session_item(conn: Connection, ref: str) -> None:
    """BadInput where REF names an active item with no training session (attend marks
    who came to one: "matches no instance" named --system candidates instead)."""
    template, item = ref_parts(ref)
    row = conn.execute(
        select(ITEM.c.session_at, ITEM.c.sessions)
        .join(TEMPLATE, TEMPLATE.c.id == ITEM.c.template_id)
        .where(TEMPLATE.c.key == template, ITEM.c.key == item, ITEM.c.active == True)  # noqa: E712
    ).first()
    if row is not None and row.session_at is None and not row.sessions:
        raise BadInput(
            f"{typed(ref)} has no training session: attend marks who came to one "
            "(`kt-tui sessions` lists them); to mark the item done, use done"
        )


def check_ref(conn: Connection, ref: str) -> None:
    """BadInput, worded as resolve_ref words it, where REF names no item the store has
    or had: an item of any template (a removed one too: its history stays), or a REF
    its log holds (an item since renamed)."""
    template, item = ref_parts(ref)
    an_item = (
        select(ITEM.c.id)
        .join(TEMPLATE, TEMPLATE.c.id == ITEM.c.template_id)
        .where(TEMPLATE.c.key == template, ITEM.c.key == item)
    )
    if conn.execute(an_item.limit(1)).first() is not None:
        return
    if conn.execute(select(EVENT.c.id).where(EVENT.c.ref == ref).limit(1)).first() is None:
        raise no_such_item(conn, ref)


def no_such_item(conn: Connection, ref: str) -> BadInput:
    """The error for a REF that names no item: the closest item of its template (and
    that template's items), else the closest template."""
    template, item = ref_parts(ref)
    known = conn.execute(
        select(TEMPLATE.c.key, ITEM.c.key)
        .join(ITEM, ITEM.c.template_id == TEMPLATE.c.id)
        .where(TEMPLATE.c.key == template, ITEM.c.active == True)  # noqa: E712
        .limit(50)
    ).all()
    if known:
        keys = [k for _, k in known]
        hint = f"{did_you_mean(item, keys)}; items of {template}: {', '.join(keys)}"
    else:
        templates = conn.execute(select(TEMPLATE.c.key).where(TEMPLATE.c.active == True))  # noqa: E712
        close = did_you_mean(template, [t for (t,) in templates])
        hint = f": no template {template!r}{close}" if close else " (see `kt-tui list`)"
    return BadInput(f"{typed(ref)}: no such item{hint}")


def load_target(conn: Connection, instance_id: int, today: date) -> InstanceRow:
    """The instance a verb acts on, as the verb needs it (its waiting_on unread)."""
    row = get_instance(conn, instance_id, today, waiting=False)
    if row is None:
        raise BadInput(f"There is no item instance #{instance_id}: reload, it may be gone.")
    return row


def check_verb(verb: str) -> None:
    if verb not in rules.VERBS:
        raise BadInput(f"There is no verb {verb!r}: use one of {', '.join(rules.VERBS)}.")


def ensure_allowed(
    conn: Connection,
    actor: Actor,
    verb: str,
    t: InstanceRow,
    evidence: str | None = None,
    *,
    party: str | None = None,
    attendance: bool = False,
    today: date | None = None,
) -> str | None:
    """Raise Refused with a one-line reason when the rules forbid this action; for
    ``signoff`` return the party it fills (``party``, else the first missing one the
    actor may fill). ``attendance``: a done that marks a session's attendance, which
    a trainer on the roster may give others (rules.may_mark_attendance)."""
    check_verb(verb)
    what = rules.verb_words(verb, t.label)
    if actor.read_only:
        raise Refused(
            f"Only a member of the roster may {what}; {actor.asked} is not in it, so this "
            "session is read-only."
        )
    if t.retired:
        raise Refused(
            f"Nobody may {what}: a sync retired it (its item, member or system left the "
            "folder), and it counts no more."
        )
    if attendance and verb == rules.Verb.DONE:
        if not may_mark_attendance(conn, actor, t):
            try:
                ensure_may(conn, actor, verb, t)
            except Refused:
                raise Refused(
                    f"Only its member, a trainer of its session on the roster, or a lead may "
                    f"mark the attendance of {t.label}; {you_are(actor)}."
                ) from None
    else:
        ensure_may(conn, actor, verb, t)
    if not rules.allowed_from(verb, t.state) and not rules.may_redo(verb, t.state, t.lapsed):
        sources = rules.TRANSITIONS[verb][0]
        lapsed = " (or a lapsed completion)" if verb == rules.Verb.DONE else ""
        raise Refused(
            f"Wrong state: {t.label} is {t.state}, and {verb} applies only to an item that "
            f"is {' or '.join(sources)}{lapsed}."
        )
    if verb == rules.Verb.EVIDENCE and t.state in rules.EVIDENCE_FROZEN_IN:
        raise Refused(
            f"{t.label} is signed off, so its evidence is frozen: a lead must reopen it "
            "before the evidence changes."
        )
    filled = None
    if verb in rules.SIGNER_VERBS:
        filled = party_to_fill(conn, actor, verb, t, party)
    if verb in (rules.Verb.DONE, rules.Verb.ASSESS):  # a score completes it as done does
        refuse_while_waiting(conn, t, today or date.today())
    if not evidence and rules.asks_evidence(verb, t.state, t.evidence_required, t.evidence):
        again = " of its own (the last is the previous completion's)" if t.evidence else ""
        raise Refused(
            f"{t.label} needs evidence{again} to be done: give --evidence (a link, ticket id "
            "or path)."
        )
    return filled


# the options of act that check_texts judges
TEXT_KEYS = ("note", "evidence", "reason", "text", "score")


def check_texts(
    verb: str,
    *,
    note: str | None = None,
    evidence: str | None = None,
    reason: str | None = None,
    text: str | None = None,
    score: int | None = None,
) -> None:
    """What the verb's own input needs, whatever the item (BadInput, exit 2): a bulk
    run asks it once, before anything is written, so that what an item raises in the
    loop is that item's refusal."""
    check_verb(verb)
    check_score_given(verb, score)
    if verb in rules.REASON_VERBS and not (reason and reason.strip()):
        raise BadInput(missing_reason(verb))
    if verb == rules.Verb.EVIDENCE and not (text and text.strip()):
        raise BadInput("evidence needs its text: a link, ticket id or path.")
    if verb == rules.Verb.NOTE and text is None:
        raise BadInput("note needs the text of the note.")
    for label, value in (
        ("note", note),
        ("evidence", evidence),
        ("reason", reason),
        ("text", text),
    ):
        if value is not None and (bad := first_control(value)) is not None:
            raise BadInput(
                f"{verb}: the {label} contains a control character (U+{ord(bad):04X}): "
                "type it without one."
            )


def act(
    store: Store,
    actor: Actor,
    verb: str,
    instance_id: int,
    *,
    note: str | None = None,
    evidence: str | None = None,
    reason: str | None = None,
    text: str | None = None,
    expect_version: int | None = None,
    party: str | None = None,
    score: int | None = None,
    clock: Clock = SYSTEM_CLOCK,
    attendance: bool = False,
    then: Callable[[Connection, InstanceRow], Any] | None = None,
) -> Outcome:
    """Apply one verb in one write transaction, with its event. ``then`` reads what
    the caller shows next (the row, the figures it changed) in the same transaction,
    given the target as it was before: on PostgreSQL a transaction of its own costs
    round trips, and under the write lock what it reads is the state this write made.
    All or nothing: a failure in ``then`` undoes the verb too (and says so)."""
    check_texts(verb, note=note, evidence=evidence, reason=reason, text=text, score=score)
    if verb != rules.Verb.SIGNOFF:
        party = None
    if verb != rules.Verb.ASSESS:
        score = None
    if evidence is not None and not evidence.strip():
        evidence = None  # blank is no evidence
    if verb == rules.Verb.NOTE:
        note = text
    elif verb == rules.Verb.EVIDENCE:
        evidence = text
    if verb not in rules.EVIDENCE_VERBS:
        evidence = None  # only done and evidence change it
    if verb not in rules.REASON_VERBS:
        reason = None
    with store.write(keyed=True) as conn:
        t = load_target(conn, instance_id, clock.today())
        if expect_version is not None and t.version != expect_version:
            raise Refused(changed_since(t.label, _last_actor(conn, t.id)))
        check_score(t, score)
        actor, head = _rights_and_head(store, conn, actor)  # a sync may have changed them
        filled = ensure_allowed(
            conn,
            actor,
            verb,
            t,
            evidence,
            party=party,
            attendance=attendance,
            today=clock.today(),
        )
        party = filled if verb == rules.Verb.SIGNOFF else None  # reject fills no party
        now = clock.stamp()
        to = rules.sign_outcome(
            verb,
            parties=t.parties,
            signed=[*t.signed, *([party] if party else [])],
            score=score,
            pass_score=t.pass_score,
        )
        values = rules.effect(
            verb,
            t.state,
            actor=actor.name,
            at=now,
            reason=reason,
            evidence=evidence,
            note=note,
            to=to,
            score=score,
        )
        values.update(rules.redo_clears(verb, t.state))
        after = values.get("state", t.state)
        values["lapses_on"] = lapses_after(t, values)
        changed = conn.execute(
            update(INSTANCE)
            .where(and_(INSTANCE.c.id == t.id, INSTANCE.c.version == t.version))
            .values(**values, version=t.version + 1)
        ).rowcount
        if changed != 1:
            raise Refused(changed_since(t.label, _last_actor(conn, t.id)))
        write_signatures(
            conn, verb, t.id, party=party, by=actor.name, at=now, held=t.may_hold_signatures
        )
        if after != t.state:
            rollup.add_delta(
                conn,
                member_id=t.member_id,
                system_id=t.system_id,
                stage_idx=t.stage_idx,
                due=t.due,
                before=rollup.contribution(t.state, t.signoff, t.weight),
                after=rollup.contribution(after, t.signoff, t.weight),
            )
        rollup.add_lapse_delta(
            conn,
            member_id=t.member_id,
            system_id=t.system_id,
            stage_idx=t.stage_idx,
            due=t.due,
            before=rollup.lapse_of(t.state, t.signoff, t.weight, t.lapses_on),
            after=rollup.lapse_of(after, t.signoff, t.weight, values["lapses_on"]),
        )
        detail: dict[str, Any] = {"member": t.member, "system": t.system}
        if reason is not None:
            detail["reason"] = reason
        if score is not None:
            detail["pass"] = t.pass_score  # what the score was judged by (verify replays it)
        if attendance:
            detail["attendance"] = "yes"
        if verb == rules.Verb.SIGNOFF:
            detail["parties"] = list(t.parties)  # what it was signed against (verify)
        event_id = audit.record(
            conn,
            at=now,
            actor=actor.name,
            login=actor.login,
            verb=verb,
            instance_id=t.id,
            ref=t.ref,
            before=t.state,
            after=after,
            note=note,
            evidence=evidence,
            score=score,
            party=party,
            detail=detail,
            head=head,
        )
        shown = then(conn, t) if then is not None else None
    left = rules.missing_parties(t.parties, [*t.signed, party]) if party else []
    return Outcome(
        t.id, verb, t.state, after, event_id, t.ref, party, tuple(left), shown, t.member, t.system
    )


@functools.cache
def _rights_and_head_statement(sqlite: bool) -> Any:
    return rights_statement().add_columns(*audit.head_columns(), meta_column(sqlite))


def _rights_and_head(
    store: Store, conn: Connection, actor: Actor
) -> tuple[Actor, audit.Head | None]:
    """The actor's rights now and the event chain's head, in one read under the write
    lock (on PostgreSQL each read is a round trip), and the settings, which the
    figures read after the write then take from the transaction."""
    if actor.member_id is None:  # read-only: refused before anything is written
        return actor, None
    statement = _rights_and_head_statement(store.is_sqlite)
    row = conn.execute(statement, {"member_id": actor.member_id}).first()
    if row is None:
        return rights_from(conn, actor, row), None
    store.hold_settings(conn, row.meta)
    return rights_from(conn, actor, row), audit.Head(row.head_id, row.head_hash)


def missing_reason(verb: str) -> str:
    """Why a verb that needs --reason without one is bad input (the CLI and bulk)."""
    return f"{verb} needs --reason: say {rules.REASON_VERBS[verb]}."


def changed_since(label: str, who: str) -> str:
    return f"{label} was changed by {who} since you read it: reload, then try again."


def _last_actor(conn: Connection, instance_id: int) -> str:
    events = audit.for_instance(conn, instance_id)
    return events[-1].actor if events else "another user"


# --- attendance: a done mark given by whoever may mark a session's attendance ---------


def may_mark_attendance(conn: Connection, actor: Actor, t: InstanceRow) -> bool:
    """rules.may_mark_attendance over this instance's item (training items only)."""
    if t.kind != "training":
        return False
    row = conn.execute(
        select(ITEM.c.sessions, ITEM.c.session_trainer)
        .join(INSTANCE, INSTANCE.c.item_id == ITEM.c.id)
        .where(INSTANCE.c.id == t.id)
    ).first()
    trainers = rules.trainers_of(row.sessions, row.session_trainer) if row else frozenset()
    return rules.may_mark_attendance(
        is_lead=actor.is_lead, actor=actor.handle, attendee=t.member, trainers=trainers
    )


# --- lapsing and waiting (issue 11) ------------------------------------------------------


def lapses_after(t: InstanceRow, values: dict[str, Any]) -> date | None:
    """The instance's lapse day once ``values`` (a verb's effect) are written."""
    state = values.get("state", t.state)
    done_at = values.get("done_at", t.done_at)
    signed_off_at = values.get("signed_off_at", t.signed_off_at)
    stamp = rules.completion_stamp(t.signoff, done_at, signed_off_at)
    return rules.lapses_on(state, t.signoff, stamp, t.valid_days)


def refuse_while_waiting(conn: Connection, t: InstanceRow, today: date) -> None:
    """done is refused while a prerequisite is incomplete: say which, and how it stands."""
    gates = waiting_on(conn, t.after, t.member_id, t.system_id, today)
    if gates:
        shown = "; ".join(g.label for g in gates[:3])
        more = f"; and {len(gates) - 3} more" if len(gates) > 3 else ""
        raise Refused(
            f"{t.label} waits on {shown}{more}: each must be complete (or n/a) before it is "
            "done or assessed."
        )
