"""The PostgreSQL rows of bench.run: sync against COPY, figures and an action against SQLite's.

Creates a database of its own from an admin URL (``--pg``) and drops it at the end.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.run import Figure, action_on, figures_of, interleaved


def _urls(admin: str) -> tuple[str, str, str]:
    """(psycopg admin dsn, the bench database's name, its SQLAlchemy URL)."""
    from sqlalchemy.engine import make_url

    url = make_url(admin)
    name = f"kt_bench_{os.getpid()}"
    sa_url = url.set(drivername="postgresql+psycopg", database=name)
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return dsn, name, sa_url.render_as_string(hide_password=False)


def bench_postgres(admin: str, folder: Path, runs: int, db: Path) -> list[Figure]:
    import psycopg

    from kt_tui.core.store import open_store
    from kt_tui.core.sync import sync

    dsn, name, url = _urls(admin)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    out: list[Figure] = []
    try:
        store = open_store(url)
        started = time.perf_counter()
        sync(store, folder, actor="bench", login="bench")
        ours = time.perf_counter() - started
        copy_floor = _copy_floor(store)
        ratio = ours / copy_floor
        out += [
            Figure("PostgreSQL: sync into an empty database", [ours], floor="COPY",
                   ratio=ratio, target="<= 2x floor", met=ratio <= 2),
            Figure("  floor: psycopg COPY of the same rows", [copy_floor]),
        ]  # fmt: skip
        sqlite = open_store(str(db))
        today = date.today()
        # each PostgreSQL run beside a SQLite run, in turn: the ratio then measures the
        # stores, not what else the machine did at the time (measured apart, the same
        # commit gave 2x to 3.7x on a quiet machine)
        figs = interleaved(figures_of(sqlite, today), figures_of(store, today), runs)
        # 60 at least: at --runs 1, ten gave a median that a slow first few could move
        acts = interleaved(action_on(sqlite, today), action_on(store, today), max(runs * 20, 60))
        sqlite.dispose()
        store.dispose()
        for label, (theirs, mine), unit, scale in (
            ("PostgreSQL: dashboard figures", figs, "s", 1),
            ("PostgreSQL: one action + its figures", acts, "ms", 1000),
        ):
            ratio = statistics.median(mine) / statistics.median(theirs)
            out += [
                Figure(label, [m * scale for m in mine], unit=unit, floor="SQLite's",
                       ratio=ratio, target="<= 2x SQLite", met=ratio <= 2),
                Figure("  SQLite's, run in turn with it", [t * scale for t in theirs], unit=unit),
            ]  # fmt: skip
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    return out


def _copy_floor(store: Any) -> float:
    """COPY of the instance rows the sync wrote, into a table shaped like theirs."""
    raw = store.engine.raw_connection()
    try:
        cur = raw.cursor()
        cols = [
            r[0]
            for r in cur.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'instance' AND column_name <> 'id' ORDER BY ordinal_position"
            ).fetchall()
        ]
        rows = cur.execute(f"SELECT {', '.join(cols)} FROM instance ORDER BY id").fetchall()
        cur.execute("CREATE TABLE floor_instance (LIKE instance INCLUDING ALL)")
        raw.commit()
        started = time.perf_counter()
        with cur.copy(f"COPY floor_instance ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.commit()
        return time.perf_counter() - started
    finally:
        raw.close()
