"""The README is tested: every example in its command table runs against a copy of the
demo store (the bundled sample, mid-way) and exits as the README says: 0, unless the
row says "exit N"."""

from __future__ import annotations

import re
import shlex
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from kt_tui.core.clock import Clock
from kt_tui.core.demo import ANCHOR
from kt_tui.core.service import fill_demo
from kt_tui.core.store import open_store
from tests.helpers import kt

README = Path(__file__).resolve().parents[1] / "README.md"
EXAMPLE = re.compile(r"`(kt-tui[^`]*)`")
# the app itself needs a terminal: those examples are the TUI tests' business
OPENS_THE_APP = ("kt-tui", "kt-tui demo", "kt-tui --db demo.db demo")
SERVES = "kt-tui serve"  # runs until stopped: tests/test_serve.py drives it in Chromium


def command_rows() -> list[tuple[str, list[str]]]:
    text = README.read_text(encoding="utf-8")
    table = text[text.index("| command | example |") :]
    table = table[: table.index("\n\n")]
    rows = []
    for line in table.splitlines()[2:]:
        what, _, examples = line.strip("|").partition("|")
        found = [
            e.strip()
            for e in EXAMPLE.findall(examples)
            if e.strip() not in OPENS_THE_APP and not e.startswith(SERVES)
        ]
        if found:
            rows.append((what.strip(), found))
    return rows


ROWS = command_rows()


# The demo as a new user gets it: built today (the CLI's clock), and on the day the
# sample's calendar is written for (demo.ANCHOR) and two months later: a demo moves the
# sample's dates to the day it is built, so the examples meet the same states any day.
BUILT_ON = {
    "today": date.today(),
    "anchor": ANCHOR,
    "two-months-on": ANCHOR + timedelta(days=61),
}


@pytest.fixture(scope="module", params=list(BUILT_ON), ids=list(BUILT_ON))
def demo_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    day = BUILT_ON[request.param]
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    store = open_store(str(db))
    try:
        fill_demo(store, Clock.fixed(datetime(day.year, day.month, day.day, 9, tzinfo=UTC), day))
    finally:
        store.dispose()
    return db


def command_of(example: str) -> str:
    """The command of an example: its first word after the global options."""
    words = shlex.split(example)[1:]
    while words and words[0] in ("--as", "--db"):
        words = words[2:]
    return words[0] if words else ""


def test_the_table_has_every_command() -> None:
    shown = {command_of(e) for _, examples in ROWS for e in examples}
    for command in ("init", "sync", "status", "list", "done", "signoff", "reject", "assess",
                    "attend", "queue", "na", "reopen", "log", "verify", "export", "backup",
                    "restore", "sessions", "undo", "block", "unblock", "note",
                    "evidence"):  # fmt: skip
        assert command in shown, command


@pytest.mark.parametrize(("what", "examples"), ROWS, ids=[w[:40] for w, _ in ROWS])
def test_each_readme_example_runs_as_the_readme_says(
    what: str,
    examples: list[str],
    demo_store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "kt.db"
    shutil.copyfile(demo_store, db)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KT_USER", raising=False)
    expected = int(m.group(1)) if (m := re.search(r"exit (\d)", what)) else 0
    for example in examples:
        args = shlex.split(example.replace("…", ""))[1:]
        store = db
        if "demo" in args:  # the demo makes its own store: a new one
            store = tmp_path / f"new-{len(list(tmp_path.iterdir()))}.db"
        if "handover/" in args and "init" not in args and not (tmp_path / "handover").exists():
            assert kt(db, "init", "handover/").exit_code == 0  # as the row above does
        r = kt(store, *args)
        assert r.exit_code == expected, f"{example}: exit {r.exit_code}\n{r.output}"
        assert "Traceback" not in r.output


def _bound_keys() -> set[str]:
    """Every key some binding of the app, its screens or widgets names."""
    import importlib
    import inspect
    import pkgutil

    from textual.binding import Binding

    import kt_tui.tui

    keys: set[str] = set()
    for info in pkgutil.walk_packages(kt_tui.tui.__path__, "kt_tui.tui."):
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            for b in getattr(cls, "BINDINGS", []):
                if isinstance(b, Binding):
                    keys.update(k.strip() for k in b.key.split(","))
    from kt_tui.tui.app import KtApp

    keys.add(KtApp.COMMAND_PALETTE_BINDING)  # Textual's own, kept on
    return keys


def test_every_key_of_the_readme_is_bound() -> None:
    """The README's key table promises keys: each is bound somewhere in the app."""
    text = README.read_text(encoding="utf-8")
    table = text.split("| key | does |", 1)[1].split("\n\n", 1)[0]
    names = {"?": "question_mark", "/": "slash", "F1": "f1"}
    promised = {
        names.get(k, k)
        for line in table.splitlines()[2:]
        for k in re.findall(r"`([^`]+)`", line.split("|")[1])
        if k != "…"
    }
    assert {"1", "6", "space", "f1", "question_mark", "x"} <= promised
    missing = promised - _bound_keys()
    assert not missing, missing
