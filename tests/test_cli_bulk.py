"""Bulk verbs (--where FILTER) and attendance (attend --members), from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kt_tui import cli_bulk
from kt_tui.cli import cli
from tests.helpers import TEAM, synced_tiny, write_tiny

IAN = '\n[[members]]\nhandle = "ian"\nname = "Ian Engineer"\nrole = "engineer"\nsystems = ["db"]\n'
COURSE = """\
[template]
key = "course"
title = "Course"
kind = "training"
scope = "member"
signoff = false

[[items]]
key = "intro"
title = "Intro <b>[bold]x[/bold]</b>"
sessions = [
  { at = 2026-12-01T09:00:00, minutes = 90, trainer = "eve", location = "Room 4" },
  { at = 2026-12-02T09:00:00, minutes = 60, trainer = "Priya N", location = "[red]Hall[/red]" },
]
"""


def run(db: str, *args: str, user: str | None = None, stdin: str | None = None) -> Result:
    env = {"KT_USER": user} if user else {}
    return CliRunner().invoke(cli, ["--db", db, *args], env=env, input=stdin)


@pytest.fixture
def db(tmp_path: Path, db_url: str) -> str:
    root = write_tiny(tmp_path / "tiny", team=TEAM + IAN, course=COURSE)
    r = run(db_url, "sync", str(root))
    assert r.exit_code == 0, r.output
    return db_url


def events(db: str) -> list[dict[str, object]]:
    r = run(db, "log", "--json", "--limit", "1000")
    return list(reversed(json.loads(r.output)))


def test_bulk_applies_to_every_match_one_event_each(db: str) -> None:
    before = len(events(db))
    r = run(db, "done", "--where", "template:onboard", "--note", "ok", user="lea")
    assert r.exit_code == 0, r.output
    assert "done: 4 applied, 0 refused" in r.stdout
    assert "done: onboard/access --member eve: todo -> done" in r.stdout
    new = events(db)[before:]
    assert len(new) == 4 and {e["verb"] for e in new} == {"done"}
    assert run(db, "verify").exit_code == 0


def test_bulk_lists_refusals_and_exits_1(db: str) -> None:
    r = run(db, "done", "--where", "template:onboard", user="eve")
    assert r.exit_code == 1
    assert "done: onboard/access --member eve: todo -> done" in r.stdout
    assert "done: 1 applied, 3 refused" in r.stdout
    # one reason, said once, then the items it refused
    assert r.stderr == (
        "refused, 3 items: Only its receiver (or a lead) may mark it done; you are eve, an "
        "engineer on the client side.\n"
        "  onboard/access --member lea\n  onboard/access --member lou\n"
        "  onboard/access --member ian\n"
    )
    # wrong state is a refusal too, and leaves the others alone
    r = run(db, "na", "--where", "template:onboard", "--reason", "n/a here", user="lea")
    assert r.exit_code == 0 and "na: 4 applied" in r.stdout
    r = run(db, "unblock", "--where", "template:onboard", user="lea")
    assert r.exit_code == 1 and "4 refused" in r.stdout and "Wrong state: " in r.stderr


@pytest.mark.parametrize("where", ["state:nonsense", "bogus:1", "nothing-matches-this"])
def test_bulk_with_a_malformed_or_empty_filter_exits_2(db: str, where: str) -> None:
    before = len(events(db))
    r = run(db, "done", "--where", where, user="lea")
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert len(events(db)) == before


def test_bulk_on_a_misspelt_name_says_the_closest(db: str) -> None:
    """As list does: a system that does not exist is named, with the closest one."""
    r = run(db, "done", "--where", "system:apj", user="lea")
    assert r.exit_code == 2 and "no system is called 'apj' (did you mean api?)" in r.stderr


def test_bulk_needs_the_reason_and_takes_no_ref(db: str) -> None:
    assert run(db, "block", "--where", "template:onboard", user="lea").exit_code == 2
    r = run(db, "done", "onboard/access", "--where", "template:onboard", user="lea")
    assert r.exit_code == 2 and "--where picks the items" in r.output


def test_bulk_text_verbs(db: str) -> None:
    r = run(db, "note", "--where", "template:onboard", "see the wiki", user="lea")
    assert r.exit_code == 0 and "note: 4 applied" in r.stdout
    rows = json.loads(run(db, "list", "template:onboard", "--json").output)
    assert {row["note"] for row in rows} == {"see the wiki"}
    assert run(db, "evidence", "--where", "template:onboard", user="lea").exit_code == 2


def test_bulk_asks_in_a_terminal_unless_yes(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    before = len(events(db))
    monkeypatch.setattr(cli_bulk, "can_answer", lambda: True)
    r = run(db, "done", "--where", "template:onboard", user="lea", stdin="n\n")
    assert "done: 4 item(s) match 'template:onboard'; apply?" in r.output
    assert r.exit_code == 1 and len(events(db)) == before  # declined: nothing written
    r = run(db, "done", "--where", "template:onboard", "--yes", user="lea")
    assert r.exit_code == 0 and "apply?" not in r.output
    assert len(events(db)) == before + 4


@pytest.mark.slow
def test_bulk_asks_a_person_at_a_terminal_even_when_its_output_is_piped(tmp_path: Path) -> None:
    """stdin and stderr on a terminal, stdout a pipe (``... | tee log``): the question is
    asked on stderr and a 'n' declines (keyed on stdout, it applied all without asking)."""
    import os
    import pty
    import select
    import subprocess
    import sys

    db = str(synced_tiny(tmp_path))  # one store: the question is the command line's
    leader, follower = pty.openpty()
    root = str(Path(__file__).resolve().parent.parent)
    before = len(events(db))
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "kt_tui", "--db", db, "done", "--where", "template:onboard"],
            stdin=follower,
            stderr=follower,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": root, "KT_USER": "lea"},
        )
        os.close(follower)
        asked = b""
        while b"apply?" not in asked and select.select([leader], [], [], 30)[0]:
            try:
                asked += os.read(leader, 1024)
            except OSError:  # the child closed the terminal: it did not ask
                break
        os.write(leader, b"n\n")
        out, _ = child.communicate(timeout=60)
    finally:
        os.close(leader)
    assert b"done: 3 item(s) match 'template:onboard'; apply?" in asked
    assert child.returncode == 1 and b"applied" not in out
    assert len(events(db)) == before  # declined: nothing written


@pytest.mark.slow
def test_bulk_typed_at_a_terminal_with_stderr_elsewhere_needs_yes(tmp_path: Path) -> None:
    """stdin a terminal, stderr a file (``2>log``): the question could not be seen, so
    the run is refused without --yes (it applied without asking)."""
    import os
    import pty
    import subprocess
    import sys

    db = str(synced_tiny(tmp_path))
    leader, follower = pty.openpty()
    root = str(Path(__file__).resolve().parent.parent)
    before = len(events(db))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "kt_tui", "--db", db, "done", "--where", "template:onboard"],
            stdin=follower,
            capture_output=True,
            env={**os.environ, "PYTHONPATH": root, "KT_USER": "lea"},
            timeout=60,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 2, done.stderr
    assert b"the question could not be seen: add --yes" in done.stderr
    assert len(events(db)) == before


def test_bulk_asks_nothing_without_a_terminal(db: str) -> None:
    r = run(db, "done", "--where", "template:onboard", user="lea")  # CliRunner: no terminal
    assert r.exit_code == 0 and "apply?" not in r.output


# --- attendance ---------------------------------------------------------------------


def test_trainer_on_the_roster_marks_others_attendance(db: str) -> None:
    r = run(db, "attend", "course/intro", "--members", "ian,lou", user="eve")
    assert r.exit_code == 0, r.output
    assert "attend: course/intro --member ian: todo -> done" in r.stdout
    assert "attend: 2 applied, 0 refused" in r.stdout
    assert run(db, "verify").exit_code == 0


def test_another_engineer_marks_only_their_own(db: str) -> None:
    r = run(db, "attend", "course/intro", "--members", "ian,eve", user="ian")
    assert r.exit_code == 1
    assert "attend: course/intro --member ian: todo -> done" in r.stdout
    assert (
        "refused: course/intro --member eve: Only its member, a trainer of its session on "
        "the roster, or a lead may mark the attendance of course/intro --member eve; you are "
        "ian, an engineer on the client side." in r.stderr
    )
    # the trainer rule is for attendance only: the generic verb stays the owner's
    r = run(db, "done", "course/intro", "--member", "lou", user="eve")
    assert r.exit_code == 1


def test_lead_marks_anyone_and_default_is_yourself(db: str) -> None:
    assert run(db, "attend", "course/intro", "--members", "eve", user="lou").exit_code == 0
    r = run(db, "attend", "course/intro", user="ian")
    assert r.exit_code == 0 and "--member ian: todo -> done" in r.stdout


def test_unknown_handle_exits_2_with_the_closest(db: str) -> None:
    before = len(events(db))
    r = run(db, "attend", "course/intro", "--members", "ian,iam", user="lea")
    assert (
        r.exit_code == 2
        and "--members iam: no member is called that (did you mean ian?)" in r.stderr
    )
    assert len(events(db)) == before  # nothing written, ian's included


def test_sessions_lists_every_part_with_location(db: str) -> None:
    run(db, "attend", "course/intro", "--members", "ian", user="eve")
    data = json.loads(run(db, "sessions", "--json").output)
    assert [(s["part"], s["parts"], s["location"], s["trainer"]) for s in data] == [
        (1, 2, "Room 4", "eve"),
        (2, 2, "[red]Hall[/red]", "Priya N"),
    ]
    assert {(s["attended"], s["attendees"]) for s in data} == {(1, 4)}
    # an attendee whose item is n/a is not expected (it said 1/4 after one was n/a)
    na = run(db, "na", "course/intro", "--member", "lou", "--reason", "on leave", user="lea")
    assert na.exit_code == 0, na.output
    data = json.loads(run(db, "sessions", "--json").output)
    assert {(s["attended"], s["expected"], s["attendees"]) for s in data} == {(1, 3, 4)}
    assert "attended 1/3" in run(db, "sessions").stdout
    text = run(db, "sessions").stdout
    assert "course/intro (part 2 of 2)  60 min  trainer Priya N  at [red]Hall[/red]" in text


def test_bulk_text_is_data(db: str) -> None:
    before = len(events(db))
    r = run(db, "note", "--where", "template:onboard", "bad \x1b[31m", user="lea")
    assert r.exit_code == 2 and "control character" in r.stderr
    assert len(events(db)) == before  # refused before any write
    r = run(db, "note", "--where", "template:onboard", "[bold]x[/bold]", user="lea")
    assert r.exit_code == 0
    rows = json.loads(run(db, "list", "template:onboard", "--json").output)
    assert {row["note"] for row in rows} == {"[bold]x[/bold]"}


QUIZZES = """\
[template]
key = "quiz"
title = "Quizzes"
kind = "assessment"
scope = "member"
members = ["eve"]

