"""Owners, sign-off parties, signatures and scores, as the verbs apply them.

The rules themselves (who may do, fill, sign, assess; what a verb leads to)
are in core/rules.py; this module asks them about one instance and one actor
inside a verb's write transaction, and keeps the signature rows.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert

from kt_tui.core import rules
from kt_tui.core.errors import BadInput, Refused
from kt_tui.core.identity import Actor
from kt_tui.core.instances import InstanceRow
from kt_tui.core.rights import person_of
from kt_tui.core.tables import SIGNATURE


def owner_label(owner: str) -> str:
    """Who does an item, in words."""
    return {
        rules.OWNER_RECEIVER: "its receiver",
        rules.OWNER_PROVIDER: "the provider side",
        rules.OWNER_LEAD: "a lead",
    }.get(owner, owner)


def ensure_may(conn: Connection, actor: Actor, verb: str, t: InstanceRow) -> None:
    """Refuse ``verb`` unless this actor is one who may use it on this item: the
    owner rule for doing it, leads for na and reopen, may do or sign for note, a
    party for assess (signoff and reject: party_to_fill, after the state check)."""
    person = person_of(conn, actor)
    who = f"{actor.handle}, {actor.role}, {actor.side} side"
    if verb in rules.LEAD_VERBS and not actor.is_lead:
        raise Refused(f"only a lead may {verb} (you are {who})")
    if verb in rules.OWNER_VERBS and not rules.may_do(t.owner, person, t.member_id, t.system_id):
        raise Refused(f"{t.label}: not yours to do: it is done by {owner_label(t.owner)} ({who})")
    if verb == rules.Verb.NOTE and not rules.may_sign_or_do(
        t.owner, t.parties, person, t.member_id, t.system_id
    ):
        raise Refused(f"{t.label}: you neither do nor sign it, so you may not note it ({who})")
    if verb == rules.Verb.ASSESS:
        if not rules.is_assessment(t.kind):
            raise Refused(f"{t.label}: not an assessment ({t.kind}): use signoff")
        if not rules.may_assess(t.parties, person, t.member_id, t.system_id):
            raise Refused(
                f"{t.label}: you may not assess it: assessors fill one of its parties "
                f"({', '.join(t.parties)}) and are not its member ({who})"
            )


def party_to_fill(
    conn: Connection, actor: Actor, verb: str, t: InstanceRow, party: str | None
) -> str:
    """The party a signoff fills (``party``, else the first missing party in the
    listed order this actor may fill); for reject, any one they could fill."""
    if not t.signoff:
        raise Refused(f"{t.label}: needs no sign-off (signoff = false): done completes it")
    if rules.is_assessment(t.kind) and verb == rules.Verb.SIGNOFF:
        raise Refused(f"{t.label}: an assessment is signed off by its score: use assess")
    person = person_of(conn, actor)
    signed = t.signed
    fill = rules.fillable_parties(
        t.parties, signed, person, member_id=t.member_id, system_id=t.system_id, done_by=t.done_by
    )
    if party is not None:
        if party not in t.parties:
            listed = ", ".join(t.parties)
            raise BadInput(f"{t.label}: {party!r} is not one of its parties ({listed})")
        if party in signed:
            raise Refused(f"{t.label}: {party} has signed already ({signed[party]})")
        if party in fill:
            return party
        raise Refused(f"{t.label}: {_why_not(person, t, party, signed)}")
    if fill:
        return fill[0]
    missing = t.missing
    why = next(
        (
            _why_not(person, t, p, signed)
            for p in missing
            if rules.may_fill(p, person, t.member_id, t.system_id)
        ),
        f"you may fill none of its missing parties ({', '.join(missing)}; you are "
        f"{actor.handle}, {actor.role}, {actor.side} side)",
    )
    raise Refused(f"{t.label}: {why}")


def _why_not(person: rules.Person, t: InstanceRow, party: str, signed: dict[str, str]) -> str:
    if not rules.may_fill(party, person, t.member_id, t.system_id):
        return f"you may not sign as {party}"
    conflict = rules.sign_conflict(
        party, person, member_id=t.member_id, done_by=t.done_by, signed_by=signed.values()
    )
    return conflict or f"you may not sign as {party}"


def check_score_given(verb: str, score: int | None) -> None:
    if verb == rules.Verb.ASSESS and score is None:
        raise BadInput("assess needs --score N")


def check_score(t: InstanceRow, score: int | None) -> None:
    """A score outside 1..scale is bad input (exit 2)."""
    if score is None:
        return
    problem = rules.score_problem(score, t.scale)
    if problem:
        raise BadInput(f"{t.label}: --score: {problem}")


def write_signatures(
    conn: Connection, verb: str, instance_id: int, *, party: str | None, by: str, at: str
) -> None:
    """Keep the signature rows a verb leaves: signoff adds its party's; the verbs of
    rules.DROPS_SIGNATURES drop them all."""
    if verb in rules.DROPS_SIGNATURES:
        conn.execute(delete(SIGNATURE).where(SIGNATURE.c.instance_id == instance_id))
    if verb == rules.Verb.SIGNOFF and party is not None:
        conn.execute(insert(SIGNATURE).values(instance_id=instance_id, party=party, by=by, at=at))


def drop_signatures(conn: Connection, instance_ids: list[int]) -> None:
    """Sync's reopening by a raised revision drops the signatures of those instances."""
    for i in range(0, len(instance_ids), 900):
        chunk = instance_ids[i : i + 900]
        conn.execute(delete(SIGNATURE).where(SIGNATURE.c.instance_id.in_(chunk)))
