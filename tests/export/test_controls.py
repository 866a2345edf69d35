"""Control characters never reach an md, csv or html export raw; CSV formulas stay inert.

The store holds text the way an older kt-tui could leave it (raw ESC, BEL, C1);
every export shows it escaped (``\\x1b``); JSON keeps it, as ``\\u001b`` escapes.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import literal, select, update

from kt_tui.core.actions import act, resolve_ref
from kt_tui.core.clock import Clock
from kt_tui.core.csv_rows import _cell, _text, csv_cell, neutralise
from kt_tui.core.store import Store
from kt_tui.core.sync import sync
from kt_tui.core.tables import INSTANCE, ITEM, MEMBER, SYSTEM
from kt_tui.export.command import render
from tests.conftest import actor_of
from tests.helpers import write_tiny

OSC52 = "\x1b]52;c;AAAA\x07"
CLEAR = "\x1b[2J"
C1 = "\x9b2J"
DEL = "x\x7fy"
BIDI = "\u202egnp.exe\u202c\u2028"  # reads backwards, then a line break a terminal obeys
RAW = ("\x1b", "\x07", "\x9b", "\x7f", "\u202e", "\u202c", "\u2028")


@pytest.fixture
def older(store: Store, tmp_path: Path, clock: Clock) -> Store:
    sync(store, write_tiny(tmp_path / "tiny"), actor="setup", login="setup", clock=clock)
    eve = actor_of(store, "eve")
    with store.read() as conn:
        runbook = resolve_ref(conn, "docs/runbook", eve, system="db")
    act(store, eve, "done", runbook, evidence="ev", note="n", clock=clock)
    with store.write() as conn:
        conn.execute(update(ITEM).where(ITEM.c.key == "runbook").values(title="Run" + OSC52))
        conn.execute(update(SYSTEM).where(SYSTEM.c.key == "db").values(name="Data" + CLEAR))
        conn.execute(update(MEMBER).where(MEMBER.c.handle == "eve").values(name="Eve" + C1 + BIDI))
        conn.execute(
            update(INSTANCE)
            .where(INSTANCE.c.evidence == "ev")
            .values(evidence="=cmd" + DEL, note="\r=1+1" + OSC52)
        )
    return store


@pytest.mark.parametrize("fmt", ["md", "html", "csv"])
def test_exports_show_control_characters_escaped(older: Store, clock: Clock, fmt: str) -> None:
    text = render(older, fmt, actor=actor_of(older, "lea"), clock=clock)
    for raw in RAW:
        assert raw not in text, (fmt, repr(raw))
    # markdown escapes the backslash of \x1b once more, for itself
    assert ("Run\\\\x1b" if fmt == "md" else "Run\\x1b") in text
    assert "x07" in text
    if fmt != "csv":  # csv has the system's key, not its name
        assert ("Data\\\\x1b" if fmt == "md" else "Data\\x1b") in text


def test_csv_escapes_after_neutralising(older: Store, clock: Clock) -> None:
    text = render(older, "csv", actor=actor_of(older, "lea"), clock=clock)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    done = next(r for r in rows if r["ref"] == "docs/runbook" and r["system"] == "db")
    assert done["title"] == "Run\\x1b]52;c;AAAA\\x07"
    assert done["evidence"] == "'=cmd" + "x\\x7fy"
    assert done["note"] == "'\\x0d=1+1\\x1b]52;c;AAAA\\x07"


def test_json_keeps_text_and_escapes_every_control(older: Store, clock: Clock) -> None:
    text = render(older, "json", actor=actor_of(older, "lea"), clock=clock)
    for raw in RAW:
        assert raw not in text, repr(raw)
    data = json.loads(text)
    assert "Run" + OSC52 in {i["title"] for i in data["items"]}
    assert "Eve" + C1 + BIDI in {m["name"] for m in data["members"]}
    assert "=cmd" + DEL in {i["evidence"] for i in data["items"]}


TRICKY = [
    "",
    "plain",
    "a=b",
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    " =1+1",
    "  +1",
    "\n=1",
    "\n\n@x",
    " \t\r\n-1",
    "\tx",
    "\rx",
    "\t",
    "   ",
    " x=1",
    "\uff1d1+1",
    "\uff0bx",
    "\uff0d1",
    "\uff20x",
    " \uff1d1",
    "\n\uff20x",
    "\x1b=1",
    "'=1",
    "\u3000=1",  # an ideographic space is not skipped: left as it is, in both forms
]


@pytest.mark.parametrize("text", TRICKY)
def test_neutralise_agrees_in_python_and_sql(store: Store, text: str) -> None:
    with store.read() as conn:
        in_sql = conn.execute(select(_text(literal(text), True))).scalar_one()
    assert in_sql == neutralise(text)


@pytest.mark.parametrize(
    "text", [" =1+1", "\n=1", "  +1", " \t\r\n-1", "\uff1d1", "\uff0bx", "\uff0d1", "\uff20x"]
)
def test_blank_led_and_fullwidth_formulas_are_quoted(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", [*TRICKY, "a,b", 'say "hi"', "x\ny", "x\ry", '=a,"b"'])
def test_csv_cells_agree_in_python_and_sql(store: Store, text: str) -> None:
    """A cell made in SQL (neutralised, then quoted) is the one the csv module writes."""
    with store.read() as conn:
        in_sql = conn.execute(
            select(_cell(literal(text), conn.dialect.name, neutralised=True))
        ).scalar_one()
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerow([neutralise(text), "x"])
    assert f"{in_sql},x\r\n" == buf.getvalue() == f"{csv_cell(neutralise(text))},x\r\n"


def test_csv_escapes_a_lone_carriage_return(older: Store, clock: Clock) -> None:
    # the batch's only control is a CR inside a cell (the lines' own CR LF aside)
    with older.write() as conn:
        conn.execute(update(ITEM).where(ITEM.c.key == "runbook").values(title="Run"))
        conn.execute(
            update(INSTANCE).where(INSTANCE.c.note.is_not(None)).values(note="a\rb", evidence="e")
        )
    text = render(older, "csv", actor=actor_of(older, "lea"), clock=clock)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert "a\\x0db" in {r["note"] for r in rows}
    assert "\r" not in text.replace("\r\n", "")
