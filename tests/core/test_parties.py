"""Owners and sign-off parties, through the verbs: who may do, sign, reject; partial
sign-offs, signatures, sent back; each rule allowed and refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from kt_tui.core import actions, verify
from kt_tui.core.clock import Clock
from kt_tui.core.errors import BadInput, Refused
from kt_tui.core.instances import get_instance
from kt_tui.core.service import Service
from kt_tui.core.store import Store
from kt_tui.core.tables import EVENT, SIGNATURE
from tests import two_sides
from tests.conftest import actor_of


@pytest.fixture
def two(store: Store, tmp_path: Path, clock: Clock) -> Store:
    return two_sides.synced(store, tmp_path / "two", clock)


def iid(store: Store, ref: str, member: str | None = None, system: str | None = None) -> int:
    with store.read() as conn:
        return actions.resolve_ref(conn, ref, actor_of(store, "lea"), member, system, verb="x")


def act(store: Store, clock: Clock, who: str, verb: str, ref: str, **kw: object) -> actions.Outcome:
    member = kw.pop("member", None)
    system = kw.pop("system", "api" if ref.startswith("handoff") else None)
    target = iid(store, ref, member, system)  # type: ignore[arg-type]
    return actions.act(store, actor_of(store, who), verb, target, clock=clock, **kw)  # type: ignore[arg-type]


def refused(
    store: Store, clock: Clock, who: str, verb: str, ref: str, match: str, **kw: object
) -> None:
    with store.read() as conn:
        before = len(conn.execute(select(EVENT.c.id)).all())
    with pytest.raises(Refused, match=match):
        act(store, clock, who, verb, ref, **kw)
    with store.read() as conn:
        assert len(conn.execute(select(EVENT.c.id)).all()) == before


def row(store: Store, ref: str, clock: Clock, **kw: str):  # type: ignore[no-untyped-def]
    with store.read() as conn:
        r = get_instance(
            conn, iid(store, ref, kw.get("member"), kw.get("system", "api")), clock.today()
        )
    assert r is not None
    return r


def test_provider_owned_items_are_done_by_the_provider_side(two: Store, clock: Clock) -> None:
    refused(
        two,
        clock,
        "eve",
        "done",
        "handoff/walkthrough",
        r"Only a provider-side member who has api \(or a lead\) may mark",
    )
    assert act(two, clock, "pete", "done", "handoff/walkthrough").after == "done"
    act(two, clock, "pete", "undo", "handoff/walkthrough")
    act(two, clock, "lou", "done", "handoff/walkthrough")  # a lead may do every item


def test_two_parties_sign_in_turn_and_only_then_it_is_signed_off(two: Store, clock: Clock) -> None:
    act(two, clock, "pete", "done", "handoff/runbook", evidence="http://runbook")
    first = act(two, clock, "lea", "signoff", "handoff/runbook")
    assert (first.after, first.party, first.missing) == ("done", "client-lead", ("provider-lead",))
    r = row(two, "handoff/runbook", clock)
    assert r.signing == "1 of 2 signed; missing provider-lead" and r.signed_off_by is None
    # a client lead cannot fill the provider lead's party; one person fills one party
    refused(two, clock, "lou", "signoff", "handoff/runbook", r"now \(it waits on")
    refused(
        two,
        clock,
        "lea",
        "signoff",
        "handoff/runbook",
        r"is signed as client-lead already \(by lea\)",
        party="client-lead",
    )
    last = act(two, clock, "pia", "signoff", "handoff/runbook")
    assert (last.after, last.party) == ("signed_off", "provider-lead")
    r = row(two, "handoff/runbook", clock)
    assert r.signed_off_by == "pia" and [s.party for s in r.signatures] == [
        "client-lead",
        "provider-lead",
    ]
    with two.read() as conn:
        parties = [
            e.party for e in conn.execute(select(EVENT.c.party).where(EVENT.c.verb == "signoff"))
        ]
        assert parties == ["client-lead", "provider-lead"]
        assert verify.verify(conn).ok


def test_as_party_must_be_a_party_and_one_the_signer_may_fill(two: Store, clock: Clock) -> None:
    act(two, clock, "pete", "done", "handoff/runbook", evidence="x")
    parties = r"receiver is not a party of .*; its parties are provider-lead, client-lead"
    with pytest.raises(BadInput, match=parties):
        act(two, clock, "lea", "signoff", "handoff/runbook", party="receiver")
    refused(
        two,
        clock,
        "lea",
        "signoff",
        "handoff/runbook",
        "Only a provider-side lead may sign off handoff/runbook --system api as provider-lead",
        party="provider-lead",
    )
    assert (
        act(two, clock, "pia", "signoff", "handoff/runbook", party="provider-lead").party
        == "provider-lead"
    )


def test_receiver_party_of_a_system_item_is_a_client_member_with_the_system(
    two: Store, clock: Clock
) -> None:
    act(two, clock, "pete", "done", "handoff/walkthrough")
    refused(two, clock, "pete", "signoff", "handoff/walkthrough", r"now \(it waits on")
    out = act(two, clock, "eve", "signoff", "handoff/walkthrough")
    assert out.party == "receiver" and out.after == "done"
    # eve has signed: she may fill no second party; cal's receiver party is filled
    refused(two, clock, "cal", "signoff", "handoff/walkthrough", r"now \(it waits on")
    assert act(two, clock, "lou", "signoff", "handoff/walkthrough").after == "signed_off"


def test_nobody_signs_what_they_marked_done(two: Store, clock: Clock) -> None:
    act(two, clock, "lea", "done", "handoff/walkthrough")
    refused(two, clock, "lea", "signoff", "handoff/walkthrough", "you marked it done", party="lead")


def test_undo_reopen_reject_and_evidence_drop_signatures(two: Store, clock: Clock) -> None:
    def signatures() -> int:
        with two.read() as conn:
            return len(conn.execute(select(SIGNATURE.c.party)).all())

    act(two, clock, "pete", "done", "handoff/runbook", evidence="v1")
    act(two, clock, "lea", "signoff", "handoff/runbook")
    assert signatures() == 1
    act(two, clock, "pete", "evidence", "handoff/runbook", text="v2")  # what was signed changed
    assert signatures() == 0
    act(two, clock, "lea", "signoff", "handoff/runbook")
    act(two, clock, "pete", "undo", "handoff/runbook")
    assert signatures() == 0
    act(two, clock, "pete", "done", "handoff/runbook")
    act(two, clock, "lea", "signoff", "handoff/runbook")
    act(two, clock, "pia", "signoff", "handoff/runbook")
    assert signatures() == 2
    act(two, clock, "lou", "reopen", "handoff/runbook")
    assert signatures() == 0
    with two.read() as conn:
        assert verify.verify(conn).ok


def test_reject_sends_back_until_done_again(two: Store, clock: Clock) -> None:
    act(two, clock, "pete", "done", "handoff/runbook", evidence="x")
    act(two, clock, "lea", "signoff", "handoff/runbook")
    # rejecting needs someone who could sign a missing party: not pete, not lou now
    refused(two, clock, "pete", "reject", "handoff/runbook", r"now \(it waits on", reason="r")
    refused(two, clock, "lou", "reject", "handoff/runbook", r"now \(it waits on", reason="r")
    with pytest.raises(BadInput, match="needs --reason"):
        act(two, clock, "pia", "reject", "handoff/runbook")
    out = act(two, clock, "pia", "reject", "handoff/runbook", reason="section 3 is empty")
    assert (out.before, out.after) == ("done", "todo")
    r = row(two, "handoff/runbook", clock)
    assert r.sent_back and r.state_label == "todo (sent back)" and r.reason == "section 3 is empty"
    assert r.signatures == [] and r.done_by is None
    refused(two, clock, "pia", "reject", "handoff/runbook", "Wrong state: ", reason="again")
    act(two, clock, "pete", "done", "handoff/runbook")
    assert not row(two, "handoff/runbook", clock).sent_back
    with two.read() as conn:
        assert verify.verify(conn).ok


def test_mine_is_the_owner_rule(two: Store, clock: Clock) -> None:
    for who, mine in (
        ("pete", {"handoff/runbook", "handoff/walkthrough"}),
        ("eve", {"quiz/teachback"}),
        # a lead may do every item, but "mine" is what the owner rule gives them: lou
        # owns none of these (a bulk "done --where mine" must not do others' work)
        ("lou", set()),
    ):
        svc = Service(two, actor_of(two, who), clock)
        rows, _n = svc.listing("mine", None)
        assert {r.ref for r in rows} == mine, who


def test_queue_is_what_each_person_may_sign_now(two: Store, clock: Clock) -> None:
    def queue(who: str) -> list[tuple[str, str | None]]:
        return [(r.ref, r.member) for r in Service(two, actor_of(two, who), clock).queue()]

    act(two, clock, "pete", "done", "handoff/runbook", evidence="x")
    act(two, clock, "pete", "done", "handoff/walkthrough")
    act(two, clock, "eve", "done", "quiz/teachback", member="eve")
    assert queue("pete") == []  # his own work
    assert queue("eve") == [("handoff/walkthrough", None)]  # receiver; not her own quiz
    assert queue("cal") == [("handoff/walkthrough", None)]  # a lead assesses the quiz
    assert set(queue("lea")) == {
        ("handoff/runbook", None),
        ("handoff/walkthrough", None),
        ("quiz/teachback", "eve"),
    }
    act(two, clock, "lea", "signoff", "handoff/runbook")
    assert ("handoff/runbook", None) not in queue("lea") and ("handoff/runbook", None) not in queue(
        "lou"
    )
    assert ("handoff/runbook", None) in queue("pia")
    result = Service(two, actor_of(two, "pia"), clock).sign_off(
        [iid(two, "handoff/runbook", None, "api")]
    )
    assert result.done and not result.refused


def test_a_note_is_open_to_those_who_do_or_sign(two: Store, clock: Clock) -> None:
    act(
        two, clock, "eve", "note", "handoff/walkthrough", text="booked for Tuesday"
    )  # a receiver signs it
    act(two, clock, "pete", "note", "handoff/runbook", text="draft in review")  # he does it
    refused(
        two,
        clock,
        "cal",
        "note",
        "quiz/teachback",
        "Only someone who does or signs it may leave a note on quiz/teachback",
        member="eve",
        text="hi",
    )


def test_one_person_fills_at_most_one_party(two: Store, clock: Clock) -> None:
    act(two, clock, "pete", "done", "handoff/walkthrough")
    # lea is both a client member with the system (receiver) and a lead: the first listed
    assert act(two, clock, "lea", "signoff", "handoff/walkthrough").party == "receiver"
    refused(two, clock, "lea", "signoff", "handoff/walkthrough", "signed it already", party="lead")


def test_a_raised_revision_drops_signatures_and_scores(
    two: Store, clock: Clock, tmp_path: Path
) -> None:
    from kt_tui.core.sync import sync

    act(two, clock, "pete", "done", "handoff/runbook", evidence="x")
    act(two, clock, "lea", "signoff", "handoff/runbook")
    act(two, clock, "lea", "assess", "quiz/teachback", member="eve", score=4)
    root = two_sides.write(tmp_path / "two")
    (root / "handoff.toml").write_text(
        two_sides.HANDOFF.replace('key = "runbook"', 'key = "runbook"\nrevision = 2'),
        encoding="utf-8",
    )
    (root / "quiz.toml").write_text(
        two_sides.QUIZ.replace("pass = 3", "pass = 3\nrevision = 2"), encoding="utf-8"
    )
    result = sync(two, root, actor="lea", login="lea", clock=clock)
    assert result.applied
    r = row(two, "handoff/runbook", clock)
    assert r.state == "todo" and r.signatures == []
    quiz = row(two, "quiz/teachback", clock, member="eve", system=None)  # type: ignore[arg-type]
    assert quiz.state == "todo" and quiz.score is None
    with two.read() as conn:
        assert conn.execute(select(SIGNATURE.c.party)).all() == []
        assert verify.verify(conn).ok


def test_sync_warns_of_parties_few_can_fill(two: Store, clock: Clock, tmp_path: Path) -> None:
    from kt_tui.core.sync import sync

    plan = sync(two, two_sides.write(tmp_path / "two"), actor="lea", login="lea", dry_run=True).plan
    assert (
        "handoff/runbook: when pia marks it done (--system api), nobody else may sign it as "
        "provider-lead (let pete do it)" in plan.warnings
    )
    assert any(
        "handoff/runbook: party 'provider-lead' can be filled by 1 person" in w
        for w in plan.warnings
    )
    # client-lead: lea and lou; lead: three leads; a handover-wide receiver: every client member
    assert not any("'client-lead'" in w or "'lead'" in w for w in plan.warnings)


@pytest.mark.parametrize(
    ("verb", "setup", "kw"),
    [
        ("done", [], {}),
        ("undo", [("pete", "done", {})], {}),
        ("block", [], {"reason": "waits on VPN"}),
        ("unblock", [("pete", "block", {"reason": "VPN"})], {}),
        ("evidence", [], {"text": "wiki/walk"}),
    ],
)
def test_every_doing_verb_follows_the_owner(
    two: Store,
    clock: Clock,
    verb: str,
    setup: list[tuple[str, str, dict[str, str]]],
    kw: dict[str, str],
) -> None:
    for who, v, extra in setup:
        act(two, clock, who, v, "handoff/walkthrough", **extra)
    refused(
        two,
        clock,
        "eve",
        verb,
        "handoff/walkthrough",
        r"Only a provider-side member who has api \(or a lead\) may",
        **kw,
    )
    act(two, clock, "pete", verb, "handoff/walkthrough", **kw)


def test_awaiting_counts_a_partly_signed_item_until_its_last_party(
    two: Store, clock: Clock
) -> None:
    def awaiting() -> int:
        return Service(two, actor_of(two, "lea"), clock).require_status().overall.awaiting

    act(two, clock, "pete", "done", "handoff/runbook", evidence="x")
    assert awaiting() == 1
    act(two, clock, "lea", "signoff", "handoff/runbook")
    assert awaiting() == 1  # partly signed: still awaiting
    act(two, clock, "pia", "signoff", "handoff/runbook")
    assert awaiting() == 0
    with two.read() as conn:
        assert verify.verify(conn).ok  # the counters agree with a recount


def test_a_change_of_side_takes_effect_at_the_next_write(
    two: Store, clock: Clock, tmp_path: Path
) -> None:
    from kt_tui.core.sync import sync

    pete = actor_of(two, "pete")  # resolved while he is on the provider side
    root = two_sides.write(tmp_path / "two")
    team = two_sides.TEAM.replace(
        'name = "Pete Provider"\nrole = "engineer"\nside = "provider"',
        'name = "Pete Provider"\nrole = "engineer"\nside = "client"',
    )
    assert team != two_sides.TEAM
    (root / "team.toml").write_text(team, encoding="utf-8")
    sync(two, root, actor="lea", login="lea", clock=clock)
    target = iid(two, "handoff/walkthrough", None, "api")
    with pytest.raises(Refused, match=r"Only a provider-side member who has api \(or a lead\) may"):
        actions.act(two, pete, "done", target, clock=clock)


def test_changes_since_count_a_sign_off_once_it_is_whole(two: Store, clock: Clock) -> None:
    from datetime import date

    from kt_tui.core.changes import changes_since

    act(two, clock, "pete", "done", "handoff/runbook", evidence="http://runbook")
    act(two, clock, "lea", "signoff", "handoff/runbook")  # one of two parties
    with two.read() as conn:
        ch = changes_since(conn, date(2000, 1, 1))
    assert ch.signed_off == [] and ch.completed == []  # partly signed: neither yet
    act(two, clock, "pia", "signoff", "handoff/runbook")
    with two.read() as conn:
        ch = changes_since(conn, date(2000, 1, 1))
    assert [(c.actor, c.after) for c in ch.signed_off] == [("pia", "signed_off")]
    assert [c.actor for c in ch.completed] == ["pia"]
