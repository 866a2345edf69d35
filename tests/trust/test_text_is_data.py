"""Text is data: user text shows literally in the terminal, never as markup or controls.

The store is written the way an older kt-tui could leave it (titles, names,
notes and evidence holding markup and raw control characters); ``status``,
``list`` and ``log`` must print that text as it is, with every control
character escaped, and exit 0.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import update

from kt_tui.core.actions import act, resolve_ref
from kt_tui.core.clock import Clock
from kt_tui.core.store import open_store
from kt_tui.core.sync import sync
from kt_tui.core.tables import EVENT, ITEM, MEMBER, SYSTEM, TEMPLATE
from tests.conftest import actor_of
from tests.helpers import write_tiny
from tests.test_cli import run

GAPS = "[/docs/gaps.md]"
LINK = "[link=https://x]y[/link]"
ORDERS = "Order service [/api]"
OSC52 = "\x1b]52;c;AAAA\x07"  # a terminal's "write the clipboard"
OSC0 = "\x1b]0;owned\x07"  # a terminal's "set the window title"
CLEAR = "\x1b[2J"
CSI_C1 = "\x9b2J"
RLO = "\u202eexe.txt"  # a bidi override: the rest of the line drawn backwards
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


@pytest.fixture
def hostile(tmp_path: Path, db_url: str, clock: Clock) -> str:
    store = open_store(db_url)
    try:
        sync(store, write_tiny(tmp_path / "tiny"), actor="setup", login="setup", clock=clock)
        eve = actor_of(store, "eve")
        with store.read() as conn:
            runbook = resolve_ref(conn, "docs/runbook", eve, system="db")
        act(store, eve, "done", runbook, evidence="ev", note="n", clock=clock)
        with store.write() as conn:  # as an older store may hold them
            conn.execute(update(ITEM).where(ITEM.c.key == "runbook").values(title=GAPS + OSC52))
            conn.execute(update(ITEM).where(ITEM.c.key == "dr").values(title=LINK + CLEAR + RLO))
            conn.execute(update(TEMPLATE).values(title=LINK))
            conn.execute(update(SYSTEM).where(SYSTEM.c.key == "api").values(name=ORDERS + OSC0))
            conn.execute(update(MEMBER).where(MEMBER.c.handle == "eve").values(name=GAPS + CSI_C1))
            conn.execute(
                update(EVENT)
                .where(EVENT.c.verb == "done")
                .values(note=LINK + CSI_C1, evidence=GAPS + OSC52)
            )
    finally:
        store.dispose()
    return db_url


def _shown(output: str) -> None:
    for raw in RAW:
        assert raw not in output, repr(raw)


@pytest.mark.parametrize(
    ("args", "literal"),
    [
        (("status",), [ORDERS, GAPS, "\\x1b]0;owned\\x07", "\\x9b2J"]),
        (("list", "--limit", "0"), [GAPS, LINK, "\\x1b]52;c;AAAA\\x07", "\\x1b[2J\\u202eexe"]),
        (("log",), [LINK, GAPS, "\\x9b2J", "\\x1b]52;c;AAAA\\x07"]),
    ],
)
def test_user_text_shows_literally_and_controls_escaped(
    hostile: str, args: tuple[str, ...], literal: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # one line per row: the literals stay whole
    r = run(hostile, *args)
    assert r.exit_code == 0, r.output
    for text in literal:
        assert text in r.output, (text, r.output)
    _shown(r.output)


@pytest.mark.parametrize("verb", ["note", "evidence"])
def test_new_text_with_control_characters_is_refused_at_the_cli(tmp_path: Path, verb: str) -> None:
    """Exit 2, nothing written: the same refusal as validation and the TUI's prompt."""
    from click.testing import CliRunner

    from kt_tui.cli import cli
    from tests.helpers import write_tiny

    db = str(tmp_path / "kt.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "sync", str(write_tiny(tmp_path / "t"))]).exit_code == 0
    args = [
        "--db",
        db,
        "--as",
        "eve",
        verb,
        "docs/runbook",
        "x\x1b]52;c;QQ==\x07",
        "--system",
        "db",
    ]
    r = runner.invoke(cli, args)
    assert r.exit_code == 2 and "control character (U+001B)" in r.output
    log = runner.invoke(cli, ["--db", db, "log", "--json"])
    assert verb not in [e["verb"] for e in json.loads(log.output)]


def test_a_broken_templates_keys_reach_the_terminal_escaped(tmp_path: Path) -> None:
    """A template that fails its type checks is still checked for references from its
    raw data (one round of errors): its unvalidated keys, quoted in a cycle's message,
    must not reach stderr as escape sequences (review: an OSC title and colours did)."""
    from click.testing import CliRunner

    from kt_tui.cli import cli

    folder = write_tiny(tmp_path / "t")
    (folder / "bad.toml").write_text(
        "[template]\n"
        'key = "bad\\u001b]0;PWNED\\u0007x"\n'
        'title = "Bad"\nkind = "documentation"\nscope = "member"\nweight = "heavy"\n\n'
        '[[items]]\nkey = "a\\u001b[31mRED"\ntitle = "A"\nafter = ["b\\u001b[32mGREEN"]\n\n'
        '[[items]]\nkey = "b\\u001b[32mGREEN"\ntitle = "B"\nafter = ["a\\u001b[31mRED"]\n',
        encoding="utf-8",
    )
    r = CliRunner().invoke(cli, ["--db", str(tmp_path / "kt.db"), "sync", str(folder)])
    assert r.exit_code == 2, r.output
    assert "PWNED" in r.output  # the problem is reported...
    _shown(r.output)  # ...with its controls escaped
