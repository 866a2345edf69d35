"""Every verb of DESIGN's table from the command line, allowed for one who may and
refused (exit 1, a sentence on stderr, nothing written) for one who may not: the CLI
twin of tests/tui/test_verb_rights_tui.py, on the same item."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import two_sides
from tests.helpers import kt

ITEM = ("handoff/walkthrough", "--system", "api")  # owner provider; signoff receiver + lead
# (verb and its options, setup as (who, verb args), who may, who may not, after)
CASES = [
    (["done"], [], "pete", "eve", {"state": "done", "done_by": "pete"}),
    (["undo"], [("pete", ["done"])], "pete", "eve", {"state": "todo"}),
    (["block", "--reason", "VPN"], [], "pete", "eve", {"state": "blocked", "reason": "VPN"}),
    (["unblock"], [("pete", ["block", "--reason", "VPN"])], "pete", "eve", {"state": "todo"}),
    (["signoff"], [("pete", ["done"])], "eve", "pete", {"state": "done", "signatures": "1"}),
    (["reject", "--reason", "no demo"], [("pete", ["done"])], "eve", "pete", {"state": "todo"}),
    (["na", "--reason", "not ours"], [], "lea", "eve", {"state": "na", "reason": "not ours"}),
    (["reopen"], [("lea", ["na", "--reason", "x"])], "lea", "pete", {"state": "todo"}),
    (["evidence", "wiki/walk"], [], "pete", "eve", {"evidence": "wiki/walk"}),
    (["note", "asked twice"], [], "pete", None, {"note": "asked twice"}),
]
IDS = ["done", "undo", "block", "unblock", "signoff", "reject", "na", "reopen", "evidence", "note"]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "two.db"
    assert kt(path, "sync", str(two_sides.write(tmp_path / "two"))).exit_code == 0
    return path


def _args(verb: list[str]) -> list[str]:
    """The verb, the item, then its options (a positional text goes after the item)."""
    name, rest = verb[0], verb[1:]
    if rest and not rest[0].startswith("--"):
        return [name, ITEM[0], rest[0], *ITEM[1:], *rest[1:]]
    return [name, *ITEM, *rest]


def _item(db: Path) -> dict[str, object]:
    rows = json.loads(kt(db, "list", "walkthrough", "--json").output)
    assert len(rows) == 1
    return rows[0]


def _events(db: Path) -> int:
    return len(json.loads(kt(db, "log", "--json").output))


@pytest.mark.parametrize(("verb", "setup", "may", "may_not", "after"), CASES, ids=IDS)
def test_a_verb_is_allowed_and_refused_by_the_rules(
    db: Path,
    verb: list[str],
    setup: list[tuple[str, list[str]]],
    may: str,
    may_not: str | None,
    after: dict[str, str],
) -> None:
    for who, args in setup:
        assert kt(db, *_args(args), user=who).exit_code == 0
    before, events = _item(db), _events(db)
    if may_not is not None:
        refused = kt(db, *_args(verb), user=may_not)
        assert refused.exit_code == 1, refused.output + refused.stderr
        said = refused.stderr.strip()
        assert said and "Traceback" not in said
        assert _events(db) == events and _item(db) == before  # nothing written
    allowed = kt(db, *_args(verb), user=may)
    assert allowed.exit_code == 0, allowed.output + allowed.stderr
    assert _events(db) == events + 1
    row = _item(db)
    for field, want in after.items():
        value = row.get(field)
        got = str(len(value)) if isinstance(value, list) else str(value)
        assert got == want, (field, got)
    assert kt(db, "verify").exit_code == 0


def test_a_note_is_refused_to_one_who_may_neither_do_nor_sign_the_item(db: Path) -> None:
    """note is open to whoever may do or sign the item (everyone may on the walkthrough
    above): on eve's teach-back, cal, another receiver and no lead, is refused."""
    item = ("note", "quiz/teachback", "asked twice", "--member", "eve")

    def notes() -> list[object]:
        rows = json.loads(kt(db, "list", "teachback", "member:eve", "--json").output)
        assert len(rows) == 1
        return [rows[0].get("note")]

    events, before = _events(db), notes()
    refused = kt(db, *item, user="cal")
    assert refused.exit_code == 1, refused.output + refused.stderr
    assert "cal" in refused.stderr and "Traceback" not in refused.stderr
    assert _events(db) == events and notes() == before  # nothing written
    assert kt(db, *item, user="eve").exit_code == 0
    assert notes() == ["asked twice"] and _events(db) == events + 1
