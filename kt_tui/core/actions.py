"""The verbs of DESIGN's state table, with the rules of "Who may do what"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, select, update

from kt_tui.core import audit, rollup, rules
from kt_tui.core.clock import SYSTEM_CLOCK, Clock
from kt_tui.core.errors import BadInput, Refused
from kt_tui.core.identity import Actor
from kt_tui.core.instances import with_instance_joins
from kt_tui.core.store import Store
from kt_tui.core.tables import INSTANCE, ITEM, MEMBER, SYSTEM, TEMPLATE


@dataclass(frozen=True)
class Target:
    """The instance an action applies to, as the rules need it."""

    id: int
    ref: str
    member: str | None
    system: str | None
    member_id: int | None
    system_id: int | None
    state: str
    retired: bool
    signoff: bool
    evidence_required: bool
    evidence: str | None
    done_by: str | None
    version: int
    weight: int = 1
    stage_idx: int | None = None
    due: date | None = None

    @property
    def label(self) -> str:
        where = "".join(
            [
                f" --member {self.member}" if self.member else "",
                f" --system {self.system}" if self.system else "",
            ]
        )
        return f"{self.ref}{where}"


@dataclass(frozen=True)
class Outcome:
    instance_id: int
    verb: str
    before: str
    after: str
    event_id: int
    ref: str


def _target_query() -> Any:
    return select(
        INSTANCE.c.id,
        TEMPLATE.c.key.label("template"),
        ITEM.c.key.label("item"),
        MEMBER.c.handle.label("member"),
        SYSTEM.c.key.label("system"),
        INSTANCE.c.member_id,
        INSTANCE.c.system_id,
        INSTANCE.c.state,
        INSTANCE.c.retired,
        INSTANCE.c.signoff,
        ITEM.c.evidence.label("evidence_required"),
        INSTANCE.c.evidence,
        INSTANCE.c.done_by,
        INSTANCE.c.version,
        INSTANCE.c.weight,
        INSTANCE.c.stage_idx,
        INSTANCE.c.due,
    ).select_from(with_instance_joins())


def _target(r: Any) -> Target:
    return Target(
        id=r.id,
        ref=f"{r.template}/{r.item}",
        member=r.member,
        system=r.system,
        member_id=r.member_id,
        system_id=r.system_id,
        state=r.state,
        retired=bool(r.retired),
        signoff=bool(r.signoff),
        evidence_required=bool(r.evidence_required),
        evidence=r.evidence,
        done_by=r.done_by,
        version=r.version,
        weight=r.weight,
        stage_idx=r.stage_idx,
        due=r.due,
    )


def resolve_ref(
    conn: Connection,
    ref: str,
    actor: Actor,
    member: str | None = None,
    system: str | None = None,
) -> int:
    """REF is ``template/item`` with --member/--system; exactly one instance or BadInput."""
    template, sep, item = ref.partition("/")
    if not sep or not template or not item:
        raise BadInput(f"{ref}: REF must be template/item, e.g. system-docs/runbook")
    q = _target_query().where(
        TEMPLATE.c.key == template,
        ITEM.c.key == item,
        INSTANCE.c.retired == False,  # noqa: E712
    )
    rows = [_target(r) for r in conn.execute(q)]
    if not rows:
        known = conn.execute(
            select(TEMPLATE.c.key, ITEM.c.key)
            .join(ITEM, ITEM.c.template_id == TEMPLATE.c.id)
            .where(TEMPLATE.c.key == template, ITEM.c.active == True)  # noqa: E712
            .limit(50)
        ).all()
        hint = (
            f"; items of {template}: {', '.join(k for _, k in known)}"
            if known
            else " (see `kt-tui list`)"
        )
        raise BadInput(f"{ref}: no such item{hint}")
    picked = rows
    if member is not None:
        picked = [r for r in picked if r.member == member]
    elif actor.handle is not None and any(r.member for r in picked):
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


def load_target(conn: Connection, instance_id: int) -> Target:
    r = conn.execute(_target_query().where(INSTANCE.c.id == instance_id)).first()
    if r is None:
        raise BadInput(f"no item instance #{instance_id}")
    return _target(r)


def owns(conn: Connection, actor: Actor, t: Target) -> bool:
    """Whether the item is the actor's own (rules.owns_sql, asked of this one instance)."""
    if actor.member_id is None:
        return False
    mine = select(INSTANCE.c.id).where(INSTANCE.c.id == t.id, rules.owns_sql(actor.member_id))
    return conn.execute(mine).first() is not None


