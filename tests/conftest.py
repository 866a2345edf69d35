"""Keep a developer's own store, user and data out of every test."""

from __future__ import annotations

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


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(str(tmp_path / "kt.db"))
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
