"""identity.match_handle, the one rule for a typed handle: the exact handle, else the one
handle equal to it without regard to case; where two differ only in case (a roster
cannot say so, a store written by hand can), only the exact spelling matches."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import insert

from kt_tui.core.clock import Clock
from kt_tui.core.errors import BadInput
from kt_tui.core.identity import handle_in_store, match_handle, require_handle, resolve_actor
from kt_tui.core.store import Store
from kt_tui.core.tables import MEMBER
from tests.conftest import actor_of
from tests.helpers import TEAM, kt, write_tiny


def test_the_exact_handle_else_the_one_equal_in_another_case() -> None:
    roster = ["asha", "ben", "chloe"]
    assert match_handle("ben", roster) == "ben"
    assert match_handle("BEN", roster) == "ben"
    assert match_handle("Ben", roster) == "ben"
    assert match_handle("bne", roster) is None
    assert match_handle("", roster) is None


def test_two_handles_that_differ_only_in_case_match_only_exactly() -> None:
    roster = ["ben", "Ben"]
    assert match_handle("ben", roster) == "ben"
    assert match_handle("Ben", roster) == "Ben"
    assert match_handle("BEN", roster) is None  # which one? neither, rather than a guess


def test_a_roster_handle_is_lower_case_so_a_roster_cannot_hold_two_such(tmp_path: Path) -> None:
    folder = write_tiny(tmp_path / "tiny", team=TEAM.replace('handle = "eve"', 'handle = "Eve"'))
    r = kt(tmp_path / "kt.db", "sync", str(folder))
    assert r.exit_code == 2 and "members[2].handle: must be a slug" in r.stderr


def test_a_store_holding_both_spellings_matches_only_exactly(tiny: Store, clock: Clock) -> None:
    with tiny.write() as conn:  # written by hand: sync never writes this
        conn.execute(insert(MEMBER).values(handle="EVE", name="Eve again", role="engineer"))
    with tiny.read() as conn:
        assert handle_in_store(conn, "eve") == "eve"
        assert handle_in_store(conn, "EVE") == "EVE"
        assert handle_in_store(conn, "Eve") is None
        assert handle_in_store(conn, "LEA") == "lea"
        try:
            require_handle(conn, "Eve", "--member")
        except BadInput as exc:
            assert "--member Eve: EVE and eve differ only in case" in str(exc)
        else:
            raise AssertionError("an ambiguous handle was taken")
    assert actor_of(tiny, "Eve").read_only
    assert actor_of(tiny, "EVE").handle == "EVE"
    assert actor_of(tiny, "Lea").handle == "lea"


def test_a_mistyped_as_names_the_closest_handle_where_the_actor_is_shown(
    tiny: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """describe() is what the app's header and the command line show."""
    typo = actor_of(tiny, "eev")
    assert typo.read_only and typo.typed_unknown
    assert typo.describe() == "eev (not in the roster: read-only) (did you mean eve?)"
    monkeypatch.setenv("KT_USER", "LOU")
    with tiny.read() as conn:
        assert resolve_actor(tiny, conn).handle == "lou"  # KT_USER: --as's env form
    monkeypatch.delenv("KT_USER")
    with tiny.read() as conn:  # the login name: nothing was typed, nothing to correct
        unasked = resolve_actor(tiny, conn)
    assert not unasked.typed_unknown and unasked.hint == ""
