"""A handle typed in another case is the member it names, wherever a handle is typed
(--as, --member, attend's --members, the filter word member:, --as-party); one that
names nobody exits 2 and says what is closest, as --member always did."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kt_tui.paths import sample_dir
from tests.helpers import kt, synced_tiny


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return synced_tiny(tmp_path)


def test_log_member_in_another_case_is_that_members_log(tiny: Path) -> None:
    assert kt(tiny, "done", "onboard/access", user="eve").exit_code == 0
    lower = kt(tiny, "log", "--member", "eve", "--json")
    upper = kt(tiny, "log", "--member", "EVE", "--json")
    assert upper.exit_code == 0, upper.output
    assert json.loads(upper.stdout) == json.loads(lower.stdout) != []


def test_the_filter_word_member_matches_in_any_case(tiny: Path) -> None:
    lower = kt(tiny, "list", "member:eve", "--json")
    for typed in ("member:EVE", "member:Eve", "MEMBER:eVe"):
        r = kt(tiny, "list", typed, "--json")
        assert r.exit_code == 0 and r.stderr == "", (typed, r.stderr)
        assert json.loads(r.stdout) == json.loads(lower.stdout) != []
    streamed = kt(tiny, "list", "member:EVE", "--limit", "0")  # the SQL-made listing too
    assert streamed.stdout == kt(tiny, "list", "member:eve", "--limit", "0").stdout


def test_a_verb_where_filter_names_a_member_in_any_case(tiny: Path) -> None:
    r = kt(tiny, "note", "--where", "member:EVE template:onboard", "seen", "--yes", user="lea")
    assert r.exit_code == 0, r.output
    assert "note: onboard/access --member eve: set" in r.stdout


def test_verbs_take_member_in_any_case(tiny: Path) -> None:
    r = kt(tiny, "done", "onboard/access", "--member", "EVE", user="lea")
    assert r.exit_code == 0, r.output
    assert "todo -> done" in r.stdout
    r = kt(tiny, "na", "kt/read", "--member", "Eve", "--system", "api", "--reason", "x", user="lea")
    assert r.exit_code == 0, r.output
    listed = json.loads(kt(tiny, "list", "member:eve", "--json").stdout)
    states = {(i["ref"], i["system"]): i["state"] for i in listed}
    assert states[("onboard/access", None)] == "done"
    assert states[("kt/read", "api")] == "na"


def test_as_party_in_another_case_is_that_party(tiny: Path) -> None:
    assert kt(tiny, "done", "docs/runbook", "--system", "db", user="eve").exit_code == 0
    r = kt(tiny, "signoff", "docs/runbook", "--system", "db", "--as-party", "LEAD", user="lea")
    assert r.exit_code == 0, r.output
    assert "done -> signed_off" in r.stdout


def test_as_in_another_case_acts_as_that_member(tiny: Path) -> None:
    r = kt(tiny, "done", "onboard/access", user="EVE")
    assert r.exit_code == 0 and r.stderr == "", r.output
    assert json.loads(kt(tiny, "log", "--json", "--limit", "1").stdout)[0]["actor"] == "eve"


def test_attend_members_in_any_case(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    assert kt(db, "sync", str(sample_dir())).exit_code == 0
    ref = "training/incident-process"
    r = kt(db, "attend", ref, "--members", "BEN,chloe,Ben", user="asha")
    assert r.exit_code == 0, r.output
    assert "attend: 2 applied, 0 refused" in r.stdout  # BEN and Ben are one attendee
    done = {i["member"] for i in json.loads(kt(db, "list", ref, "state:done", "--json").stdout)}
    assert done == {"ben", "chloe"}


def test_a_handle_that_names_nobody_exits_2_with_the_closest(tiny: Path) -> None:
    for args in (
        ("log", "--member", "EEV"),
        ("done", "onboard/access", "--member", "eev"),
        ("na", "kt/read", "--member", "evee", "--system", "api", "--reason", "x"),
    ):
        r = kt(tiny, *args, user="lea")
        assert r.exit_code == 2, (args, r.output)
        assert "no member is called that (did you mean eve?)" in r.stderr, (args, r.stderr)
    r = kt(tiny, "list", "member:EEV")  # a filter that names nobody: a warning, as system:
    assert "member:EEV: no member is called 'EEV' (did you mean eve?)" in r.stderr


def test_attend_a_member_that_is_nobody_exits_2_and_marks_nobody(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    assert kt(db, "sync", str(sample_dir())).exit_code == 0
    ref = "training/incident-process"
    r = kt(db, "attend", ref, "--members", "chloe,BNE", user="asha")
    assert r.exit_code == 2
    assert "--members BNE: no member is called that (did you mean ben?)" in r.stderr
    assert json.loads(kt(db, "list", ref, "state:done", "--json").stdout) == []


# --- a mistyped --as: said by every command, not only by the verbs -------------------------


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    db = tmp_path / "sample.db"
    assert kt(db, "sync", str(sample_dir())).exit_code == 0
    return db


READS = (
    ("status",),
    ("status", "--json"),
    ("list", "--limit", "3"),
    ("queue",),
    ("log", "--limit", "3"),
    ("sessions",),
)


def test_read_commands_on_the_sample_say_whom_a_mistyped_as_acts_as(sample: Path) -> None:
    told = "kt-tui: acting as asha, the sample's lead: you typed 'bne' (did you mean ben?)"
    for args in READS:
        r = kt(sample, "--as", "bne", *args)
        assert r.exit_code == 0, (args, r.output)
        assert r.stderr.splitlines() == [told], (args, r.stderr)
    r = kt(sample, *READS[1], user="bne")  # KT_USER is --as's env form
    assert r.stderr.splitlines() == [told]
    assert json.loads(r.stdout)["handover"]  # stdout stays the JSON alone
    r = kt(sample, "--as", "bne", "note", "onboarding/repo-access", "x", "--member", "ben")
    assert r.exit_code == 0 and r.stderr.splitlines() == [told]  # a verb says it once


def test_read_commands_say_nothing_of_a_right_or_an_unasked_name(sample: Path) -> None:
    for args in READS:
        assert kt(sample, "--as", "BEN", *args).stderr == "", args
        assert kt(sample, *args).stderr == "", args  # the login name: nothing was typed


def test_a_mistyped_as_on_a_team_store_is_read_only_and_told(tiny: Path) -> None:
    r = kt(tiny, "--as", "eev", "queue")
    assert r.exit_code == 0
    assert r.stderr.splitlines() == [
        "kt-tui: eev (not in the roster: read-only) (did you mean eve?)"
    ]
    r = kt(tiny, "--as", "nobody-like-that", "status")
    assert r.stderr.splitlines() == ["kt-tui: nobody-like-that (not in the roster: read-only)"]


@pytest.mark.parametrize(
    "args",
    [
        ("--as", "zz\nkt-tui: acting as eve (engineer, client side)", "status"),
        ("log", "--member", "x\nkt-tui: forged"),
        ("log", "--system", "x\nkt-tui: forged"),
        ("done", "nope/x\nkt-tui: forged"),
    ],
    ids=["as", "member", "system", "ref"],
)
def test_a_typed_newline_cannot_forge_a_line_of_its_own(tiny: Path, args: tuple[str, ...]) -> None:
    """What a user typed is named quoted, its newline escaped: it cannot start a line of
    its own on stderr (a forged 'kt-tui: acting as eve' under the real one)."""
    from click.testing import CliRunner

    from kt_tui.cli import cli

    r = CliRunner().invoke(cli, ["--db", str(tiny), *args], env={"KT_USER": "lea"})
    lines = r.stderr.splitlines()
    assert lines, r.output
    assert not any(line.startswith("kt-tui: forged") for line in lines), lines
    assert not any(line.startswith("kt-tui: acting as eve") for line in lines), lines
    assert "\\n" in r.stderr  # shown, escaped


def test_a_lead_owned_item_refuses_in_one_sentence(tmp_path: Path) -> None:
    """'Only a lead (or a lead) may...' was said for an item only leads do."""
    db = tmp_path / "s.db"
    assert kt(db, "sync", str(sample_dir())).exit_code == 0
    r = kt(db, "done", "go-live/go-live-approval", user="ben")
    assert r.exit_code == 1
    assert r.stderr.startswith("kt-tui: Only a lead may mark go-live/go-live-approval done; ")


def test_the_export_names_a_stand_in_by_who_typed_and_whom_they_act_as(tmp_path: Path) -> None:
    """The committee's page said 'by acting as asha, the sample's lead: you typed
    'zed'', the context bar's sentence; it names the person and the role taken."""
    db = tmp_path / "s.db"
    assert kt(db, "sync", str(sample_dir())).exit_code == 0
    md = kt(db, "export", "md", user="zed").stdout
    assert " by zed (acting as asha, the sample's lead)\n" in md.replace("  \n", "\n")
    viewed = kt(db, "--read-only", "export", "md", user="asha").stdout  # a roster member
    assert " by asha (read-only view)\n" in viewed.replace("  \n", "\n")


def test_attend_on_an_item_with_no_session_says_so(tmp_path: Path) -> None:
    """It said 'matches no instance; candidates: --system orders ...'."""
    db = tmp_path / "s.db"
    assert kt(db, "sync", str(sample_dir())).exit_code == 0
    r = kt(db, "attend", "system-docs/runbooks", "--members", "ben", user="asha")
    assert r.exit_code == 2
    assert "system-docs/runbooks has no training session: attend marks who came to one" in (
        r.stderr
    )
