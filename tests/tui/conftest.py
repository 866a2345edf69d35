"""Fixtures of the TUI tests: a temp store file with the frozen format-1 sample, a fixed clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from textual.message import Message
from textual.pilot import Pilot

from kt_tui.core.clock import Clock
from kt_tui.core.identity import Actor, resolve_actor
from kt_tui.core.store import Store, open_store
from kt_tui.core.sync import sync
from kt_tui.tui.app import KtApp
from kt_tui.tui.messages import Loaded
from tests.helpers import FORMAT1

M = TypeVar("M", bound=Message)

FIXED_CLOCK = Clock.fixed(datetime(2026, 11, 25, 9, 0, tzinfo=UTC), date(2026, 11, 25))


@pytest.fixture(autouse=True)
def _tui_isolation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No developer's own store, user or config (keymap) reaches a test."""
    monkeypatch.setenv("KT_DB", str(tmp_path / "kt-env.db"))
    monkeypatch.setenv("KT_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.delenv("KT_USER", raising=False)


@pytest.fixture
def messages() -> list[Message]:
    """What ``app.run_test(message_hook=messages.append)`` saw."""
    return []


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    """A temp store FILE holding the frozen format-1 sample (tests/fixtures/format1)."""
    path = str(tmp_path / "kt.db")
    store = open_store(path)
    try:
        sync(store, FORMAT1, actor="test", login="test", clock=FIXED_CLOCK)
    finally:
        store.dispose()
    return path


@pytest.fixture
def two_db(tmp_path: Path) -> str:
    """A temp store FILE holding the small two-sided handover (tests/two_sides.py)."""
    from tests import two_sides

    path = str(tmp_path / "two.db")
    store = open_store(path)
    try:
        sync(store, two_sides.write(tmp_path / "two"), actor="lea", login="lea", clock=FIXED_CLOCK)
    finally:
        store.dispose()
    return path


@pytest.fixture
def make_app(db_path: str) -> Callable[..., KtApp]:
    def make(as_handle: str | None = "tomas", start: str | None = "dashboard") -> KtApp:
        return KtApp(db=db_path, as_handle=as_handle, clock=FIXED_CLOCK, start=start)

    return make


def core_store(db_path: str) -> Store:
    return open_store(db_path)


def actor_of(store: Store, handle: str) -> Actor:
    with store.read() as conn:
        return resolve_actor(store, conn, handle)


async def wait_for(
    pilot: Pilot[None],
    messages: list[Message],
    kind: type[M],
    check: Callable[[M], bool] | None = None,
    count: int = 1,
    timeout: float = 10,
) -> M:
    """Wait until ``count`` messages of ``kind`` (passing ``check``) were seen; the last."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        # a bubbling message reaches the hook once per node it passes: count it once
        unique = {id(m): m for m in messages if isinstance(m, kind)}.values()
        seen = [m for m in unique if check is None or check(m)]
        if len(seen) >= count:
            await pilot.pause()
            return seen[count - 1]
        if loop.time() > end:
            raise AssertionError(f"{count} x {kind.__name__} never seen (saw {len(seen)})")
        await pilot.pause(0.02)


async def wait_loaded(
    pilot: Pilot[None], messages: list[Message], what: str, count: int = 1, timeout: float = 20
) -> None:
    """Wait for the ``count``-th Loaded(what): a screen's data on screen."""
    await wait_for(pilot, messages, Loaded, lambda m: m.what == what, count, timeout)


async def wait_until(pilot: Pilot[None], check: Callable[[], bool], timeout: float = 20) -> None:
    """Wait for ``check``: a passing test waits only as long as it needs, so the limit is
    generous (a 2-core CI machine running the suite beside itself is slow)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not check():
        if loop.time() > end:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.05)
