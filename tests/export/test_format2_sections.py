"""The summary's format-2 sections: handover-wide items, blockers, competency; and the
verdict where no system has anything counted."""

from __future__ import annotations

import json
from pathlib import Path

from tests.core.test_audience import GOLIVE, TEAM2
from tests.helpers import DOCS, kt, write_tiny

QUIZ = """
[template]
key = "quiz"
title = "Teach-back"
kind = "assessment"
scope = "member"
sides = ["client"]
roles = ["engineer"]
signoff = ["lead"]

[[items]]
key = "teachback"
title = "Teach back the failover"
pass = 3
"""


def test_md_html_and_json_carry_handover_items_blockers_and_competency(tmp_path: Path) -> None:
    db = tmp_path / "kt.db"
    root = write_tiny(tmp_path / "tiny", team=TEAM2, golive=GOLIVE, quiz=QUIZ)
    assert kt(db, "sync", str(root), user="lea").exit_code == 0
    hostile = "VPN <script>alert(1)</script> | *now*"
    assert (
        kt(db, "block", "kt/read", "--system", "api", "--reason", hostile, user="eve").exit_code
        == 0
    )
    assert (
        kt(db, "assess", "quiz/teachback", "--member", "eve", "--score", "2", user="lea").exit_code
        == 0
    )
    md = kt(db, "export", "md", user="lea").output
    assert "**Handover-wide items**" in md and "0 of 1 complete" in md
    assert "## Blockers (1)" in md and "VPN <script>" not in md  # escaped
    assert "| eve | `quiz/teachback` |   | 2/4 ✗ | 3 |" in md
    # the handover's own item is open for the handover, in a group of its own (it was
    # "the system", under "Per member (no system)")
    approval = next(line for line in md.splitlines() if line.startswith("| `golive/approval`"))
    assert "| the handover |" in approval and "the system" not in approval
    assert "| - | Handover-wide | 1 |" in md
    html = kt(db, "export", "html", user="lea").output
    assert "Handover-wide items" in html and "<script>alert" not in html
    assert "2/4 ✗" in html
    data = json.loads(kt(db, "export", "json", user="lea").output)
    assert data["handover_items"]["items"] == 1
    handover = {"scope": "handover", "name": "Handover-wide", "open_items": 1}
    assert handover.items() <= data["missing"][-1].items()
    assert data["blockers"][0]["reason"] == hostile and data["blockers"][0]["blocked_by"] == "eve"
    assert data["competency"][0]["score"] == 2 and data["competency"][0]["passed"] is False


def test_with_no_system_counted_the_verdict_follows_overall_readiness(tmp_path: Path) -> None:
    db = tmp_path / "kt.db"
    only_member_items = write_tiny(tmp_path / "tiny", docs=DOCS.replace("scope = ", "# "), kt="")
    # every file but the onboarding one (member scope) is gone or invalid: keep it valid
    (only_member_items / "docs.toml").unlink()
    assert kt(db, "sync", str(only_member_items), user="lea").exit_code == 0
    for who in ("lea", "lou", "eve"):
        assert kt(db, "done", "onboard/access", user=who).exit_code == 0
    data = json.loads(kt(db, "export", "json", user="lea").output)
    assert all(s["can_transfer"] is None for s in data["systems"])
    assert data["overall"]["readiness"] == 1.0
    assert data["go_no_go"]["level"] == "green", data["go_no_go"]


def test_a_blocker_names_what_waits_on_it_in_every_export(tmp_path: Path) -> None:
    """Escalation needs whom a block holds up, not a count: eve's blocked read holds
    back her shadowing on the same system."""
    from tests.core.test_waiting import KT_AFTER

    db = tmp_path / "kt.db"
    root = write_tiny(tmp_path / "tiny", kt=KT_AFTER)
    assert kt(db, "sync", str(root), user="lea").exit_code == 0
    blocked = kt(db, "block", "kt/read", "--system", "api", "--reason", "no VPN", user="eve")
    assert blocked.exit_code == 0
    md = kt(db, "export", "md", user="lea").output
    blockers = md.split("## Blockers (1)", 1)[1].split("\n## ", 1)[0]
    assert "Waiting on it" in blockers and "kt/shadow (eve, api)" in blockers
    html = kt(db, "export", "html", user="lea").output
    assert "kt/shadow (eve, api)" in html.split("Blockers", 1)[1]
    data = json.loads(kt(db, "export", "json", user="lea").output)
    assert data["blockers"][0]["waiting_on_it"] == ["kt/shadow (eve, api)"]
