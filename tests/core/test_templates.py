"""Every class of validation error reads PATH: WHERE: message and raises ValidationFailed."""

from __future__ import annotations

from pathlib import Path

import pytest

from kt_tui.core.errors import ValidationFailed
from kt_tui.core.templates import load_folder
from tests.helpers import DOCS, KT, TEAM, write_tiny


def problems(root: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as info:
        load_folder(root, "tiny")
    return [str(p) for p in info.value.problems]


def test_the_tiny_folder_loads(tiny_dir: Path) -> None:
    folder = load_folder(tiny_dir)
    assert folder.team.handover.name == "Tiny"
    assert [t.spec.template.key for t in folder.templates] == ["docs", "kt", "onboard"]
    assert folder.warnings == []


def test_negative_weight_names_file_place_and_value(tiny_dir: Path) -> None:
    write_tiny(tiny_dir, docs=DOCS.replace("weight = 2", "weight = -1"))
    assert problems(tiny_dir) == ["tiny/docs.toml: items[0].weight: must be > 0, got -1"]


def test_unknown_key_is_an_error(tiny_dir: Path) -> None:
    write_tiny(tiny_dir, docs=DOCS.replace('title = "Runbook"', 'title = "Runbook"\nweigth = 2'))
    assert problems(tiny_dir) == ["tiny/docs.toml: items[0].weigth: unknown key"]


def test_unknown_key_in_team(tiny_dir: Path) -> None:
    write_tiny(tiny_dir, team=TEAM.replace("tier = 2", "tier = 2\nowner = 'x'"))
    assert problems(tiny_dir) == ["tiny/team.toml: systems[1].owner: unknown key"]


def test_toml_syntax_error_has_line_and_column(tiny_dir: Path) -> None:
    write_tiny(tiny_dir, kt=DOCS.replace('key = "dr"', 'key = "dr'))
    (msg,) = problems(tiny_dir)
    assert msg.startswith("tiny/kt.toml: line 14, column 10: TOML syntax error")
    assert "TOML syntax error" in msg


def test_non_utf8_file(tiny_dir: Path) -> None:
    (tiny_dir / "bad.toml").write_bytes(b'[template]\nkey = "\xff\xfe"\n')
    assert problems(tiny_dir) == ["tiny/bad.toml: line 2: not valid UTF-8 (byte 18)"]


def test_deep_nesting_is_a_validation_error(tiny_dir: Path) -> None:
    (tiny_dir / "deep.toml").write_text("x = " + "[" * 5000 + "]" * 5000)
    (msg,) = problems(tiny_dir)
    assert msg.startswith("tiny/deep.toml: ")


def test_folders_fifos_and_devices_are_not_read(tiny_dir: Path) -> None:
    import os

    (tiny_dir / "dir.toml").mkdir()
    os.mkfifo(tiny_dir / "fifo.toml")  # reading it would block forever
    (tiny_dir / "zero.toml").symlink_to("/dev/zero")  # reading it would never end
    assert problems(tiny_dir) == [
        "tiny/dir.toml: a folder, not a file",
        "tiny/fifo.toml: a FIFO (named pipe), not a file",
        "tiny/zero.toml: a symlink to outside the folder: refused",
    ]


def test_huge_file_is_refused(tiny_dir: Path) -> None:
    (tiny_dir / "big.toml").write_bytes(b"# " + b"x" * (6 * 1024 * 1024))
    assert problems(tiny_dir) == ["tiny/big.toml: file too large (over 5242880 bytes)"]


def test_types_are_strict(tiny_dir: Path) -> None:
    write_tiny(
        tiny_dir,
        docs=DOCS.replace("weight = 2", 'weight = "7"').replace(
            "evidence = true", 'evidence = "yes"'
        ),
    )
    got = problems(tiny_dir)
    assert got[0].startswith("tiny/docs.toml: items[0].weight: Input should be a valid integer")
    assert got[1].startswith("tiny/docs.toml: items[1].evidence: Input should be a valid boolean")


def test_numbers_the_store_cannot_hold_are_refused(tiny_dir: Path) -> None:
    write_tiny(
        tiny_dir,
        docs=DOCS.replace("weight = 2", "revision = 9223372036854775808"),
        team=TEAM.replace("tier = 2", "tier = 2\nmin_ready = 99999999999999999999"),
    )
    got = problems(tiny_dir)
    assert "tiny/team.toml: systems[1].min_ready: must be <= 10000, got 99999999999999999999" in got
    assert "tiny/docs.toml: items[0].revision: must be <= 1000000, got 9223372036854775808" in got


def test_relative_due_before_year_one(tiny_dir: Path) -> None:
    write_tiny(tiny_dir, team=TEAM.replace("target_date = 2027-01-31", "target_date = 0001-01-01"))
    assert problems(tiny_dir) == [
        "tiny/onboard.toml: items[0].due: T-100d falls outside the years 1 to 9999"
    ]


def test_type_errors_and_cross_checks_in_one_pass(tiny_dir: Path) -> None:
    write_tiny(
        tiny_dir,
        docs=DOCS.replace("weight = 2", "weight = -2").replace('key = "selfcheck"', 'key = "dr"'),
        team=TEAM.replace('systems = ["api", "db"]', 'systems = ["api", "api", "nope"]').replace(
            "tier = 1", "tier = 0"
        ),
    )
    got = problems(tiny_dir)
    assert "tiny/team.toml: systems[0].tier: must be >= 1, got 0" in got
    assert "tiny/team.toml: members[2].systems[1]: system 'api' listed twice" in got
    assert "tiny/team.toml: members[2].systems[2]: unknown system 'nope'" in got
    assert "tiny/docs.toml: items[0].weight: must be > 0, got -2" in got
    assert "tiny/docs.toml: items[2].key: duplicate item 'dr'" in got


def test_empty_tiers_generate_nothing_and_are_refused(tiny_dir: Path) -> None:
    write_tiny(tiny_dir, docs=DOCS.replace("tiers = [1]", "tiers = []"))
    assert problems(tiny_dir) == ["tiny/docs.toml: items[1].tiers: must not be empty"]


def test_missing_team_and_not_a_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert problems(tmp_path / "empty") == [
        "tiny/team.toml: missing: every handover folder needs one"
    ]
    assert problems(tmp_path / "nope") == ["tiny: not a folder (expected team.toml inside)"]


def test_every_error_in_the_folder_is_reported(tiny_dir: Path) -> None:
    write_tiny(
        tiny_dir,
        docs=DOCS.replace('stage = "shadowed"', 'stage = "shadowing"').replace(
            "weight = 2", "weight = 0"
        ),
        team=TEAM.replace('systems = ["api", "db"]', 'systems = ["api", "dbx"]').replace(
            'handle = "lou"', 'handle = "Lou!"'
        ),
    )
    got = problems(tiny_dir)
    assert (
        "tiny/team.toml: members[1].handle: must be a slug ([a-z0-9][a-z0-9_-]*), got 'Lou!'" in got
    )
    # the team failed, so stages are unknown: the weight error is still found
    assert "tiny/docs.toml: items[0].weight: must be > 0, got 0" in got


def test_cross_checks(tiny_dir: Path) -> None:
    write_tiny(
        tiny_dir,
        team=TEAM.replace('systems = ["api", "db"]', 'systems = ["api", "dbx"]'),
        docs=DOCS.replace('stage = "shadowed"', 'stage = "shadowing"')
        .replace('key = "selfcheck"', 'key = "runbook"')
        .replace(
            "tiers = [1]",
            'tiers = [1]\nsession = { at = 2027-01-12T09:00:00, minutes = 60, trainer = "X" }',
        ),
        onboard='[template]\nkey = "kt"\ntitle = "t"\nkind = "training"\nscope = "member"\n',
    )
    got = problems(tiny_dir)
    assert "tiny/team.toml: members[2].systems[1]: unknown system 'dbx'" in got
    assert any(
        p.startswith("tiny/onboard.toml: template.key: duplicate template 'kt'") for p in got
    )


def test_a_duplicate_key_is_said_with_the_file_s_other_problems(tiny_dir: Path) -> None:
    """Both files with type errors too: the duplicate was said only once they were
    mended, a second round for the author (review)."""
    bad = '[template]\nkey = "kt"\ntitle = "t"\nkind = "training"\nscope = "member"\nsystems = []\n'
    write_tiny(
        tiny_dir,
        kt=KT.replace('scope = "member_system"', 'scope = "member_system"\nsystems = []'),
        onboard=bad,
    )
    got = problems(tiny_dir)
    assert any(
        p.startswith("tiny/onboard.toml: template.key: duplicate template 'kt'") for p in got
    ), got
    assert any(p.startswith("tiny/onboard.toml: template.systems:") for p in got), got


def test_stage_and_session_rules(tiny_dir: Path) -> None:
    write_tiny(
        tiny_dir,
        docs=DOCS.replace('stage = "shadowed"', 'stage = "shadowing"')
        .replace('key = "selfcheck"', 'key = "runbook"')
        .replace(
            "tiers = [1]",
            'tiers = [1]\nsession = { at = 2027-01-12T09:00:00, minutes = 60, trainer = "X" }',
        ),
    )
    got = problems(tiny_dir)
    assert (
        "tiny/docs.toml: items[1].stage: must be one of handover.stages "
        "['documented', 'shadowed'], got 'shadowing'" in got
    )
    assert "tiny/docs.toml: items[2].key: duplicate item 'runbook'" in got
    assert "tiny/docs.toml: items[1].session: only items of kind 'training' have sessions" in got


def test_bad_due_and_enum(tiny_dir: Path) -> None:
    write_tiny(
        tiny_dir,
        onboard=DOCS.replace('key = "docs"', 'key = "o"')
        .replace('kind = "documentation"', 'kind = "docs"')
        .replace("weight = 2", 'due = "next week"'),
    )
    got = problems(tiny_dir)
    assert (
        "tiny/onboard.toml: template.kind: must be one of "
        "'documentation', 'training', 'handover' or 'assessment', got 'docs'" in got
    )
    assert (
        'tiny/onboard.toml: items[0].due: must be a TOML date, "T-<n>d", "T+<n>d", '
        '"T-<n>w", "T+<n>w", "S+<n>d" or "S+<n>w", got \'next week\'' in got
    )


def test_duplicate_handle_and_system(tiny_dir: Path) -> None:
    write_tiny(
        tiny_dir,
        team=TEAM.replace('handle = "lou"', 'handle = "lea"').replace('key = "db"', 'key = "api"'),
    )
    got = problems(tiny_dir)
    assert "tiny/team.toml: members[1].handle: duplicate handle 'lea'" in got
    assert "tiny/team.toml: systems[1].key: duplicate system 'api'" in got


def test_fewer_than_two_leads_warns_without_failing(tiny_dir: Path) -> None:
    write_tiny(
        tiny_dir,
        team=TEAM.replace(
            'role = "lead"\n\n[[members]]\nhandle = "eve"',
            'role = "engineer"\n\n[[members]]\nhandle = "eve"',
        ),
    )
    folder = load_folder(tiny_dir, "tiny")
    assert folder.warnings and "only 1 lead" in folder.warnings[0]


def test_relative_due_resolves_against_target(tiny_dir: Path) -> None:
    folder = load_folder(tiny_dir)
    onboard = next(t for t in folder.templates if t.spec.template.key == "onboard")
    assert str(folder.due_date(onboard.spec.items[0])) == "2026-10-23"


def test_bundled_sample_is_valid() -> None:
    from kt_tui.paths import sample_dir

    folder = load_folder(sample_dir())
    assert len(folder.team.members) >= 6
    assert sum(m.role == "lead" for m in folder.team.members) >= 2
    assert {s.tier for s in folder.team.systems} == {1, 2, 3}
    assert {t.spec.template.kind for t in folder.templates} == {
        "documentation",
        "training",
        "handover",
        "assessment",
    }
    assert any(i.all_sessions for t in folder.templates for i in t.spec.items)


def test_text_with_control_characters_is_refused(tiny_dir: Path) -> None:
    """New text is data: every free-text field refuses C0 (but tab, newline), DEL and C1."""
    team = (
        TEAM.replace('name = "Tiny"', 'name = "Tiny\\u001b]0;owned\\u0007"')
        .replace('name = "Lea Lead"', 'name = "Lea\\tLead\\nok"')  # tab and newline are fine
        .replace('name = "Lou Lead"', 'name = "Lou\\u009b2J"\ndb_user = "lou\\u0000"')
        .replace('name = "Database"', 'name = "Data\\u007f"')
    )
    docs = (
        DOCS.replace('title = "System docs"', 'title = "Docs\\u0008"')
        .replace('title = "Runbook"', 'title = "Run\\u001b[2J"\ndetail = "d\\u0085"')
        .replace(
            "tiers = [1]",
            'tiers = [1]\nsession = { at = 2027-01-12T09:00:00, minutes = 60, trainer = "X\\r" }',
        )
        .replace('title = "Self check"', 'title = "Self check"\nstage = "documented\\u001b"')
    )
    write_tiny(tiny_dir, team=team, docs=docs)
    got = problems(tiny_dir)
    expected = [
        "tiny/team.toml: handover.name: contains a control character (U+001B)",
        "tiny/team.toml: members[1].name: contains a control character (U+009B)",
        "tiny/team.toml: members[1].db_user: contains a control character (U+0000)",
        "tiny/team.toml: systems[1].name: contains a control character (U+007F)",
        "tiny/docs.toml: template.title: contains a control character (U+0008)",
        "tiny/docs.toml: items[0].title: contains a control character (U+001B)",
        "tiny/docs.toml: items[0].detail: contains a control character (U+0085)",
        "tiny/docs.toml: items[1].session.trainer: contains a control character (U+000D)",
        "tiny/docs.toml: items[2].stage: contains a control character (U+001B)",
    ]
    for line in expected:
        assert line in got, (line, got)
    assert not any("\x1b" in p or "\x9b" in p or "\x00" in p for p in got)


def test_text_with_a_bidi_override_or_a_line_separator_is_refused(tiny_dir: Path) -> None:
    """A title that a terminal would draw reordered ("Trojan Source") or break in two is
    refused as the other controls are; an emoji's joiner and accents are text."""
    docs = DOCS.replace('title = "Runbook"', 'title = "Run\\u202ekoob"').replace(
        'title = "Self check"', 'title = "Self\\u2028check"'
    )
    team = TEAM.replace('name = "Lea Lead"', 'name = "Léa 👩\\u200d💻"')
    write_tiny(tiny_dir, team=team, docs=docs)
    got = problems(tiny_dir)
    assert "tiny/docs.toml: items[0].title: contains a control character (U+202E)" in got, got
    assert "tiny/docs.toml: items[2].title: contains a control character (U+2028)" in got, got
    assert not any("members[" in p for p in got), got


def test_a_key_with_control_characters_is_shown_escaped(tiny_dir: Path) -> None:
    write_tiny(tiny_dir, docs=DOCS + '\n"x\\u001b]52;c;AA\\u0007" = 1\n')
    assert problems(tiny_dir) == ["tiny/docs.toml: items[2].x\\x1b]52;c;AA\\x07: unknown key"]


# --- after: unknown references and cycles (issue 11) --------------------------------------


def test_after_names_an_unknown_item(tiny_dir: Path) -> None:
    from tests.helpers import KT

    kt = KT.replace("weight = 3\n", 'weight = 3\nafter = ["raed", "docs/runbok"]\n')
    write_tiny(tiny_dir, kt=kt)
    got = problems(tiny_dir)
    assert any("kt.toml: items[1].after[0]: no item" in p and "raed" in p for p in got), got
    assert any("items[1].after[1]: no item" in p and "docs/runbok" in p for p in got), got


def test_after_on_itself_and_cycles_are_errors(tiny_dir: Path) -> None:
    from tests.helpers import KT

    kt = KT.replace('stage = "documented"\n', 'stage = "documented"\nafter = ["shadow"]\n', 1)
    kt = kt.replace("weight = 3\n", 'weight = 3\nafter = ["read"]\n')
    write_tiny(tiny_dir, kt=kt)
    got = problems(tiny_dir)
    assert any("prerequisites form a cycle" in p and "kt/read -> kt/shadow" in p for p in got), got
    write_tiny(tiny_dir, kt=KT.replace("weight = 3\n", 'weight = 3\nafter = ["shadow"]\n'))
    assert any("an item cannot wait on itself" in p for p in problems(tiny_dir))


def test_one_bad_item_does_not_make_references_into_its_file_look_missing(
    tmp_path: Path,
) -> None:
    """Other files' `after` naming items of a file with an error of its own are not
    reported as 'no item ... in the folder': only the real mistake is."""
    import shutil

    from kt_tui.core.errors import ValidationFailed
    from kt_tui.core.templates import load_folder
    from kt_tui.paths import sample_dir

    root = tmp_path / "copy"
    shutil.copytree(sample_dir(), root)
    docs = root / "system-docs.toml"
    docs.write_text(
        docs.read_text(encoding="utf-8") + '\n[[items]]\nkey = "x1"\ntitle = "x"\nweight = 0\n',
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as caught:
        load_folder(root, "copy")
    problems = caught.value.problems
    assert [p.where for p in problems] == ["items[9].weight"], [str(p) for p in problems]


# --- type errors and reference errors in one run (review F3) ------------------------------


def test_type_errors_and_unknown_names_come_in_one_round(tiny_dir: Path) -> None:
    """A file with a type error still has its names and prerequisites checked as
    written, and another file's unknown member is reported beside it: one sync shows
    every error, not the second kind only once the first is fixed."""
    from tests.helpers import KT, ONBOARD

    write_tiny(
        tiny_dir,
        # a type error and, in the same file, an unknown member and a missing prerequisite
        docs=DOCS.replace("weight = 2", 'weight = "heavy"').replace(
            "tiers = [1]", 'tiers = [1]\nafter = ["runbok"]'
        )
        + '\n[[items]]\nkey = "x"\ntitle = "X"\nowner = "zed"\nsignoff = ["lead", "nobody"]\n',
        # an unknown member in a file with no type error
        onboard=ONBOARD.replace('due = "T-100d"', 'due = "T-100d"\nmembers = ["evie"]'),
        # a type error only, whose prerequisite into the broken file is fine
        kt=KT.replace("weight = 3", "weight = 0").replace(
            'stage = "shadowed"', 'stage = "shadowed"\nafter = ["docs/runbook"]'
        ),
    )
    got = problems(tiny_dir)
    assert "tiny/docs.toml: items[0].weight: Input should be a valid integer, got 'heavy'" in got
    assert "tiny/docs.toml: items[1].after[0]: no item 'runbok' in the folder" in got
    assert (
        "tiny/docs.toml: items[3].owner: must be receiver, provider, lead or a handle, got 'zed'"
        in got
    )
    assert any(p.startswith("tiny/docs.toml: items[3].signoff[1]: must be lead") for p in got)
    assert "tiny/onboard.toml: items[0].members[0]: no member 'evie' in team.toml" in got
    assert "tiny/kt.toml: items[1].weight: must be > 0, got 0" in got
    assert len(got) == 6, got  # docs/runbook exists, though its file failed


def test_a_type_error_is_not_reported_again_as_an_unknown_name(tiny_dir: Path) -> None:
    write_tiny(
        tiny_dir,
        onboard=onboard_with('members = ["Eve!", "evie"]\nweight = 0'),
    )
    got = problems(tiny_dir)
    assert got == [
        "tiny/onboard.toml: items[0].weight: must be > 0, got 0",
        "tiny/onboard.toml: items[0].members[0]: must be a slug ([a-z0-9][a-z0-9_-]*), got 'Eve!'",
        "tiny/onboard.toml: items[0].members[1]: no member 'evie' in team.toml",
    ], got


def test_a_broken_roster_still_checks_the_names_it_can_read(tiny_dir: Path) -> None:
    write_tiny(
        tiny_dir,
        team=TEAM.replace("tier = 2", 'tier = "two"'),
        onboard=onboard_with('members = ["evie"]'),
    )
    got = problems(tiny_dir)
    assert "tiny/team.toml: systems[1].tier: Input should be a valid integer, got 'two'" in got
    assert "tiny/onboard.toml: items[0].members[0]: no member 'evie' in team.toml" in got
    # the tiers could not be read whole: a tier is not called unknown on a guess
    assert not any("tiers" in p for p in got), got


def test_a_cycle_through_a_broken_file_is_found(tiny_dir: Path) -> None:
    from tests.helpers import KT

    write_tiny(
        tiny_dir,
        kt=KT.replace('stage = "documented"\n', 'stage = "documented"\nafter = ["shadow"]\n', 1)
        .replace("weight = 3\n", 'weight = 3\nafter = ["read"]\n')
        .replace('title = "Read the docs"', "title = 7"),
    )
    got = problems(tiny_dir)
    assert "tiny/kt.toml: items[0].title: Input should be a valid string, got 7" in got
    assert any("prerequisites form a cycle" in p and "kt/read -> kt/shadow" in p for p in got), got


def test_sync_dry_run_prints_both_kinds_at_once(tiny_dir: Path, tmp_path: Path) -> None:
    from tests.helpers import kt

    write_tiny(
        tiny_dir,
        docs=DOCS.replace("weight = 2", "weight = -2"),
        onboard=onboard_with('members = ["evie"]\nweight = 0'),
    )
    result = kt(tmp_path / "kt.db", "sync", str(tiny_dir), "--dry-run")
    assert result.exit_code == 2
    assert "docs.toml: items[0].weight: must be > 0, got -2" in result.stderr
    assert "onboard.toml: items[0].weight: must be > 0, got 0" in result.stderr
    assert "onboard.toml: items[0].members[0]: no member 'evie' in team.toml" in result.stderr
    assert "3 problems: nothing written" in result.stderr
    assert not (tmp_path / "kt.db").exists()


def onboard_with(extra: str) -> str:
    from tests.helpers import ONBOARD

    return ONBOARD.replace('due = "T-100d"', f'due = "T-100d"\n{extra}')
