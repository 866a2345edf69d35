"""The command line writes nothing by mistake: no stray store, no TUI without a terminal,
named copies of the sample, verified and logged restores, checked heads."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from kt_tui.paths import sample_dir
from tests.helpers import DOCS, kt, kt_process, synced_tiny, write_tiny

# --- nothing written by mistake ---------------------------------------------------------


def test_an_invalid_sync_into_no_store_leaves_no_file_or_folder(tmp_path: Path) -> None:
    db = tmp_path / "new" / "kt.db"
    bad = write_tiny(tmp_path / "tiny", docs=DOCS.replace("weight = 2", "weight = -1"))
    r = kt(db, "sync", str(bad))
    assert r.exit_code == 2 and "weight" in r.stderr
    assert not (tmp_path / "new").exists()


def test_identity_database_into_a_new_sqlite_store_leaves_no_file(tmp_path: Path) -> None:
    """Refused because a SQLite store cannot map database users: no file made either."""
    db = tmp_path / "new" / "kt.db"
    folder = write_tiny(tmp_path / "tiny")
    team = folder / "team.toml"
    text = team.read_text(encoding="utf-8")
    team.write_text(text.replace("[handover]\n", '[handover]\nidentity = "database"\n', 1))
    r = kt(db, "sync", str(folder))
    assert r.exit_code == 2 and "handover.identity" in r.stderr, r.stderr
    assert not (tmp_path / "new").exists()


def test_a_dry_run_into_no_store_prints_the_plan_and_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "new" / "kt.db"
    r = kt(db, "sync", str(write_tiny(tmp_path / "tiny")), "--dry-run")
    assert r.exit_code == 0, r.output
    assert "dry run: nothing written" in r.stdout
    assert not (tmp_path / "new").exists()


def test_read_commands_on_a_typo_say_there_is_no_store(tmp_path: Path) -> None:
    synced_tiny(tmp_path)
    for args in (["status"], ["list"], ["log"], ["verify"], ["export", "md"], ["backup", "x.db"]):
        r = kt(tmp_path / "typo.db", *args)
        assert r.exit_code == 2 and "no store here" in r.stderr, args
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["kt.db"]


def test_read_commands_on_a_fresh_home_say_how_to_make_a_store_or_see_the_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the app was ever opened there is no default store: every read command says
    how to make one and how to look at the bundled sample, and creates nothing."""
    from click.testing import CliRunner

    from kt_tui.cli import cli

    monkeypatch.delenv("KT_DB")  # the default store, in a fresh HOME (conftest's)
    for args in (["status"], ["list"], ["queue"], ["log"], ["sessions"], ["export", "md"]):
        r = CliRunner().invoke(cli, args)
        assert r.exit_code == 2 and r.stdout == "", args
        assert r.stderr.endswith(
            "kt-tui.db: no store here: `kt-tui sync DIR` makes one, "
            "or `kt-tui demo` shows the bundled sample mid-way\n"
        ), (args, r.stderr)
    assert not (tmp_path / "xdg-data").exists() and not (tmp_path / "home").exists()


# --- no terminal, no app -----------------------------------------------------------------


def test_plain_kt_tui_without_a_terminal_exits_2_naming_the_commands(tmp_path: Path) -> None:
    p = kt_process(env={"KT_DB": str(tmp_path / "kt.db")}, timeout=30)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "terminal" in lines[0]
    for command in ("sync", "status", "export", "verify"):
        assert command in lines[0]
    assert not (tmp_path / "kt.db").exists()


# --- init --name ----------------------------------------------------------------------------


def _handover_name(db: Path) -> str:
    r = kt(db, "status", "--json")
    assert r.exit_code == 0, r.output
    return str(json.loads(r.stdout)["handover"]["name"])


def test_init_names_the_copy_and_changes_nothing_else(tmp_path: Path) -> None:
    folder = tmp_path / "ours"
    r = kt(tmp_path / "kt.db", "init", str(folder), "--name", 'Acme "payments" handover')
    assert r.exit_code == 0, r.output
    sample = (sample_dir() / "team.toml").read_bytes().splitlines(keepends=True)
    ours = (folder / "team.toml").read_bytes().splitlines(keepends=True)
    changed = [i for i, (a, b) in enumerate(zip(sample, ours, strict=True)) if a != b]
    assert len(changed) == 1 and ours[changed[0]].startswith(b"name = ")
    for other in sample_dir().glob("*.toml"):
        if other.name != "team.toml":
            assert (folder / other.name).read_bytes() == other.read_bytes()
    db = tmp_path / "kt.db"
    assert kt(db, "sync", str(folder)).exit_code == 0
    assert _handover_name(db) == 'Acme "payments" handover'


