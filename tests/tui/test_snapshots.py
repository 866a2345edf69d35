"""Snapshot tests: each taken after the app's own Loaded message, never after a sleep."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from kt_tui.tui.app import KtApp
from tests.tui.conftest import wait_loaded
from tests.tui.test_app import core_act, rows_of

SIZE = (120, 40)


def test_dashboard(snap_compare: Any, make_app: Callable[..., KtApp], db_path: str) -> None:
    for r in rows_of(db_path, member="ben")[:12]:
        core_act(db_path, "ben", "done", r.id, evidence="E-1")

    async def run_before(pilot: Pilot[None]) -> None:
        await wait_loaded(pilot, "dashboard")
        await wait_loaded(pilot, "burnup")

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_checklist(snap_compare: Any, make_app: Callable[..., KtApp], db_path: str) -> None:
    for r in rows_of(db_path, member="ben")[:3]:
        core_act(db_path, "ben", "done", r.id, evidence="E-1")

    async def run_before(pilot: Pilot[None]) -> None:
        await wait_loaded(pilot, "dashboard")
        await pilot.press("down", "down", "enter")
        await wait_loaded(pilot, "checklist")
        await pilot.press("down")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_queue(snap_compare: Any, make_app: Callable[..., KtApp], db_path: str) -> None:
    for handle in ("ben", "chloe", "dev"):
        for r in [r for r in rows_of(db_path, member=handle) if r.signoff][:2]:
            core_act(db_path, handle, "done", r.id, evidence="TICKET-7")

    async def run_before(pilot: Pilot[None]) -> None:
        await wait_loaded(pilot, "dashboard")
        await pilot.press("S")
        await wait_loaded(pilot, "queue")
        await pilot.press("space", "down")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_help(snap_compare: Any, make_app: Callable[..., KtApp]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await wait_loaded(pilot, "dashboard")
        await pilot.press("enter")
        await wait_loaded(pilot, "checklist")
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_dashboard_small(snap_compare: Any, make_app: Callable[..., KtApp]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await wait_loaded(pilot, "dashboard")
        await wait_loaded(pilot, "burnup")

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_dashboard_wide(snap_compare: Any, make_app: Callable[..., KtApp], db_path: str) -> None:
    for handle, n in (("chloe", 30), ("ben", 12), ("dev", 6)):
        for r in rows_of(db_path, member=handle)[:n]:
            core_act(db_path, handle, "done", r.id, evidence="E-2")
            if r.signoff:
                core_act(db_path, "asha", "signoff", r.id)

    async def run_before(pilot: Pilot[None]) -> None:
        await wait_loaded(pilot, "dashboard")
        await wait_loaded(pilot, "burnup")

    assert snap_compare(make_app(), terminal_size=(160, 48), run_before=run_before)
