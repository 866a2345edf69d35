"""The command line on prerequisites and lapsing: refusals name what an item waits on,
the ``waiting`` and ``lapsed`` words filter, JSON rows carry waiting_on and lapsed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kt_tui.cli import cli
from tests.helpers import KT, ONBOARD, write_tiny


def run(db: str, *args: str, user: str | None = None) -> Result:
    env = {"KT_USER": user} if user else {}
    return CliRunner().invoke(cli, ["--db", db, *args], env=env, catch_exceptions=False)


@pytest.fixture
def synced(tmp_path: Path, db_url: str) -> str:
    root = write_tiny(
        tmp_path / "tiny",
        kt=KT.replace("weight = 3\n", 'weight = 3\nafter = ["read"]\n'),
        onboard=ONBOARD.replace('due = "T-100d"', 'due = "T-100d"\nvalid_for = "1d"'),
    )
    assert run(db_url, "sync", str(root)).exit_code == 0
    return db_url


def test_done_while_waiting_is_refused_with_what_it_waits_on(synced: str) -> None:
    r = run(synced, "done", "kt/shadow", "--system", "api", user="eve")
    assert r.exit_code == 1
    assert "waits on kt/read (eve, api): todo" in r.output
    assert run(synced, "done", "kt/read", "--system", "api", user="eve").exit_code == 0
    assert run(synced, "signoff", "kt/read", "--member", "eve", "--system", "api", "--as", "lea")
    ok = run(synced, "done", "kt/shadow", "--system", "api", user="eve")
    assert ok.exit_code == 0, ok.output


def test_waiting_and_lapsed_filter_words(synced: str) -> None:
    r = run(synced, "list", "waiting", "--json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert rows and {x["ref"] for x in rows} == {"kt/shadow"}
    assert all(x["waiting_on"] == ["kt/read"] and x["lapsed"] is False for x in rows)
    lines = run(synced, "list", "waiting", "--limit", "0").output.splitlines()
    assert lines[0].split("\t")[3] == "state"
    assert {line.split("\t")[3] for line in lines[1:]} == {"waiting"}
    # nothing has lapsed yet; the word is known
    lapsed = run(synced, "list", "lapsed", "--json")
    assert lapsed.exit_code == 0 and json.loads(lapsed.output) == []


def test_export_rows_carry_lapsed_and_waiting_on(synced: str, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert run(synced, "export", "json", "-o", str(out), user="lea").exit_code == 0
    items = json.loads(out.read_text())["items"]
    shadow = next(i for i in items if i["ref"] == "kt/shadow")
    assert shadow["waiting_on"] == ["kt/read"] and shadow["lapsed"] is False
    csv_out = tmp_path / "r.csv"
    assert run(synced, "export", "csv", "-o", str(csv_out), user="lea").exit_code == 0
    header, *lines = csv_out.read_text().splitlines()
    cols = header.split(",")
    assert "lapsed" in cols and "waiting_on" in cols
    at = cols.index("waiting_on")
    assert any(line.split(",")[at] == "kt/read" for line in lines)