def ensure_allowed(
    conn: Connection, actor: Actor, verb: str, t: Target, evidence: str | None = None
) -> None:
    """Raise Refused with a one-line reason when the rules forbid this action."""
    if verb not in rules.VERBS:
        raise BadInput(f"unknown verb {verb!r} (use {', '.join(rules.VERBS)})")
    if actor.read_only:
        raise Refused(f"{actor.asked} is not in the roster: read-only")
    if t.retired:
        raise Refused(f"{t.label}: retired by sync; it counts no more")
    if not rules.may_use(actor.is_lead, verb):
        raise Refused(f"only a lead may {verb} (you are {actor.handle}, engineer)")
    if rules.needs_ownership(actor.is_lead) and not owns(conn, actor, t):
        raise Refused(f"{t.label}: not yours ({actor.handle} may act on own items only)")
    if not rules.allowed_from(verb, t.state):
        sources = rules.TRANSITIONS[verb][0]
        raise Refused(
            f"{t.label}: wrong state: {verb} needs {' or '.join(sources)}, it is {t.state}"
        )
    if verb == rules.Verb.SIGNOFF:
        if not t.signoff:
            raise Refused(f"{t.label}: needs no sign-off (signoff = false): done completes it")
        conflict = rules.signer_conflict(
            done_by=t.done_by, signer=actor.handle, bears=t.member_id, signer_id=actor.member_id
        )
        if conflict:
            raise Refused(f"{t.label}: {conflict}")
    if (
        verb == rules.Verb.DONE
        and t.evidence_required
        and not (evidence or (t.evidence or "").strip())
    ):
        raise Refused(f"{t.label}: evidence required: give --evidence (a link, ticket id or path)")


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
    clock: Clock = SYSTEM_CLOCK,
) -> Outcome:
    """Apply one verb in one write transaction, with its event."""
    if verb in rules.REASON_VERBS and not (reason and reason.strip()):
        raise BadInput(f"{verb} needs --reason ({rules.REASON_VERBS[verb]})")
    if verb == rules.Verb.EVIDENCE and not (text and text.strip()):
        raise BadInput("evidence needs the text (a link, ticket id or path)")
    if verb == rules.Verb.NOTE and text is None:
        raise BadInput("note needs the text")
    if evidence is not None and not evidence.strip():
        evidence = None  # blank is no evidence
    if verb == rules.Verb.NOTE:
        note, evidence = text, None
    elif verb == rules.Verb.EVIDENCE:
        evidence = text
    if verb not in rules.REASON_VERBS:
        reason = None
    with store.write() as conn:
        t = load_target(conn, instance_id)
        if expect_version is not None and t.version != expect_version:
            raise Refused(f"{t.label}: changed by {_last_actor(conn, t.id)}, reload")
        ensure_allowed(conn, actor, verb, t, evidence)
        now = clock.stamp()
        values = rules.effect(
            verb, t.state, actor=actor.name, at=now, reason=reason, evidence=evidence, note=note
        )
        after = values.get("state", t.state)
        changed = conn.execute(
            update(INSTANCE)
            .where(and_(INSTANCE.c.id == t.id, INSTANCE.c.version == t.version))
            .values(**values, version=t.version + 1)
        ).rowcount
        if changed != 1:
            raise Refused(f"{t.label}: changed by {_last_actor(conn, t.id)}, reload")
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
        detail = {"member": t.member, "system": t.system}
        if reason is not None:
            detail["reason"] = reason
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
            detail=detail,
        )
    return Outcome(t.id, verb, t.state, after, event_id, t.ref)


def _last_actor(conn: Connection, instance_id: int) -> str:
    events = audit.for_instance(conn, instance_id)
    return events[-1].actor if events else "another user"
