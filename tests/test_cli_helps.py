"""A command line that helps: 'did you mean', warnings for names that match nothing, and a
log that can be narrowed and says why items were blocked or set aside."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import kt, write_tiny


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "kt.db"
    assert kt(path, "sync", str(write_tiny(tmp_path / "tiny")), user="lea").exit_code == 0
    return path


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("done", "kt/raed", "--system", "api"), "no such item (did you mean read?)"),
        (("done", "ktt/read", "--system", "api"), "no template 'ktt' (did you mean kt?)"),
        (
            ("done", "kt/read", "--system", "apj"),
            "--system apj: no system is called that (did you mean api?)",
        ),
        (
            ("signoff", "kt/read", "--member", "evee", "--system", "api"),
            "--member evee: no member is called that (did you mean eve?)",
        ),
    ],
)
def test_a_ref_handle_or_system_that_matches_nothing_says_the_closest(
    db: Path, args: tuple[str, ...], said: str
) -> None:
    r = kt(db, *args, user="eve")
    assert r.exit_code == 2 and said in r.output, r.output
    assert kt(db, "log", "--json").output.count('"verb"') == 1  # the sync only


def test_list_warns_about_names_that_match_nothing(db: Path) -> None:
    r = kt(db, "list", "system:ap", "overdu", user="lea")
    assert r.exit_code == 0
    assert "system:ap: no system is called 'ap' (did you mean api?)" in r.stderr
    assert "'overdu' is searched as text (did you mean the filter word overdue?)" in r.stderr


def test_log_narrows_to_a_ref_a_member_and_a_day_and_shows_reasons(db: Path) -> None:
    assert (
        kt(db, "block", "kt/read", "--system", "api", "--reason", "no VPN", user="eve").exit_code
        == 0
    )
    assert (
        kt(db, "na", "docs/dr", "--system", "api", "--reason", "no DR here", user="lea").exit_code
        == 0
    )
    r = kt(db, "log", "kt/read", "--json")
    assert [e["verb"] for e in json.loads(r.output)] == ["block"]
    assert [e["verb"] for e in json.loads(kt(db, "log", "--member", "eve", "--json").output)] == [
        "block"
    ]
    assert json.loads(kt(db, "log", "--since", "2999-01-01", "--json").output) == []
    table = kt(db, "log").output
    assert "why: no VPN" in table and "why: no DR here" in table
    bad = kt(db, "log", "--member", "evee")
    assert bad.exit_code == 2 and "did you mean eve?" in bad.output


def test_an_empty_where_is_bad_input_not_every_item(db: Path) -> None:
    r = kt(db, "done", "--where", "", "--yes", user="eve")
    assert r.exit_code == 2 and "--where needs a filter" in r.output
    assert kt(db, "log", "--json").output.count('"verb"') == 1


def test_log_takes_a_system(db: Path) -> None:
    assert kt(db, "note", "docs/runbook", "on api", "--system", "api", user="lea").exit_code == 0
    assert kt(db, "note", "docs/runbook", "on db", "--system", "db", user="lea").exit_code == 0
    events = json.loads(kt(db, "log", "docs/runbook", "--system", "db", "--json").output)
    assert [e["note"] for e in events] == ["on db"]
