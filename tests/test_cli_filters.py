"""A misspelt filter key or state says what was meant ("did you mean member:ben?") and
still lists the valid choices; the CLI's list and --where and the app's filter box
parse alike (core/filters.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kt_tui.core.errors import BadInput
from kt_tui.core.filters import parse_filter
from tests.helpers import kt, synced_tiny


def test_a_misspelt_key_suggests_the_key_with_its_value(tmp_path: Path) -> None:
    db = synced_tiny(tmp_path)
    r = kt(db, "list", "memebr:eve")
    assert r.exit_code == 2 and r.stdout == ""
    assert "unknown token 'memebr' (did you mean member:eve?)" in r.stderr
    assert "use state, system, member, stage, template, kind, tier, or overdue, mine" in r.stderr
    r = kt(db, "note", "--where", "sytem:api", "x", "--yes", user="lea")
    assert r.exit_code == 2 and "(did you mean system:api?)" in r.stderr


def test_a_misspelt_state_suggests_the_state(tmp_path: Path) -> None:
    db = synced_tiny(tmp_path)
    r = kt(db, "list", "state:tdo")
    assert r.exit_code == 2
    assert (
        "state: must be one of todo, blocked, done, signed_off, na, got 'tdo' "
        "(did you mean state:todo?)" in r.stderr
    )
    r = kt(db, "list", "state:sigend-off")
    assert "(did you mean state:signed_off?)" in r.stderr


def test_a_key_or_state_far_from_any_lists_the_choices_only(tmp_path: Path) -> None:
    db = synced_tiny(tmp_path)
    r = kt(db, "list", "colour:red")
    assert r.exit_code == 2 and "did you mean" not in r.stderr
    assert "unknown token 'colour'; use state, system" in r.stderr
    r = kt(db, "list", "state:xyz")
    assert r.exit_code == 2 and "did you mean" not in r.stderr


def test_a_state_in_another_case_is_that_state(tmp_path: Path) -> None:
    db = synced_tiny(tmp_path)
    lower = json.loads(kt(db, "list", "state:todo", "--json").stdout)
    assert lower and json.loads(kt(db, "list", "STATE:ToDo", "--json").stdout) == lower


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("memebr:ben", "member:ben"), ("state:tdo", "state:todo"), ("tempalte:x", "template:x")],
)
def test_the_filter_box_of_the_app_gets_the_same_hint(typed: str, meant: str) -> None:
    """The app's filter box shows parse_filter's message (Service.validate_filter)."""
    with pytest.raises(BadInput, match=f"did you mean {meant}"):
        parse_filter(typed)