[[items]]
key = "four"
title = "Scored out of four"
pass = 3

[[items]]
key = "ten"
title = "Scored out of ten"
pass = 5
scale = 10
"""


def test_bulk_assess_lists_a_score_that_does_not_fit_one_item_and_scores_the_rest(
    tmp_path: Path, db_url: str
) -> None:
    """--score 7 fits the ten-point quiz, not the four-point one: that one is listed as
    refused with why, the other assessed (the run does not stop at the first)."""
    root = write_tiny(tmp_path / "quiz", quiz=QUIZZES)
    assert run(db_url, "sync", str(root)).exit_code == 0
    assert run(db_url, "done", "--where", "template:quiz", user="eve").exit_code == 0
    r = run(db_url, "assess", "--where", "template:quiz", "--score", "7", user="lea")
    assert r.exit_code == 1, r.output
    assert "assess: 1 applied, 1 refused" in r.stdout
    assert "quiz/four --member eve" in r.stderr and "1 to 4" in r.stderr
    rows = {
        row["ref"]: row for row in json.loads(run(db_url, "list", "template:quiz", "--json").output)
    }
    assert rows["quiz/ten"]["score"] == 7 and rows["quiz/ten"]["state"] == "signed_off"
    assert rows["quiz/four"]["score"] is None and rows["quiz/four"]["state"] == "done"
    # a score no scale takes is bad input once (exit 2), not a refusal per item
    zero = run(db_url, "assess", "--where", "template:quiz", "--score", "0", user="lea")
    assert zero.exit_code == 2 and "a score is 1 or more" in zero.stderr, zero.output


def test_an_item_gone_mid_run_is_its_refusal_and_the_rest_are_done(db: str) -> None:
    """What an item raises in the loop is that item's (bad input was judged before the
    first write): an id gone since the list was read no longer stops the run and hides
    the items already done."""
    from kt_tui.core.service import open_service

    service = open_service(db, "lea", fill_sample=False).service
    try:
        rows = service.matching("template:onboard")
        ids = [rows[0].id, 999_999, rows[1].id]
        result = service.bulk("done", ids, note="ok")
        assert len(result.done) == 2
        gone = "There is no item instance #999999: reload, it may be gone."
        assert result.grouped_refusals() == [(gone, [("#999999", gone)])]
    finally:
        service.store.dispose()
    done = json.loads(run(db, "list", "template:onboard", "state:done", "--json").output)
    assert {row["id"] for row in done} == {rows[0].id, rows[1].id}


def test_a_store_failure_mid_run_stops_it_and_still_says_what_was_done(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lock that outlasts the wait, mid-run: the rest is not tried (each would wait as
    long) and the items done before it are still said (the queue's sign-off hid them)."""
    from kt_tui.core.errors import StoreError
    from kt_tui.core.service import Service, open_service

    service = open_service(db, "lea", fill_sample=False).service
    real = Service.act
    calls = 0

    def flaky(self: Service, verb: str, iid: int, **kw: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise StoreError("database is locked")
        return real(self, verb, iid, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Service, "act", flaky)
    try:
        ids = [r.id for r in service.matching("template:onboard")]
        result = service.bulk("done", ids, note="ok")
    finally:
        service.store.dispose()
    assert len(result.done) == 1 and calls == 2
    [(why, items)] = result.grouped_refusals()
    assert why == "not done: the store failed (database is locked)" and len(items) == len(ids) - 1


def test_refusals_group_by_reason_with_only_the_whole_label_said_it() -> None:
    from kt_tui.present import group_refusals

    label = {1: "gate/cutover", 2: "gate/hypercare", 3: "kt/read --member lea",
             4: "kt/read --member leah"}  # fmt: skip
    refused = [
        (1, "gate/cutover waits on gate/cutover-plan: todo"),
        (2, "gate/hypercare waits on gate/hypercare-plan: todo"),
        (3, "Only a lead may reopen kt/read --member lea; you are eve."),
        (4, "Only a lead may reopen kt/read --member leah; you are eve."),
        (5, "There is no item instance #5: reload, it may be gone."),
    ]
    label[5] = "#5"  # gone meanwhile: known by its id, its reason kept whole
    assert group_refusals((label[i], why) for i, why in refused) == [
        ("It waits on gate/cutover-plan: todo", [("gate/cutover", refused[0][1])]),
        ("It waits on gate/hypercare-plan: todo", [("gate/hypercare", refused[1][1])]),
        (
            "Only a lead may reopen it; you are eve.",
            [("kt/read --member lea", refused[2][1]), ("kt/read --member leah", refused[3][1])],
        ),
        (refused[4][1], [("#5", refused[4][1])]),
    ]
