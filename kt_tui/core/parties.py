"""Owners, sign-off parties, signatures and scores, as the verbs apply them.

The rules themselves (who may do, fill, sign, assess; what a verb leads to)
are in core/rules.py; this module asks them about one instance and one actor
inside a verb's write transaction, and keeps the signature rows.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert

from kt_tui.core import rules
from kt_tui.core.errors import BadInput, Refused
from kt_tui.core.identity import Actor, match_handle
from kt_tui.core.instances import InstanceRow
from kt_tui.core.rights import person_of
from kt_tui.core.tables import SIGNATURE


def owner_label(owner: str) -> str:
    """Who does an item, in words."""
    return {
        rules.OWNER_RECEIVER: "its receiver",
        rules.OWNER_PROVIDER: "a provider-side member",
        rules.OWNER_LEAD: "a lead",
    }.get(owner, owner)


def doers(t: InstanceRow) -> str:
    """Who may do this item, in words, leads included: a refusal's subject ("a lead",
    not "a lead (or a lead)"; the provider rule with the system it needs)."""
    if t.owner == rules.OWNER_LEAD:
        return "a lead"
    who = owner_label(t.owner)
    if t.owner == rules.OWNER_PROVIDER and t.system:
        who = f"a provider-side member who has {t.system}"
    return f"{who} (or a lead)"


def party_label(party: str) -> str:
    """Who may fill a sign-off party, in words."""
    return {
        rules.PARTY_LEAD: "a lead",
        rules.PARTY_CLIENT_LEAD: "a client-side lead",
        rules.PARTY_PROVIDER_LEAD: "a provider-side lead",
        rules.PARTY_RECEIVER: "its receiver",
    }.get(party, party)


def you_are(actor: Actor) -> str:
    """ "you are ben, an engineer on the client side": who a refusal speaks to."""
    if actor.handle is None:
        return f"{actor.asked} is not in the roster"
    role = actor.role or "member"
    article = "an" if role[:1] in "aeiou" else "a"
    return f"you are {actor.handle}, {article} {role} on the {actor.side or 'client'} side"


def ensure_may(conn: Connection, actor: Actor, verb: str, t: InstanceRow) -> None:
    """Refuse ``verb`` unless this actor is one who may use it on this item: the
    owner rule for doing it, leads for na and reopen, may do or sign for note, a
    party for assess (signoff and reject: party_to_fill, after the state check)."""
    person = person_of(conn, actor)
    what = rules.verb_words(verb, t.label)
    if verb in rules.LEAD_VERBS and not actor.is_lead:
        raise Refused(f"Only a lead may {what}; {you_are(actor)}.")
    if verb in rules.OWNER_VERBS and not rules.may_do(t.owner, person, t.member_id, t.system_id):
        raise Refused(f"Only {doers(t)} may {what}; {you_are(actor)}.")
    if verb == rules.Verb.NOTE and not rules.may_sign_or_do(
        t.owner, t.parties, person, t.member_id, t.system_id
    ):
        raise Refused(f"Only someone who does or signs it may {what}; {you_are(actor)}.")
    if verb == rules.Verb.ASSESS:
        if not rules.is_assessment(t.kind):
            raise Refused(
                f"{t.label} is a {t.kind} item, not an assessment: sign it off instead "
                "of giving a score."
            )
        if not rules.may_assess(t.parties, person, t.member_id, t.system_id):
            raise Refused(
                f"Only someone who may sign it as {' or '.join(t.parties)}, and is not its "
                f"member, may {what}; {you_are(actor)}."
            )


def party_to_fill(
    conn: Connection, actor: Actor, verb: str, t: InstanceRow, party: str | None
) -> str:
    """The party a signoff fills (``party``, else the first missing party in the
    listed order this actor may fill); for reject, any one they could fill."""
    if not t.signoff:
        raise Refused(f"{t.label} needs no sign-off (signoff = false): done completes it.")
    if rules.is_assessment(t.kind) and verb == rules.Verb.SIGNOFF:
        raise Refused(
            f"{t.label} is an assessment, signed off by its score: assess it (--score N) instead."
        )
    person = person_of(conn, actor)
    signed = t.signed
    fill = rules.fillable_parties(
        t.parties, signed, person, member_id=t.member_id, system_id=t.system_id, done_by=t.done_by
    )
    if party is not None:
        party = match_handle(party, t.parties) or party  # a party or a handle: LEAD is lead
        if party not in t.parties:
            listed = ", ".join(t.parties)
            raise BadInput(
                f"--as-party {party}: {party} is not a party of {t.label}; its parties are "
                f"{listed}."
            )
        if party in signed:
            raise Refused(
                f"{t.label} is signed as {party} already (by {signed[party]}): sign one of "
                "its missing parties instead."
            )
        if party in fill:
            return party
        raise Refused(_why_not(actor, person, verb, t, party, signed))
    if fill:
        return fill[0]
    missing = t.missing
    why = next(
        (
            _why_not(actor, person, verb, t, p, signed)
            for p in missing
            if rules.may_fill(p, person, t.member_id, t.system_id)
        ),
        f"Only {' or '.join(party_label(p) for p in missing)} may "
        f"{rules.verb_words(verb, t.label)} now (it waits on {', '.join(missing)}); "
        f"{you_are(actor)}.",
    )
    raise Refused(why)


def _why_not(
    actor: Actor,
    person: rules.Person,
    verb: str,
    t: InstanceRow,
    party: str,
    signed: dict[str, str],
) -> str:
    """Why this actor may not fill ``party`` of this item, as a sentence."""
    what = rules.verb_words(verb, t.label)
    conflict = rules.sign_conflict(
        party, person, member_id=t.member_id, done_by=t.done_by, signed_by=signed.values()
    )
    if not rules.may_fill(party, person, t.member_id, t.system_id) or conflict is None:
        return f"Only {party_label(party)} may {what} as {party}; {you_are(actor)}."
    return f"You may not {what} as {party}: {conflict}."


def check_score_given(verb: str, score: int | None) -> None:
    if verb == rules.Verb.ASSESS and score is None:
        raise BadInput("assess needs --score N: the score the assessment earned.")


def check_score(t: InstanceRow, score: int | None) -> None:
    """A score outside 1..scale is bad input (exit 2)."""
    if score is None:
        return
    problem = rules.score_problem(score, t.scale)
    if problem:
        raise BadInput(f"--score {score} does not fit {t.label}: {problem}.")


def write_signatures(
    conn: Connection,
    verb: str,
    instance_id: int,
    *,
    party: str | None,
    by: str,
    at: str,
    held: bool = True,
) -> None:
    """Keep the signature rows a verb leaves: signoff adds its party's; the verbs of
    rules.DROPS_SIGNATURES drop them all (``held``: the instance may hold some)."""
    if verb in rules.DROPS_SIGNATURES and held:
        conn.execute(delete(SIGNATURE).where(SIGNATURE.c.instance_id == instance_id))
    if verb == rules.Verb.SIGNOFF and party is not None:
        conn.execute(insert(SIGNATURE).values(instance_id=instance_id, party=party, by=by, at=at))


def drop_signatures(conn: Connection, instance_ids: list[int]) -> None:
    """Sync's reopening by a raised revision drops the signatures of those instances."""
    for i in range(0, len(instance_ids), 900):
        chunk = instance_ids[i : i + 900]
        conn.execute(delete(SIGNATURE).where(SIGNATURE.c.instance_id.in_(chunk)))
