"""The command line of owners and parties: signoff --as-party, reject, assess, queue;
exit codes 0 done, 1 refused, 2 bad input; user text shown as text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import two_sides
from tests.helpers import kt


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "two.db"
    r = kt(path, "sync", str(two_sides.write(tmp_path / "two")))
    assert r.exit_code == 0, r.output
    assert "party 'provider-lead' can be filled by 1 person" in r.output + r.stderr
    return path


def test_signoff_fills_parties_in_turn(db: Path) -> None:
    assert (
        kt(
            db, "done", "handoff/runbook", "--system", "api", "--evidence", "wiki", user="pete"
        ).exit_code
        == 0
    )
    bad = kt(
        db, "signoff", "handoff/runbook", "--system", "api", "--as-party", "nobody", user="lea"
    )
    assert (
        bad.exit_code == 2
        and "nobody is not a party of handoff/runbook --system api; its parties are "
        "provider-lead, client-lead."
        in bad.stderr
    )
    refused = kt(
        db,
        "signoff",
        "handoff/runbook",
        "--system",
        "api",
        "--as-party",
        "provider-lead",
        user="lea",
    )
    assert (
        refused.exit_code == 1
        and "Only a provider-side lead may sign off handoff/runbook --system api as provider-lead"
        in refused.stderr
    )
    # the bulk run says a partial signature as the single verb does (it said "set")
    first = kt(db, "signoff", "--where", "handoff/runbook system:api", "--yes", user="lea")
    assert first.exit_code == 0, first.output
    assert (
        "signoff: handoff/runbook --system api: signed as client-lead; waiting for provider-lead"
        in first.output
    )
    listed = kt(db, "list", "handoff", "--limit", "0", user="lea")
    assert "\t1 of 2 signed; missing provider-lead\t" in listed.output
    items = json.loads(kt(db, "list", "state:done", "--json").output)
    assert items[0]["signatures"][0]["party"] == "client-lead"
    waiting = json.loads(kt(db, "queue", "--json", user="pia").output)
    assert waiting[0]["missing"] == ["provider-lead"]
    last = kt(db, "signoff", "handoff/runbook", "--system", "api", user="pia")
    assert last.exit_code == 0 and "done -> signed_off" in last.output
    assert kt(db, "verify").exit_code == 0
    events = json.loads(kt(db, "log", "--json").output)
    assert [e["party"] for e in events if e["verb"] == "signoff"] == [
        "provider-lead",
        "client-lead",
    ]


def test_queue_lists_what_waits_for_you(db: Path) -> None:
    kt(db, "done", "handoff/walkthrough", "--system", "api", user="pete")
    kt(db, "done", "quiz/teachback", user="eve")
    mine = json.loads(kt(db, "queue", "--json", user="lea").output)
    assert {(i["ref"], i["member"]) for i in mine} == {
        ("handoff/walkthrough", None),
        ("quiz/teachback", "eve"),
    }
    assert json.loads(kt(db, "queue", "--json", user="pete").output) == []
    table = kt(db, "queue", user="eve")
    assert table.exit_code == 0 and "handoff/walkthrough" in table.output
    assert "nothing waits" in kt(db, "queue", user="pete").output


def test_reject_needs_a_reason_and_a_signer(db: Path) -> None:
    kt(db, "done", "handoff/walkthrough", "--system", "api", user="pete")
    missing = kt(db, "reject", "handoff/walkthrough", "--system", "api", user="eve")
    assert missing.exit_code == 2 and "--reason" in missing.stderr
    refused = kt(
        db, "reject", "handoff/walkthrough", "--system", "api", "--reason", "x", user="pete"
    )
    assert refused.exit_code == 1
    reason = "[red]no demo[/red] \x1b[2J"
    bad = kt(db, "reject", "handoff/walkthrough", "--system", "api", "--reason", reason, user="eve")
    assert bad.exit_code == 2 and "control character" in bad.stderr
    ok = kt(
        db,
        "reject",
        "handoff/walkthrough",
        "--system",
        "api",
        "--reason",
        "[red]no demo[/red]",
        user="eve",
    )
    assert ok.exit_code == 0 and "done -> todo" in ok.output
    shown = kt(db, "list", "walkthrough", "--limit", "0").output
    assert "\ttodo (sent back)\t" in shown
    items = json.loads(kt(db, "list", "walkthrough", "--json").output)
    assert items[0]["sent_back"] is True and items[0]["reason"] == "[red]no demo[/red]"


def test_assess_scores_and_exit_codes(db: Path) -> None:
    out_of_scale = kt(db, "assess", "quiz/teachback", "--member", "eve", "--score", "5", user="lea")
    assert (
        out_of_scale.exit_code == 2
        and "a score is a whole number from 1 to 4, not 5" in out_of_scale.stderr
    )
    no_score = kt(db, "assess", "quiz/teachback", "--member", "eve", user="lea")
    assert no_score.exit_code == 2
    self_assess = kt(db, "assess", "quiz/teachback", "--member", "eve", "--score", "4", user="eve")
    assert (
        self_assess.exit_code == 1
        and "and is not its member, may assess quiz/teachback --member eve" in self_assess.stderr
    )
    assert kt(db, "done", "quiz/teachback", user="eve").exit_code == 0  # "I am ready"
    failed = kt(db, "assess", "quiz/teachback", "--member", "eve", "--score", "2", user="lea")
    assert failed.exit_code == 0 and "score 2 is below the pass mark: done -> todo" in failed.output
    again = kt(db, "assess", "quiz/teachback", "--member", "eve", "--score", "1", user="lea")
    assert "score 1 is below the pass mark: stays todo" in again.output  # not a bare "set"
    passed = kt(db, "assess", "quiz/teachback", "--member", "eve", "--score", "3", user="lou")
    assert passed.exit_code == 0 and "score 3 passes: todo -> signed_off" in passed.output
    items = json.loads(kt(db, "list", "quiz", "member:eve", "--json").output)
    assert items[0]["score"] == 3
    assert "\t3/4 (pass 3)" in kt(db, "list", "quiz", "--limit", "0").output
    assert kt(db, "verify").exit_code == 0


def test_assess_needs_no_member_default_but_done_does(db: Path) -> None:
    # --member defaults to the actor for doing, not for assessing someone else
    ambiguous = kt(db, "assess", "quiz/teachback", "--score", "3", user="lea")
    assert ambiguous.exit_code == 2 and "candidates" in ambiguous.stderr
