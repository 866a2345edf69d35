"""Hostile user strings stay inert in every format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from kt_tui.core.actions import act, resolve_ref
from kt_tui.core.clock import Clock
from kt_tui.core.store import Store
from kt_tui.core.sync import sync
from kt_tui.export.command import render
from kt_tui.export.csvfile import cell
from kt_tui.export.markdown import md
from tests.conftest import actor_of
from tests.helpers import DOCS, TEAM, write_tiny

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("x")'
NAME = "Tiny <img src=x onerror=alert(2)> | *bold*"


@pytest.fixture
def hostile(store: Store, tmp_path: Path, clock: Clock) -> Store:
    docs = DOCS.replace('title = "Runbook"', f'title = "{SCRIPT}"').replace(
        'title = "DR plan"', 'title = "=HYPERLINK(\\"x\\")"'
    )
    team = TEAM.replace('name = "Tiny"', f'name = "{NAME}"')
    root = write_tiny(tmp_path / "hostile", docs=docs, team=team)
    sync(store, root, actor="setup", login="setup", clock=clock)
    eve = actor_of(store, "eve")
    lea = actor_of(store, "lea")
    with store.read() as conn:
        dr = resolve_ref(conn, "docs/dr", eve, system="api")
        runbook = resolve_ref(conn, "docs/runbook", eve, system="db")
        selfcheck = resolve_ref(conn, "docs/selfcheck", lea, system="db")
    act(store, eve, "done", dr, evidence="@SUM(A1:A9)", note="-2+3", clock=clock)
    act(store, eve, "done", runbook, evidence="+cmd|' /C calc'!A0", clock=clock)
    act(store, lea, "na", selfcheck, reason="a | pipe, <b>tag</b> and `code`\nnewline", clock=clock)
    return store


def out(store: Store, fmt: str, clock: Clock) -> str:
    return render(store, fmt, actor=actor_of(store, "lea"), clock=clock)


def test_html_escapes_every_user_string(hostile: Store, clock: Clock) -> None:
    html = out(hostile, "html", clock)
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<b>tag</b>" not in html
    assert "<script" not in html.lower()


def test_html_is_self_contained(hostile: Store, clock: Clock) -> None:
    html = out(hostile, "html", clock).lower()
    for needle in ("<script", "<link", "<img", "<iframe", "@import", "url(", 'src="', 'href="'):
        assert needle not in html, needle
    assert "@page" in html and "size: a4" in html
    assert "<svg" in html or "no events yet" in html


def test_markdown_escapes_tables_and_html(hostile: Store, clock: Clock) -> None:
    text = out(hostile, "md", clock)
    assert SCRIPT not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<img" not in text
    assert "a \\| pipe, &lt;b&gt;tag&lt;/b&gt; and \\`code\\` newline" in text
    # every table row keeps its column count: no unescaped pipe leaks from user text
    for block in text.split("\n\n"):
        rows = [r for r in block.splitlines() if r.startswith("| ")]
        if not rows:
            continue
        counts = {r.replace("\\|", "").count("|") for r in rows}
        assert len(counts) == 1, block


def test_md_helper() -> None:
    assert md("a|b") == "a\\|b"
    assert md("*x* _y_ [l](u) `c` ~s~ #h !i") == (
        "\\*x\\* \\_y\\_ \\[l\\](u) \\`c\\` \\~s\\~ \\#h \\!i"
    )
    assert md("<b>&amp;</b> & co") == "&lt;b&gt;&amp;amp;&lt;/b&gt; & co"
    assert md("two\nlines\ttab") == "two lines tab"
    assert md(None) == ""


def test_csv_neutralises_formulas(hostile: Store, clock: Clock) -> None:
    text = out(hostile, "csv", clock)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert rows and text.count("\r\n") == len(rows) + 1  # RFC 4180 line ends
    titles = {r["title"] for r in rows}
    assert "'" + FORMULA in titles
    assert SCRIPT in titles  # CSV is data: not HTML-escaped, just not a formula
    for r in rows:
        for value in r.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    evidences = {r["evidence"] for r in rows}
    assert "'@SUM(A1:A9)" in evidences and "'+cmd|' /C calc'!A0" in evidences
    assert "'-2+3" in {r["note"] for r in rows}
    assert "'" + NAME not in {r["handover"] for r in rows}
    assert rows[0]["handover"] == NAME and {r["handover"] for r in rows[1:]} <= {""}


def test_csv_cell() -> None:
    assert cell("=1+1") == "'=1+1"
    assert cell("\tx") == "'\tx"
    assert cell("\rx") == "'\\x0dx"  # quoted, then the CR shown escaped
    assert cell("a=b") == "a=b"
    assert cell(None) == ""
    assert cell(True) == "true"
    assert cell(3) == "3"


def test_json_keeps_strings_verbatim(hostile: Store, clock: Clock) -> None:
    data = json.loads(out(hostile, "json", clock))
    assert data["handover"]["name"] == NAME
    assert {i["title"] for i in data["items"]} >= {SCRIPT, FORMULA}
