"""A store that is damaged, read-only or full says so in one line and exits 2, never 3."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import NO_PG, PG_URL, _reset_pg
from tests.helpers import kt, kt_process, synced_tiny, write_tiny


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def corrupt_middle(db: Path) -> None:
    """Overwrite whole pages in the middle of the file with garbage."""
    size = db.stat().st_size
    page = 4096
    start = (size // page // 2) * page
    with open(db, "r+b") as fh:
        fh.seek(start)
        fh.write(b"\xa5" * page * 2)


def test_a_page_corrupted_store_is_named_damaged_and_not_backed_up(tmp_path: Path) -> None:
    db = synced_tiny(tmp_path)
    for text in ("a long note " * 300, "another " * 300):
        assert kt(db, "note", "onboard/access", text, user="eve").exit_code == 0
    corrupt_middle(db)
    r = kt(db, "verify")
    assert r.exit_code == 2
    assert "store damaged" in one_line(r.stderr) and "restore from a backup" in r.stderr
    r = kt(db, "backup", str(tmp_path / "copy.db"))
    assert r.exit_code == 2 and "store damaged" in one_line(r.stderr)
    assert not (tmp_path / "copy.db").exists()
    for args in (["list", "--limit", "0"], ["log", "--limit", "1000"], ["status"]):
        r = kt(db, *args)
        assert r.exit_code in (0, 2), (args, r.output)
        if r.exit_code == 2:
            assert "store damaged" in one_line(r.stderr)


def test_a_damaged_store_never_ends_in_exit_3_through_the_console_script(tmp_path: Path) -> None:
    db = synced_tiny(tmp_path)
    corrupt_middle(db)
    p = kt_process("--db", str(db), "verify")
    assert p.returncode == 2
    assert "store damaged" in one_line(p.stderr)


@pytest.mark.parametrize(
    ("key", "value"),
    [("target_date", "soon"), ("stages", "[not json"), ("ready_threshold", "lots")],
)
def test_garbage_in_the_settings_is_a_damaged_store(tmp_path: Path, key: str, value: str) -> None:
    db = synced_tiny(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = ?", (value, key))
    r = kt(db, "status")
    assert r.exit_code == 2
    line = one_line(r.stderr)
    assert "store damaged" in line and key in line


def test_garbage_in_the_schema_version_is_a_damaged_store(tmp_path: Path) -> None:
    db = synced_tiny(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = 'x1' WHERE key = 'schema_version'")
    r = kt(db, "status")
    assert r.exit_code == 2 and "store damaged" in one_line(r.stderr)


def test_a_missing_table_is_a_damaged_store(tmp_path: Path) -> None:
    db = synced_tiny(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE event")
    r = kt(db, "log")
    assert r.exit_code == 2
    line = one_line(r.stderr)
    assert "store damaged" in line and "event" in line


def test_a_full_disk_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's own "database or disk is full", through a page limit on each connection."""
    from kt_tui.core import store as store_module

    db = synced_tiny(tmp_path)
    real = store_module._on_connect

    def capped(dbapi_conn: object, record: object) -> None:
        real(dbapi_conn, record)
        cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
        pages = cur.execute("PRAGMA page_count").fetchone()[0]
        cur.execute(f"PRAGMA max_page_count = {pages}")
        cur.close()

    monkeypatch.setattr(store_module, "_on_connect", capped)
    r = kt(db, "note", "onboard/access", "x" * 200_000, user="eve")
    assert r.exit_code == 2
    assert "disk full" in one_line(r.stderr)
    monkeypatch.undo()
    assert kt(db, "verify").exit_code == 0


def _without_write_rights() -> tuple[str, ...] | None:
    """A prefix that runs a child without the right to override file modes (root), or ()."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    caps = "-dac_override,-dac_read_search"
    return (setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}")


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_store_reads_and_refuses_writes_in_one_line(tmp_path: Path, what: str) -> None:
    prefix = _without_write_rights()
    if prefix is None:
        pytest.skip("root without setpriv: file modes cannot be enforced")
    db = synced_tiny(tmp_path)
    if what == "file":
        db.chmod(0o444)
    else:
        db.parent.chmod(0o555)
    try:
        env = {"KT_USER": "eve"}
        p = kt_process("--db", str(db), "status", "--json", env=env, prefix=prefix)
        if what == "file":  # a WAL store in a read-only folder cannot even be read
            assert p.returncode == 0, p.stderr
        else:
            assert p.returncode == 2 and "store is read-only" in one_line(p.stderr)
        p = kt_process("--db", str(db), "note", "onboard/access", "hi", env=env, prefix=prefix)
        assert p.returncode == 2
        assert "store is read-only" in one_line(p.stderr)
    finally:
        db.parent.chmod(0o755)
        db.chmod(0o644)


@pytest.mark.skipif(not PG_URL, reason=NO_PG)
def test_a_nul_character_bound_for_postgresql_is_bad_input(
    tmp_path: Path, pg_database: str
) -> None:
    _reset_pg(pg_database)
    assert kt(pg_database, "sync", str(write_tiny(tmp_path / "tiny"))).exit_code == 0
    r = kt(pg_database, "note", "onboard/access", "a\x00b", user="eve")
    assert r.exit_code == 2, r.output
    one_line(r.stderr)
