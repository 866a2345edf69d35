"""What sync does its own way on PostgreSQL: the load of a first sync (sync/pg_copy.py:
into an empty table it drops the foreign keys and secondary indexes and makes them
again), and the record of the instances it added (ledger.added_since, in SQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from kt_tui.core import ledger
from kt_tui.core.clock import Clock
from kt_tui.core.store import Store, open_store
from kt_tui.core.sync import pg_copy, sync
from kt_tui.core.verify import verify
from tests.conftest import _reset_pg

SHAPE = """
SELECT 'constraint', conname, pg_get_constraintdef(oid), convalidated::text FROM pg_constraint
WHERE conrelid = 'instance'::regclass
UNION ALL
SELECT 'index', indexrelid::regclass::text, pg_get_indexdef(indexrelid), indisvalid::text
FROM pg_index WHERE indrelid = 'instance'::regclass
ORDER BY 1, 2
"""


def _shape(store: Store) -> list[Any]:
    with store.read() as conn:
        return [tuple(r) for r in conn.execute(text(SHAPE))]


def _rows(store: Store) -> list[Any]:
    with store.read() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT * FROM instance ORDER BY id"))]


def _first_sync(
    url: str, folder: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch, least: int
) -> tuple[Store, list[list[str] | None]]:
    """A fresh store, synced with EMPTY_LOAD_MIN = least; what each _drop_for_load gave."""
    _reset_pg(url)
    monkeypatch.setattr(pg_copy, "EMPTY_LOAD_MIN", least)
    seen: list[list[str] | None] = []
    drop = pg_copy._drop_for_load

    def spy(conn: Any, table: str) -> list[str] | None:
        seen.append(drop(conn, table))
        return seen[-1]

    monkeypatch.setattr(pg_copy, "_drop_for_load", spy)
    store = open_store(url)
    sync(store, folder, actor="t", login="t", clock=clock)
    return store, seen


def test_first_sync_on_postgres_keeps_the_schema_and_the_rows(
    pg_database: str, tiny_dir: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _reset_pg(pg_database)
    fresh = open_store(pg_database)
    created = _shape(fresh)
    fresh.dispose()
    assert any(kind == "constraint" and "FOREIGN KEY" in d for kind, _n, d, _v in created)

    plain, seen = _first_sync(pg_database, tiny_dir, clock, monkeypatch, least=10**9)
    assert seen == []
    want = _rows(plain)
    plain.dispose()

    store, seen = _first_sync(pg_database, tiny_dir, clock, monkeypatch, least=1)
    (statements,) = seen
    assert statements and any("FOREIGN KEY" in s for s in statements)
    assert _shape(store) == created  # same names, definitions, all valid
    assert _rows(store) == want
    with store.read() as conn:
        assert verify(conn).ok
    # a second sync (nothing new, the table not empty) leaves it so
    sync(store, tiny_dir, actor="t", login="t", clock=clock)
    assert len(seen) == 1
    store.dispose()


def test_first_sync_on_postgres_does_not_wait_for_a_reader(
    pg_database: str, tiny_dir: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transaction holding a table the load would lock: the plain COPY, no waiting."""
    _reset_pg(pg_database)
    open_store(pg_database).dispose()  # the schema, for the reader
    reader = create_engine(pg_database)
    with reader.connect() as conn, conn.begin():
        conn.execute(text("SELECT count(*) FROM member"))
        monkeypatch.setattr(pg_copy, "EMPTY_LOAD_MIN", 1)
        seen: list[list[str] | None] = []
        drop = pg_copy._drop_for_load
        monkeypatch.setattr(
            pg_copy, "_drop_for_load", lambda c, t: seen.append(drop(c, t)) or seen[-1]
        )
        store = open_store(pg_database)
        sync(store, tiny_dir, actor="t", login="t", clock=clock)
    reader.dispose()
    assert seen == [None]
    with store.read() as conn:
        assert verify(conn).ok
    store.dispose()


def test_added_since_in_sql_is_the_ledger_s_record(
    pg_database: str, tiny_dir: Path, clock: Clock
) -> None:
    """The same runs, count and digest as identity_digest over the rows, with gaps in
    the ids and instances without a member or a system."""
    _reset_pg(pg_database)
    store = open_store(pg_database)
    sync(store, tiny_dir, actor="t", login="t", clock=clock)
    with store.engine.connect() as conn, conn.begin() as tx:
        conn.execute(text("DELETE FROM instance WHERE id IN (2, 3, 7)"))
        nulls = conn.execute(
            text("SELECT count(*) FROM instance WHERE member_id IS NULL OR system_id IS NULL")
        ).scalar()
        assert nulls
        for before in (0, 1, 4, 7, 10**6):  # gaps, one run, none
            ids = [
                i
                for (i,) in conn.execute(
                    text(f"SELECT id FROM instance WHERE id > {before} ORDER BY id")
                )
            ]
            id_runs = ledger.runs(ids)
            n, digest = ledger.identity_digest(ledger._identity_rows(conn, id_runs))
            want = {"runs": id_runs, "count": n, "sha256": digest}
            assert ledger.added_since(conn, before) == want
        assert len(ledger.added_since(conn, 0)["runs"]) == 3
        tx.rollback()
    store.dispose()
