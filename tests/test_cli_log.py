"""`log REF` checks its REF as the verbs do: a typo exits 2 with the closest item, never
an empty log that looks like an item nobody touched; an item since removed or renamed
keeps its history readable."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import DOCS, kt, synced_tiny, write_tiny


def test_log_of_a_ref_that_names_no_item_exits_2_with_the_closest(tmp_path: Path) -> None:
    db = synced_tiny(tmp_path)
    r = kt(db, "log", "onboard/acess")
    assert r.exit_code == 2 and r.stdout == ""
    assert "onboard/acess: no such item (did you mean access?)" in r.stderr
    r = kt(db, "log", "onbaord/access")
    assert r.exit_code == 2
    assert "onbaord/access: no such item: no template 'onbaord' (did you mean onboard?)" in (
        r.stderr
    )
    r = kt(db, "log", "access")
    assert r.exit_code == 2 and "REF must be template/item" in r.stderr
    # the verbs say the same of the same typo
    verb = kt(db, "done", "onboard/acess", user="eve")
    assert verb.exit_code == 2 and "onboard/acess: no such item (did you mean access?)" in (
        verb.stderr
    )


def test_log_of_an_item_with_no_events_yet_is_empty(tmp_path: Path) -> None:
    db = synced_tiny(tmp_path)
    r = kt(db, "log", "onboard/access", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout) == []


def test_log_of_a_removed_or_renamed_item_still_shows_its_history(tmp_path: Path) -> None:
    db = synced_tiny(tmp_path)
    assert kt(db, "done", "docs/runbook", "--system", "api", user="eve").exit_code == 0
    assert kt(db, "done", "docs/selfcheck", "--system", "api", user="eve").exit_code == 0
    renamed = DOCS.replace('key = "runbook"', 'key = "run-book"\nrenamed_from = ["runbook"]')
    without_selfcheck = renamed[: renamed.index('[[items]]\nkey = "selfcheck"')]
    folder = write_tiny(tmp_path / "tiny", docs=without_selfcheck)
    assert kt(db, "sync", str(folder), user="lea").exit_code == 0
    for ref in ("docs/runbook", "docs/selfcheck"):
        r = kt(db, "log", ref, "--json")
        assert r.exit_code == 0, (ref, r.output)
        assert [e["verb"] for e in json.loads(r.stdout)] == ["done"], ref
    # the new REF carries the history written under the old one (DESIGN: renamed_from
    # carries instances, state and history), and what comes after it
    assert kt(db, "note", "docs/run-book", "--system", "api", "see v2", user="eve").exit_code == 0
    new = json.loads(kt(db, "log", "docs/run-book", "--json").stdout)
    assert [(e["verb"], e["ref"]) for e in new] == [
        ("note", "docs/run-book"),
        ("done", "docs/runbook"),
    ]


def test_log_limit_0_is_every_event_as_list_s_is(tmp_path: Path) -> None:
    db = synced_tiny(tmp_path)
    for ref, system in (("docs/runbook", "api"), ("docs/selfcheck", "api"), ("docs/runbook", "db")):
        assert kt(db, "done", ref, "--system", system, user="eve").exit_code == 0
    every = kt(db, "log", "--limit", "0", "--json")
    assert every.exit_code == 0, every.output  # it was a usage error
    assert len(json.loads(every.stdout)) == 4  # the sync and the three
    assert len(json.loads(kt(db, "log", "--limit", "2", "--json").stdout)) == 2
