"""Fixtures of the TUI tests: a temp store file with the bundled sample, a fixed clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from kt_tui.core.clock import Clock
from kt_tui.core.identity import Actor, resolve_actor
from kt_tui.core.store import Store, open_store
from kt_tui.core.sync import sync
from kt_tui.paths import sample_dir
from kt_tui.tui.app import KtApp

FIXED_CLOCK = Clock.fixed(datetime(2026, 11, 25, 9, 0, tzinfo=UTC), date(2026, 11, 25))


@pytest.fixture(autouse=True)
def _tui_isolation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KT_DB", str(tmp_path / "kt-env.db"))
    monkeypatch.delenv("KT_USER", raising=False)


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    """A temp store FILE holding the bundled sample."""
    path = str(tmp_path / "kt.db")
    store = open_store(path)
    try:
        sync(store, sample_dir(), actor="test", login="test", clock=FIXED_CLOCK)
    finally:
        store.dispose()
    return path


@pytest.fixture
def make_app(db_path: str) -> Callable[..., KtApp]:
    def make(as_handle: str | None = "tomas") -> KtApp:
        return KtApp(db=db_path, as_handle=as_handle, clock=FIXED_CLOCK)

    return make


def core_store(db_path: str) -> Store:
    return open_store(db_path)


def actor_of(store: Store, handle: str) -> Actor:
    with store.read() as conn:
        return resolve_actor(store, conn, handle)


async def wait_loaded(
    pilot: Pilot[None], what: str, at_least: int = 1, timeout: float = 10
) -> None:
    """Wait for the app's own Loaded message (the count of ``what`` reaching ``at_least``)."""
    app = pilot.app
    assert isinstance(app, KtApp)
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while app.loaded[what] < at_least:
        if loop.time() > end:
            raise AssertionError(f"{what} never loaded ({app.loaded})")
        await pilot.pause(0.02)
    await pilot.pause()


async def wait_until(pilot: Pilot[None], check: Callable[[], bool], timeout: float = 5) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not check():
        if loop.time() > end:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.05)
