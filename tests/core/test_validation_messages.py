"""Every format-2 key's validation error names the file, the place and what is wrong
(DESIGN "Validation"): one case per rule, as a user would write the mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from kt_tui.core.errors import ValidationFailed
from kt_tui.core.templates import load_folder
from tests.core.test_audience import AUDIENCE, GOLIVE, TEAM2
from tests.helpers import write_tiny

QUIZ = """
[template]
key = "quiz"
title = "Teach-backs"
kind = "assessment"
scope = "member"
scale = 4
pass = 3

[[items]]
key = "teachback"
title = "Teach back the failover"

[[items]]
key = "ticket"
title = "Take a ticket alone"
"""

TRAINING = """
[template]
key = "course"
title = "Courses"
kind = "training"
scope = "member"

[[items]]
key = "obs"
title = "Observability"
session = { at = 2026-11-13T09:00:00, minutes = 120, trainer = "lea", location = "Room 4" }
"""


def problems(tmp_path: Path, team: str = TEAM2, **files: str) -> list[str]:
    base = {"aud": AUDIENCE, "golive": GOLIVE, "quiz": QUIZ, "course": TRAINING}
    root = write_tiny(tmp_path / "tiny", team=team, **{**base, **files})
    with pytest.raises(ValidationFailed) as exc:
        load_folder(root, "tiny")
    return [str(p) for p in exc.value.problems]


def test_the_base_folder_is_valid(tmp_path: Path) -> None:
    """The cases below each break one thing in a folder that loads."""
    root = write_tiny(
        tmp_path / "tiny", team=TEAM2, aud=AUDIENCE, golive=GOLIVE, quiz=QUIZ, course=TRAINING
    )
    assert load_folder(root, "tiny").templates


TEMPLATE_CASES = [
    # (file, replace, with, expected "path: where: message" fragment)
    ("quiz", "pass = 3", "pass = 9", "quiz.toml: template.pass: must be at most scale (4), got 9"),
    (
        "quiz",
        "pass = 3",
        "",
        "quiz.toml: items[0].pass: an assessment item needs pass (the lowest passing score)",
    ),
    (
        "quiz",
        "pass = 3",
        "pass = 3\nsignoff = false",
        "quiz.toml: template.signoff: an assessment is signed by its assessor: "
        "signoff may not be false",
    ),
    ("quiz", "scale = 4", "scale = 0", "quiz.toml: template.scale: must be >= 1, got 0"),
    ("quiz", "scale = 4", "scale = 101", "quiz.toml: template.scale: must be <= 100, got 101"),
    (
        "course",
        'key = "obs"',
        'key = "obs"\npass = 2',
        "course.toml: items[0].pass: only items of kind 'assessment'",
    ),
    (
        "course",
        'key = "obs"',
        'key = "obs"\nvalid_for = "90"',
        'course.toml: items[0].valid_for: must be "<n>d" or "<n>w" with n > 0',
    ),
    (
        "course",
        'key = "obs"',
        'key = "obs"\nvalid_for = "0d"',
        'course.toml: items[0].valid_for: must be "<n>d" or "<n>w" with n > 0',
    ),
    (
        "course",
        'key = "obs"',
        'key = "obs"\nsessions = [{ at = 2026-11-20T09:00:00, minutes = 60, trainer = "lea" }]',
        "course.toml: items[0].sessions: give session or sessions, not both",
    ),
    (
        "course",
        "minutes = 120",
        "minutes = 20000",
        "course.toml: items[0].session.minutes: must be <= 10080",
    ),
    (
        "golive",
        'key = "approval"',
        'key = "approval"\nrenamed_from = ["approval"]',
        "golive.toml: items[0].renamed_from[0]: item 'approval' still exists",
    ),
    (
        "golive",
        'scope = "handover"',
        'scope = "handover"\nrenamed_from = ["aud"]',
        "golive.toml: template.renamed_from[0]: template 'aud' still exists",
    ),
    (
        "golive",
        'scope = "handover"',
        'scope = "handover"\nstage = "bogus"',
        "golive.toml: template.stage: must be one of handover.stages",
    ),
    (
        "golive",
        'due = "T+1w"',
        'due = "S-3d"',
        "golive.toml: items[0].due",
    ),
]


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    TEMPLATE_CASES,
    ids=[f"{c[0]}:{(c[2].splitlines() or ['no ' + c[1]])[-1]}" for c in TEMPLATE_CASES],
)
def test_a_template_mistake_names_file_place_and_problem(
    tmp_path: Path, file: str, old: str, new: str, expected: str
) -> None:
    body = {"quiz": QUIZ, "course": TRAINING, "golive": GOLIVE}[file]
    assert old in body
    found = problems(tmp_path, **{file: body.replace(old, new, 1)})
    assert any(expected in p for p in found), found


def test_a_template_default_is_blamed_once_where_it_is_written(tmp_path: Path) -> None:
    """A bad [template] default is one problem at template.KEY, not one per item."""
    found = problems(tmp_path, quiz=QUIZ.replace("pass = 3", 'pass = "three"'))
    assert [p for p in found if ".pass" in p] == [
        "tiny/quiz.toml: template.pass: Input should be a valid integer, got 'three'"
    ], found


def test_two_templates_may_not_claim_the_same_old_key(tmp_path: Path) -> None:
    claim = 'scope = "handover"\nrenamed_from = ["old-go-live"]'
    other = GOLIVE.replace('key = "golive"', 'key = "golive2"').replace('scope = "handover"', claim)
    found = problems(tmp_path, golive=GOLIVE.replace('scope = "handover"', claim), golive2=other)
    assert any("template 'old-go-live' is renamed to" in p and "already" in p for p in found), found


TEAM_CASES = [
    (
        'side = "provider"',
        'side = "vendor"',
        "team.toml: members[3].side: must be one of 'client' or 'provider', got 'vendor'",
    ),
    (
        'tracks = ["oncall"]',
        'tracks = ["On Call"]',
        "team.toml: members[3].tracks[0]: must be a slug",
    ),
    (
        "start_date = 2026-10-01",
        'start_date = "next monday"',
        "team.toml: handover.start_date",
    ),
    (
        "start_date = 2026-10-01",
        "start_date = 2027-02-01",
        "team.toml: handover.start_date: 2027-02-01 is after target_date 2027-01-31: "
        "a handover starts before its target",
    ),
    (
        "start_date = 2026-10-01",
        "start_date = 2016-10-01",
        "team.toml: handover.start_date: 2016-10-01 is more than 5 years before target_date "
        "2027-01-31 (a typo in the year?): give the transfer phase's own start, 2022-01-31 or "
        "later",
    ),
    (
        "min_ready_per_system = 1",
        'min_ready_per_system = 1\nidentity = "ldap"',
        "team.toml: handover.identity: must be one of",
    ),
    (
        'name = "Eve Engineer"',
        'name = "Eve Engineer"\ndb_user = "shared"',
        "team.toml: members[",
    ),
]


@pytest.mark.parametrize(
    ("start", "target"),
    [("2022-01-31", "2027-01-31"), ("2024-01-01", "2029-01-01"), ("2027-01-31", "2027-01-31"),
     ("2023-02-28", "2028-02-29"), ("0002-10-01", "0003-03-31")],
)  # fmt: skip
def test_a_start_up_to_five_calendar_years_before_the_target_is_accepted(
    tmp_path: Path, start: str, target: str
) -> None:
    team = TEAM2.replace("start_date = 2026-10-01", f"start_date = {start}").replace(
        "target_date = 2027-01-31", f"target_date = {target}"
    )
    assert "start_date = " + start in team and "target_date = " + target in team
    base = {"aud": AUDIENCE, "golive": GOLIVE, "quiz": QUIZ, "course": TRAINING}
    root = write_tiny(tmp_path / "tiny", team=team, **base)
    assert load_folder(root, "tiny").templates
    day_before = TEAM2.replace("start_date = 2026-10-01", "start_date = 2022-01-30")
    found = problems(tmp_path / "late", team=day_before)
    assert any("2022-01-30 is more than 5 years before" in p for p in found), found


@pytest.mark.parametrize(("old", "new", "expected"), TEAM_CASES, ids=[c[1] for c in TEAM_CASES])
def test_a_roster_mistake_names_file_place_and_problem(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in TEAM2
    team = TEAM2.replace(old, new, 1)
    if "db_user" in new:  # a second member with the same database user
        team = team.replace('name = "Lea Lead"', 'name = "Lea Lead"\ndb_user = "shared"', 1)
    found = problems(tmp_path, team=team)
    assert any(expected in p for p in found), found
    if "db_user" in new:
        assert any("duplicate db_user 'shared'" in p for p in found), found


def test_a_reference_in_a_template_default_is_blamed_once_where_it_is_written(
    tmp_path: Path,
) -> None:
    """after and owner checked against the folder (the names it holds) are blamed at
    template.KEY too, not once per item that took them."""
    body = GOLIVE.replace(
        'scope = "handover"', 'scope = "handover"\nafter = ["nope/x"]\nowner = "nobody"'
    )
    body += '\n[[items]]\nkey = "b"\ntitle = "B"\n\n[[items]]\nkey = "c"\ntitle = "C"\n'
    found = problems(tmp_path, golive=body)
    mine = [p for p in found if "golive.toml" in p]
    assert sorted(p.split(": ", 2)[1] for p in mine) == ["template.after[0]", "template.owner"], (
        mine
    )
