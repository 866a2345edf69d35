"""``list`` and ``list --limit 0`` word every row alike: the first formats InstanceRow
in Python, the second builds each line in SQL (core/labels.py holds both forms).

A handover where every state meets waiting, lapsed, sent back, one party, two parties
and an assessment with and without a score; both listings are read as the command
line prints them to a pipe and compared cell by cell, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from kt_tui.cli import cli
from kt_tui.cli_context import Context
from kt_tui.core import actions
from kt_tui.core.clock import Clock
from kt_tui.core.item_text import LIST_COLUMNS
from kt_tui.core.store import Store
from kt_tui.core.sync import sync
from tests.conftest import FIXED, actor_of

# sixteen receivers: two per scenario, the second of each waits (its prerequisite undone)
SCENARIOS = ("todo", "blocked", "done", "signed", "partly", "sent-back", "sent-back-blocked", "na")
RECEIVERS = [f"r{i:02d}" for i in range(2 * len(SCENARIOS))]
START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _ticking() -> Clock:
    """A clock on 2026-11-01 that moves a second on at each reading: the signatures of
    an instance are given in an order of their own (not their parties')."""
    ticks = itertools.count()
    return Clock(lambda: START + timedelta(seconds=next(ticks)), lambda: START.date())


TEAM = """\
[handover]
name = "Labels"
target_date = 2027-01-31
stages = ["documented"]
min_ready_per_system = 1

[[members]]
handle = "lea"
name = "Lea"
role = "lead"

[[members]]
handle = "lou"
name = "Lou"
role = "lead"

[[members]]
handle = "pia"
name = "Pia"
role = "lead"
side = "provider"

[[members]]
handle = "pat"
name = "Pat"
role = "lead"
side = "provider"

[[systems]]
key = "api"
name = "API"
tier = 1
""" + "".join(
    f'\n[[members]]\nhandle = "{h}"\nname = "Receiver {h}"\nrole = "engineer"\n' for h in RECEIVERS
)

WORK = """\
[template]
key = "w"
title = "Work"
kind = "handover"
scope = "member"
roles = ["engineer"]

[[items]]
key = "base"
title = "Base"
signoff = false

[[items]]
key = "none"
title = "No sign-off"
signoff = false
after = ["base"]

[[items]]
key = "one"
title = "One party"
after = ["base"]

[[items]]
key = "two"
title = "Two parties"
signoff = ["provider-lead", "client-lead"]
after = ["base"]

[[items]]
key = "kept"
title = "Lapses, no sign-off"
signoff = false
valid_for = "7d"

[[items]]
key = "kept2"
title = "Lapses, signed"
valid_for = "7d"
after = ["base"]
"""

QUIZ = """\
[template]
key = "quiz"
title = "Teach-back"
kind = "assessment"
scope = "member"
roles = ["engineer"]

[[items]]
key = "teach"
title = "Teach back"
pass = 3
scale = 4
signoff = ["lead"]
after = ["w/base"]
"""

ITEMS = ("w/none", "w/one", "w/two", "w/kept", "w/kept2", "quiz/teach")


def _build(store: Store, root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for name, body in (("team", TEAM), ("w", WORK), ("quiz", QUIZ)):
        (root / f"{name}.toml").write_text(body, encoding="utf-8")
    earlier = _ticking()
    sync(store, root, actor="lea", login="lea", clock=earlier)

    def act(who: str, verb: str, ref: str, member: str, **kw: object) -> None:
        with store.read() as conn:
            target = actions.resolve_ref(conn, ref, actor_of(store, "lea"), member, verb="x")
        actions.act(store, actor_of(store, who), verb, target, clock=earlier, **kw)  # type: ignore[arg-type]

    def sign_all(ref: str, m: str) -> None:
        if ref == "quiz/teach":
            act("lea", "assess", ref, m, score=3)
        elif ref == "w/two":
            act("pia", "signoff", ref, m)
            act("lea", "signoff", ref, m)
        elif ref in ("w/one", "w/kept2"):
            act("lea", "signoff", ref, m)

    def partly(ref: str, m: str) -> None:
        if ref == "quiz/teach":  # a failed score sends it back to todo, the score kept
            act("lea", "assess", ref, m, score=2)
            act(m, "done", ref, m)  # done again: awaits a new score, shows the old one
        elif ref == "w/two":
            act("pia", "signoff", ref, m)

    def send_back(ref: str, m: str) -> None:
        if ref in ("w/none", "w/kept"):  # nothing to sign, nothing to reject: undone
            act(m, "undo", ref, m)
        else:
            act("lea", "reject", ref, m, reason="not yet")

    steps: dict[str, Callable[[str, str], None]] = {
        "todo": lambda ref, m: None,
        "blocked": lambda ref, m: act(m, "block", ref, m, reason="waits on access"),
        "done": lambda ref, m: None,
        "signed": sign_all,
        "partly": partly,
        "sent-back": send_back,
        "sent-back-blocked": lambda ref, m: (
            send_back(ref, m),
            act(m, "block", ref, m, reason="again"),
        ),
        "na": lambda ref, m: act("lea", "na", ref, m, reason="not here"),
    }
    for i, m in enumerate(RECEIVERS):
        act(m, "done", "w/base", m)
        scenario = SCENARIOS[i // 2]
        for ref in ITEMS:
            if scenario not in ("todo", "blocked", "na"):
                act(m, "done", ref, m)
            steps[scenario](ref, m)
        if i % 2:  # the prerequisite undone: every item after it now waits
            act(m, "undo", "w/base", m)


def _run(db: str, *args: str) -> str:
    obj = Context(db=db, clock=FIXED)  # listed later than the work: "kept" has lapsed
    result = CliRunner().invoke(cli, ["--as", "lea", *args], obj=obj)
    assert result.exit_code == 0, result.output + result.stderr
    return result.stdout


def _table(text: str) -> list[dict[str, str]]:
    """``list``'s table as printed to a pipe (Rich, no box, never cut): each cell is the
    text under its header, from the header's column to the next one's."""
    header, *lines = text.splitlines()
    names = (
        *("REF", "title", "member", "system", "state", "stage", "w", "due"),
        *("done by", "signed by", "signing", "score"),
    )
    starts, at = [], 0
    for name in names:
        at = header.index(name, at)
        starts.append(at)
        at += len(name)
    ends = [*starts[1:], None]
    rows = []
    for line in lines[:-1]:  # the last line counts the items
        rows.append({n: line[s:e].strip() for n, s, e in zip(names, starts, ends, strict=True)})
    return rows


def test_list_and_the_full_listing_word_every_row_alike(store: Store, tmp_path: Path) -> None:
    _build(store, tmp_path / "labels")
    db = store.url
    table = _table(_run(db, "list", "--limit", "10000"))
    head, *lines = _run(db, "list", "--limit", "0").splitlines()
    assert head.split("\t") == list(LIST_COLUMNS)
    streamed = [dict(zip(LIST_COLUMNS, line.split("\t"), strict=True)) for line in lines]
    assert len(table) == len(streamed) == len(RECEIVERS) * (len(ITEMS) + 1)
    renamed = {"ref": "REF"}
    for python, sql in zip(table, streamed, strict=True):
        for col in LIST_COLUMNS:
            assert python[renamed.get(col, col)] == sql[col], (col, python, sql)

    # every combination the wording knows is there
    states = {r["state"] for r in streamed}
    assert {
        "todo",
        "blocked",
        "done",
        "signed_off",
        "na",
        "lapsed",
        "waiting",
        "blocked, waiting",
        "done, waiting",
        "signed_off, waiting",
        "todo (sent back)",
        "blocked (sent back)",
        "waiting (sent back)",
        "blocked, waiting (sent back)",
    } <= states
    signing = {r["signing"] for r in streamed}
    assert {
        "",
        "not needed",  # signoff = false, in every state: as the app says it
        "awaiting assessment",
        "awaiting lead",
        "0 of 2 signed; missing provider-lead, client-lead",
        "1 of 2 signed; missing client-lead",
    } == signing
    assert {r["score"] for r in streamed} == {"", "2/4 (pass 3)", "3/4 (pass 3)"}
    no_signoff = ("w/base", "w/none", "w/kept")
    for r in streamed:  # whatever its state, and only those items
        assert (r["signing"] == "not needed") == (r["ref"] in no_signoff), r

    # the JSON forms carry the same items, field for field
    listed = json.loads(_run(db, "list", "--limit", "10000", "--json"))
    full = json.loads(_run(db, "list", "--limit", "0", "--json"))
    assert listed == full
