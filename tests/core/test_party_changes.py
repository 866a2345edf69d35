"""A change of an item's sign-off parties in the folder, and the partly signed work it
meets: signed off when the parties left have all signed, signatures of dropped
parties gone, the plan naming both, verify replaying them; and every signoff event
judged against the parties it was signed with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select, update

from kt_tui.core import verify
from kt_tui.core.clock import Clock
from kt_tui.core.store import Store
from kt_tui.core.sync import describe, sync
from kt_tui.core.tables import EVENT, SIGNATURE
from tests import two_sides
from tests.core.test_parties import act, row


@pytest.fixture
def two(store: Store, tmp_path: Path, clock: Clock) -> Store:
    return two_sides.synced(store, tmp_path / "two", clock)


TWO_PARTIES = 'signoff = ["provider-lead", "client-lead"]'


def _resync(store: Store, tmp_path: Path, clock: Clock, parties: str, dry: bool = False):  # type: ignore[no-untyped-def]
    root = two_sides.write(tmp_path / "two")
    (root / "handoff.toml").write_text(
        two_sides.HANDOFF.replace(TWO_PARTIES, parties), encoding="utf-8"
    )
    return sync(store, root, actor="lea", login="lea", clock=clock, dry_run=dry)


def _partly_signed(two: Store, clock: Clock) -> None:
    act(two, clock, "pete", "done", "handoff/runbook", evidence="http://runbook")
    assert act(two, clock, "lea", "signoff", "handoff/runbook").after == "done"


def test_dropping_the_missing_party_signs_the_item_off(
    two: Store,
    clock: Clock,
    tmp_path: Path,
) -> None:
    _partly_signed(two, clock)  # client-lead signed, provider-lead missing
    dry = _resync(two, tmp_path, clock, 'signoff = ["client-lead"]', dry=True)
    lines = describe(dry.plan)
    assert any("1 signed off (the parties left have all signed)" in ln for ln in lines), lines
    assert row(two, "handoff/runbook", clock).state == "done"  # a dry run writes nothing

    result = _resync(two, tmp_path, clock, 'signoff = ["client-lead"]')
    assert result.applied
    r = row(two, "handoff/runbook", clock)
    assert (r.state, r.signed_off_by) == ("signed_off", "lea")
    assert r.signed_off_at == r.signatures[0].at  # when the last party left signed
    with two.read() as conn:
        assert verify.verify(conn).ok
        assert dict(conn.execute(select(SIGNATURE.c.party, SIGNATURE.c.by)).all()) == {
            "client-lead": "lea"
        }


def test_dropping_a_signed_party_drops_its_signature_and_waits_for_the_rest(
    two: Store,
    clock: Clock,
    tmp_path: Path,
) -> None:
    _partly_signed(two, clock)
    result = _resync(two, tmp_path, clock, 'signoff = ["provider-lead"]')
    assert any(
        "1 signature of parties no longer listed dropped" in ln for ln in describe(result.plan)
    )
    r = row(two, "handoff/runbook", clock)
    assert r.state == "done" and r.signatures == [] and r.missing == ["provider-lead"]
    # pia may fill it; lea, whose signature went, may not (she is no provider lead)
    assert act(two, clock, "pia", "signoff", "handoff/runbook").after == "signed_off"
    with two.read() as conn:
        assert verify.verify(conn).ok


def test_a_settled_instance_forged_back_is_caught_by_verify(
    two: Store,
    clock: Clock,
    tmp_path: Path,
) -> None:
    from kt_tui.core.tables import INSTANCE

    _partly_signed(two, clock)
    _resync(two, tmp_path, clock, 'signoff = ["client-lead"]')
    with two.write() as conn:
        conn.execute(update(INSTANCE).where(INSTANCE.c.state == "signed_off").values(state="done"))
    with two.read() as conn:
        result = verify.verify(conn)
    assert not result.ok and "state" in result.problem


def test_a_signoff_event_is_judged_by_the_parties_it_recorded(
    two: Store,
    clock: Clock,
) -> None:
    """An event that says signed_off while a party it recorded is missing cannot be
    one the rules wrote: verify names it (its hash is recomputed, as an editor with
    the chain's code could)."""
    from kt_tui.core.audit import event_hash, hashed_fields
    from kt_tui.core.tables import INSTANCE

    _partly_signed(two, clock)
    with two.write() as conn:
        ev = conn.execute(select(EVENT).where(EVENT.c.verb == "signoff")).mappings().one()
        assert json.loads(ev["detail"])["parties"] == ["provider-lead", "client-lead"]
        forged = dict(ev) | {"after": "signed_off"}
        conn.execute(
            update(EVENT)
            .where(EVENT.c.id == ev["id"])
            .values(after="signed_off", hash=event_hash(hashed_fields(forged)))
        )
        conn.execute(
            update(INSTANCE)
            .where(INSTANCE.c.id == ev["instance_id"])
            .values(state="signed_off", signed_off_by="lea", signed_off_at=ev["at"])
        )
    with two.read() as conn:
        result = verify.verify(conn)
    assert not result.ok
    assert "leads to 'signed_off', but with the parties provider-lead, client-lead" in (
        result.problem
    )


def test_a_lowered_revision_is_an_error_naming_the_file_and_key(
    two: Store, clock: Clock, tmp_path: Path
) -> None:
    """DESIGN: 'a lowered one is an error'. A reverted folder re-applied later would
    otherwise reopen work signed off at the higher revision."""
    from kt_tui.core.errors import ValidationFailed

    root = two_sides.write(tmp_path / "two")
    raised = two_sides.HANDOFF.replace('key = "walkthrough"', 'key = "walkthrough"\nrevision = 2')
    (root / "handoff.toml").write_text(raised, encoding="utf-8")
    assert sync(two, root, actor="lea", login="lea", clock=clock).applied
    with two.read() as conn:
        events = len(conn.execute(select(EVENT.c.id)).all())
    (root / "handoff.toml").write_text(two_sides.HANDOFF, encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        sync(two, root, actor="lea", login="lea", clock=clock)
    text = str(caught.value)
    assert "handoff.toml" in text and "items[1].revision" in text
    assert "lowered from 2 to 1" in text
    with two.read() as conn:
        assert len(conn.execute(select(EVENT.c.id)).all()) == events


def test_sync_warns_of_an_assessment_nobody_may_assess_and_a_gate_nobody_can_meet(
    store: Store, clock: Clock, tmp_path: Path
) -> None:
    """A member's assessment whose only party is the member themselves can never be
    scored; a min_ready above a system's client receivers can never be met: both said."""
    root = two_sides.write(tmp_path / "two")
    (root / "quiz.toml").write_text(
        two_sides.QUIZ.replace('signoff = ["lead"]', 'signoff = ["receiver"]'), encoding="utf-8"
    )
    team = (root / "team.toml").read_text(encoding="utf-8")
    (root / "team.toml").write_text(team.replace("tier = 1", "tier = 1\nmin_ready = 9"))
    warnings = sync(store, root, actor="lea", login="lea", clock=clock, dry_run=True).plan.warnings
    assert any(
        w.startswith("quiz/teachback: nobody may assess it") and "(receiver)" in w for w in warnings
    ), warnings
    assert "system api: min_ready 9 but only 3 client-side receivers" in " ".join(warnings)


def test_the_plan_says_what_changed_on_a_member_and_who_only_moved(
    two: Store, clock: Clock, tmp_path: Path
) -> None:
    """'member pete changed: side: provider -> client', not just his handle among
    others that only moved in the file."""
    from kt_tui.core.sync import describe

    root = two_sides.write(tmp_path / "two")
    team = (root / "team.toml").read_text(encoding="utf-8")
    pete = team.index('[[members]]\nhandle = "pete"')
    systems = team.index("[[systems]]")
    block = team[pete:systems].replace('side = "provider"\n', "")
    team = team[:pete] + team[systems:]  # pete moves up: cal, eve... shift
    lea = team.index("[[members]]")
    (root / "team.toml").write_text(team[:lea] + block + team[lea:], encoding="utf-8")
    lines = describe(sync(two, root, actor="lea", login="lea", clock=clock, dry_run=True).plan)
    assert "member pete changed: side: provider -> client; order" not in lines
    assert any(ln.startswith("member pete changed: side: provider -> client") for ln in lines)
    assert any(ln.startswith("members reordered: ") and "lea" in ln for ln in lines), lines


def test_raising_pass_reopens_signed_off_scores_below_it(
    two: Store, clock: Clock, tmp_path: Path
) -> None:
    """A 3 that passed at pass 3 no longer passes at pass 4: the assessment goes back to
    todo (as a raised revision would send it), the plan counts it, verify replays it, and
    the figures never count it complete while competency marks it below the pass."""
    act(two, clock, "eve", "done", "quiz/teachback", member="eve", system=None)
    act(two, clock, "lea", "assess", "quiz/teachback", member="eve", system=None, score=3)
    act(two, clock, "cal", "done", "quiz/teachback", member="cal", system=None)
    act(two, clock, "lea", "assess", "quiz/teachback", member="cal", system=None, score=4)
    root = two_sides.write(tmp_path / "two")
    (root / "quiz.toml").write_text(two_sides.QUIZ.replace("pass = 3", "pass = 4"))
    dry = sync(two, root, actor="lea", login="lea", clock=clock, dry_run=True)
    assert any("1 reopened: scored below the raised pass mark" in ln for ln in describe(dry.plan))
    assert sync(two, root, actor="lea", login="lea", clock=clock).applied
    eve = row(two, "quiz/teachback", clock, member="eve", system=None)  # type: ignore[arg-type]
    cal = row(two, "quiz/teachback", clock, member="cal", system=None)  # type: ignore[arg-type]
    assert (eve.state, eve.score, cal.state, cal.score) == ("todo", None, "signed_off", 4)
    with two.read() as conn:
        assert verify.verify(conn).ok
