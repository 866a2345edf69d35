"""`list blocked`: the blockers for escalation, with reason, who, since, and what waits."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import KT, kt, write_tiny

# kt/shadow waits on kt/read (same member and system): a block on read holds shadow back
WAITING_KT = KT.replace(
    'title = "Shadow a release"', 'title = "Shadow a release"\nafter = ["read"]'
)


def test_list_blocked_names_reason_who_since_and_what_waits(tmp_path: Path) -> None:
    db = tmp_path / "kt.db"
    assert (
        kt(db, "sync", str(write_tiny(tmp_path / "tiny", kt=WAITING_KT)), user="lea").exit_code == 0
    )
    r = kt(db, "block", "kt/read", "--system", "api", "--reason", "no [b]VPN[/b] yet", user="eve")
    assert r.exit_code == 0, r.output
    r = kt(db, "list", "blocked", "--json", user="lea")
    assert r.exit_code == 0
    (b,) = json.loads(r.output)
    assert b["ref"] == "kt/read" and b["member"] == "eve" and b["system"] == "api"
    assert b["reason"] == "no [b]VPN[/b] yet" and b["blocked_by"] == "eve"
    assert b["days"] == 0 and b["waiting"] == 1  # eve's kt/shadow on api waits on it
    assert b["waiting_on_it"] == ["kt/shadow (eve, api)"]
    table = kt(db, "list", "blocked", user="lea").output
    assert "no [b]VPN[/b] yet" in table and "1 blocked item(s)" in table
    status = json.loads(kt(db, "status", "--json", user="lea").output)
    assert status["overall"]["blocked"] == 1


def test_blocked_is_a_filter_word_too(tmp_path: Path) -> None:
    db = tmp_path / "kt.db"
    assert kt(db, "sync", str(write_tiny(tmp_path / "tiny")), user="lea").exit_code == 0
    kt(db, "block", "kt/read", "--system", "db", "--reason", "later", user="eve")
    r = kt(db, "list", "blocked", "member:eve", "--json", user="lea")
    assert [(x["ref"], x["state"]) for x in json.loads(r.output)] == [("kt/read", "blocked")]
