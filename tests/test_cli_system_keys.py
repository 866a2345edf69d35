"""A system key typed in another case is the system it names, as a handle is (--system
on the verbs and log, the filter word system:); one that names none exits 2 and says
what is closest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kt_tui.core.suggest import match_name
from tests.helpers import kt, synced_tiny


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return synced_tiny(tmp_path)


def test_the_filter_word_system_matches_in_any_case(tiny: Path) -> None:
    lower = json.loads(kt(tiny, "list", "system:api", "--json").stdout)
    assert lower and {i["system"] for i in lower} == {"api"}
    for typed in ("system:API", "system:Api"):
        r = kt(tiny, "list", typed, "--json")
        assert r.exit_code == 0 and r.stderr == "", (typed, r.stderr)
        assert json.loads(r.stdout) == lower
    streamed = kt(tiny, "list", "system:API", "--limit", "0")  # the SQL-made listing too
    assert streamed.stdout == kt(tiny, "list", "system:api", "--limit", "0").stdout


def test_verbs_and_log_take_system_in_any_case(tiny: Path) -> None:
    r = kt(tiny, "done", "docs/runbook", "--system", "DB", user="eve")
    assert r.exit_code == 0, r.output
    assert r.stdout == "done: docs/runbook --system db: todo -> done\n"  # as the store spells it
    upper = kt(tiny, "log", "--system", "Db", "--json")
    assert upper.exit_code == 0, upper.output
    assert json.loads(upper.stdout) == json.loads(
        kt(tiny, "log", "--system", "db", "--json").stdout
    )
    assert json.loads(upper.stdout) != []


def test_a_system_that_names_none_says_what_is_closest(tiny: Path) -> None:
    r = kt(tiny, "done", "docs/runbook", "--system", "apj", user="eve")
    assert r.exit_code == 2
    assert "--system apj: no system is called that (did you mean api?)" in r.stderr
    r = kt(tiny, "log", "--system", "dbb")
    assert r.exit_code == 2 and "(did you mean db?)" in r.stderr
    r = kt(tiny, "list", "system:apj")
    assert r.exit_code == 0 and "no system is called 'apj' (did you mean api?)" in r.stderr
    r = kt(tiny, "list", "tier:9")  # it said nothing
    assert r.exit_code == 0 and "tier:9: no system is in tier 9 (the tiers: 1, 2)" in r.stderr
    assert kt(tiny, "list", "tier:2").stderr == ""


def test_two_names_that_differ_only_in_case_match_only_exactly() -> None:
    assert match_name("Orders", ["orders", "billing"]) == "orders"
    assert match_name("orders", ["orders", "Orders"]) == "orders"
    assert match_name("ORDERS", ["orders", "Orders"]) is None
    assert match_name("order", ["orders"]) is None


def test_the_log_suggests_a_retired_system_whose_history_it_keeps(tmp_path: Path) -> None:
    """A system taken out of team.toml is retired; its events stay in the log, so a typo
    of its key gets the "did you mean" a verb's --system (active systems only) does not."""
    from tests.helpers import TEAM, write_tiny

    db = synced_tiny(tmp_path)
    assert kt(db, "done", "docs/runbook", "--system", "db", user="eve").exit_code == 0
    team = TEAM.replace(', "db"]', "]").replace(
        '[[systems]]\nkey = "db"\nname = "Database"\ntier = 2\n', ""
    )
    synced = kt(db, "sync", str(write_tiny(tmp_path / "tiny", team=team)), user="lea")
    assert synced.exit_code == 0, synced.output
    kept = kt(db, "log", "--system", "db", "--json")
    assert kept.exit_code == 0 and json.loads(kept.stdout) != []
    typo = kt(db, "log", "--system", "dbb")
    assert typo.exit_code == 2 and "(did you mean db?)" in typo.stderr, typo.stderr
    verb = kt(db, "done", "docs/runbook", "--system", "dbb", user="eve")
    assert verb.exit_code == 2 and "did you mean db" not in verb.stderr
