"""Keep a developer's own store, user and data out of every test."""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kt_tui.core.clock import Clock
from kt_tui.core.identity import Actor, resolve_actor
from kt_tui.core.store import Store, open_store
from kt_tui.core.sync import sync
from tests.helpers import write_tiny

FIXED = Clock.fixed(datetime(2026, 11, 25, 9, 0, tzinfo=UTC), date(2026, 11, 25))


@pytest.fixture(autouse=True)
def _isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KT_DB", str(tmp_path / "isolated.db"))
    monkeypatch.delenv("KT_USER", raising=False)
    monkeypatch.delenv("KT_DEBUG", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture
def clock() -> Clock:
    return FIXED


PG_URL = os.environ.get("KT_TEST_PG_URL")
NO_PG = "KT_TEST_PG_URL is not set: the PostgreSQL run of this test is skipped"

# Measured with --durations=25 (serial run, 2 cores): the tests over about 2.5 s.
# Node ids without the parametrization; every parametrized case is slow.
SLOW = {
    "tests/trust/test_crash.py::test_killed_sync_leaves_old_or_new_state",
    "tests/trust/test_concurrency.py::test_four_processes_at_once",
    "tests/tui/test_app.py::test_filter_tokens",
    "tests/tui/test_app.py::test_na_and_block_ask_for_reasons",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark ``pg`` the tests that need the server, ``slow`` the ones listed in SLOW.

    A PostgreSQL test is one that asks for ``pg_database``, runs the ``postgresql``
    case of ``db_url``, or is skipped without KT_TEST_PG_URL (the NO_PG reason), so
    a new PostgreSQL test is marked without an edit here.
    """
    seen = set()
    for item in items:
        base = item.nodeid.split("[", 1)[0]
        if base in SLOW:
            seen.add(base)
            item.add_marker(pytest.mark.slow)
        callspec = getattr(item, "callspec", None)
        if (
            "pg_database" in getattr(item, "fixturenames", ())
            or (callspec is not None and callspec.params.get("db_url") == "postgresql")
            or any(m.kwargs.get("reason") == NO_PG for m in item.iter_markers("skipif"))
        ):
            item.add_marker(pytest.mark.pg)
    collected_files = {item.nodeid.split("::", 1)[0] for item in items}
    for stale in sorted(SLOW - seen):
        if stale.split("::", 1)[0] in collected_files:
            warnings.warn(f"SLOW names {stale}, which no longer exists", stacklevel=1)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A database of its own on the server KT_TEST_PG_URL names, dropped at the end.

    One per session, and so one per pytest-xdist worker (named for the worker, ``gw0``,
    ``gw1``..., and the process): workers never share a database.
    """
    assert PG_URL
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"kt_test_{worker}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _reset_pg(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason=NO_PG)),
    ]
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store location: a SQLite file, or an emptied PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "kt.db")
    url: str = request.getfixturevalue("pg_database")
    _reset_pg(url)
    return url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = open_store(db_url)
    yield s
    s.dispose()


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    return write_tiny(tmp_path / "tiny")


@pytest.fixture
def tiny(store: Store, tiny_dir: Path, clock: Clock) -> Store:
    sync(store, tiny_dir, actor="setup", login="setup", clock=clock)
    return store


def actor_of(store: Store, handle: str) -> Actor:
    with store.read() as conn:
        return resolve_actor(store, conn, handle)
