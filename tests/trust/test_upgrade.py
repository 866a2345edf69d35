"""A store of the first released schema opens with the current code, everything intact."""

from __future__ import annotations

import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest

from kt_tui.core import readiness, rollup, verify
from kt_tui.core.errors import StoreError
from kt_tui.core.models import SCHEMA_VERSION
from kt_tui.core.store import open_store

SCRIPT = Path(__file__).with_name("schema_v1.sql")


def v1_store(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.executescript(SCRIPT.read_text(encoding="utf-8"))
    return path


def rows(path: Path, table: str, columns: str = "*") -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT {columns} FROM {table} ORDER BY 1").fetchall()


def test_v1_store_is_migrated_with_everything_kept(tmp_path: Path) -> None:
    db = v1_store(tmp_path / "old.db")
    instances, events = rows(db, "instance"), rows(db, "event")
    store = open_store(str(db))
    with store.read() as conn:
        assert store.meta(conn)["schema_version"] == str(SCHEMA_VERSION)
        st = readiness.status(store, conn, date(2026, 11, 25))
        assert verify.verify(conn).ok
    store.dispose()
    # every column the old store had keeps its value; the new ones follow them
    assert [r[: len(instances[0])] for r in rows(db, "instance")] == instances
    assert [r[: len(events[0])] for r in rows(db, "event")] == events
    assert st is not None
    eve = next(m for m in st.members if m.handle == "eve")
    # kt/read@api signed off (1) + onboard/access done, no sign-off needed (1), of 9
    assert eve.figures.readiness == pytest.approx(2 / 9)
    assert st.overall.items == 13  # docs/dr@api is n/a
    cell = st.cell("eve", "api")
    assert cell is not None and cell.figures.level == "documented"
    backup = tmp_path / "old.db.v1.bak"
    assert backup.is_file()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert len(rows(backup, "event")) == len(events)


def test_rollup_after_migration_equals_direct_aggregation(tmp_path: Path) -> None:
    """The migration's own (frozen) counter SQL gives what a fresh count of the items
    gives, group by group and due day by due day (so every day's overdue too)."""
    store = open_store(str(v1_store(tmp_path / "old.db")))
    with store.read() as conn:
        assert rollup.recount_difference(conn) == ""
        assert readiness.status(store, conn, date(2026, 11, 25)) is not None
    store.dispose()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = v1_store(tmp_path / "new.db")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 99, newer than this kt-tui's"):
        open_store(str(db))


def test_new_store_is_private(tmp_path: Path) -> None:
    db = tmp_path / "private.db"
    open_store(str(db)).dispose()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