def test_init_without_a_name_takes_the_folders_name(tmp_path: Path) -> None:
    folder = tmp_path / "billing-transfer"
    assert kt(tmp_path / "kt.db", "init", str(folder)).exit_code == 0
    db = tmp_path / "kt.db"
    assert kt(db, "sync", str(folder)).exit_code == 0
    assert _handover_name(db) == "billing-transfer"


# --- restore ---------------------------------------------------------------------------------


def test_only_a_lead_may_restore(tmp_path: Path) -> None:
    db = synced_tiny(tmp_path)
    assert kt(db, "backup", str(tmp_path / "copy.db")).exit_code == 0
    for who in ("eve", "stranger"):
        r = kt(db, "restore", str(tmp_path / "copy.db"), user=who)
        assert (
            r.exit_code == 1
            and "Only a lead may restore once the store holds a handover" in r.stderr
        ), who
    assert not list(tmp_path.glob("kt.db.before-restore-*"))


def test_a_restore_is_logged_with_its_source_and_head(tmp_path: Path) -> None:
    db = synced_tiny(tmp_path)
    copy = tmp_path / "copy.db"
    assert kt(db, "backup", str(copy)).exit_code == 0
    head = kt(copy, "verify").stdout.split("head ")[1].strip()
    assert kt(db, "done", "onboard/access", user="eve").exit_code == 0
    r = kt(db, "restore", str(copy), user="lea")
    assert r.exit_code == 0, r.output
    events = json.loads(kt(db, "log", "--json").stdout)
    assert events[0]["verb"] == "restore" and events[0]["actor"] == "lea"
    assert events[0]["detail"] == {"from": str(copy), "backup_head": head}
    assert kt(db, "verify").exit_code == 0
    assert '"onboard/access"' not in kt(db, "list", "state:done", "--json").stdout


def test_a_backup_whose_log_fails_verify_is_refused_unless_forced(tmp_path: Path) -> None:
    db = synced_tiny(tmp_path)
    assert kt(db, "done", "onboard/access", user="eve").exit_code == 0
    copy = tmp_path / "copy.db"
    assert kt(db, "backup", str(copy)).exit_code == 0
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE event SET actor = 'lou' WHERE verb = 'done'")
    conn.close()
    r = kt(db, "restore", str(copy), user="lea")
    assert r.exit_code == 1 and "fails verify" in r.stderr
    assert not list(tmp_path.glob("kt.db.before-restore-*"))
    assert kt(db, "restore", str(copy), "--force", user="lea").exit_code == 0


# --- verify --head ---------------------------------------------------------------------------


def test_verify_head_must_be_64_hex_characters_in_either_case(tmp_path: Path) -> None:
    db = synced_tiny(tmp_path)
    head = kt(db, "verify").stdout.split("head ")[1].strip()
    for bad in ("", "abc", "z" * 64):
        r = kt(db, "verify", "--head", bad)
        assert r.exit_code == 2 and "a head is 64 hex characters" in r.stderr, bad
    assert kt(db, "verify", "--head", head.upper()).exit_code == 0
    assert kt(db, "verify", "--head", "0" * 64).exit_code == 1


@pytest.mark.slow
@pytest.mark.parametrize("command", [("list", "--limit", "5000"), ("status",)])
def test_a_reader_that_leaves_early_is_no_refusal(tmp_path: Path, command: tuple[str, ...]) -> None:
    """`kt-tui list | head -1`: the reader left, which is not exit 1 (a refusal, and a
    `set -o pipefail` script's failure); Rich's own handler exited 1."""
    import os
    import subprocess
    import sys

    from bench.generate import size_for, write

    db = tmp_path / "big.db"
    assert kt(db, "sync", str(write(tmp_path / "big", size_for(3_000)))).exit_code == 0
    root = str(Path(__file__).resolve().parent.parent)
    child = subprocess.Popen(
        [sys.executable, "-m", "kt_tui", "--db", str(db), *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": root, "KT_USER": "m0000", "COLUMNS": "400"},
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.readline()
    child.stdout.close()  # as head does, after its line
    assert child.wait(timeout=60) == 0
    assert b"Traceback" not in child.stderr.read()


@pytest.mark.slow
def test_a_bulk_run_whose_reader_left_still_says_its_refusals(tmp_path: Path) -> None:
    """`kt-tui done --where X --yes | head -1`: the refusals go on to stderr and the run
    exits 1 for them (a broken pipe hid both: exit 0, nothing said)."""
    import os
    import subprocess
    import sys

    db = synced_tiny(tmp_path)
    root = str(Path(__file__).resolve().parent.parent)
    child = subprocess.Popen(
        [sys.executable, "-m", "kt_tui", "--db", str(db), "done", "--where", "template:onboard"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": root, "KT_USER": "eve"},
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader left before the first line
    assert child.wait(timeout=60) == 1
    said = child.stderr.read().decode()
    assert "refused, 2 items: Only its receiver (or a lead) may mark it done" in said, said
    assert "Traceback" not in said
