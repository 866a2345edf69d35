"""Snapshot tests: each taken after the screens' own Loaded messages, never after a sleep."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual import on
from textual.message import Message
from textual.pilot import Pilot

from kt_tui.tui.app import KtApp
from kt_tui.tui.messages import Loaded
from tests.tui.conftest import wait_loaded
from tests.tui.test_app import core_act, rows_of

SIZE = (120, 40)


class Watched(KtApp):
    """snap_compare runs the app without a message hook: the screens' Loaded messages
    bubble up to the app, which keeps them for run_before."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seen: list[Message] = []

    @on(Loaded)
    def _seen(self, message: Loaded) -> None:
        self.seen.append(message)


async def loaded(pilot: Pilot[None], what: str) -> None:
    app = pilot.app
    assert isinstance(app, Watched)
    await wait_loaded(pilot, app.seen, what)


def watched(make_app: Callable[..., KtApp]) -> Watched:
    """The app on a copy of the test's store in a folder named after the test: the context
    bar names the store, and a snapshot must not depend on pytest's temp folder. The file
    has the default store's name, so the bar at 80 columns is the one a user sees."""
    app = make_app()
    assert app.db is not None
    test = os.environ["PYTEST_CURRENT_TEST"].split("::")[-1].split(" ")[0]
    fixed = Path(tempfile.gettempdir()) / "kt-tui-snapshots" / test / "kt-tui.db"
    fixed.parent.mkdir(parents=True, exist_ok=True)
    fixed.unlink(missing_ok=True)
    shutil.copyfile(app.db, fixed)
    return Watched(db=str(fixed), as_handle=app.as_handle, clock=app.clock, start="dashboard")


def test_dashboard(snap_compare: Any, make_app: Callable[..., KtApp], db_path: str) -> None:
    for r in rows_of(db_path, member="ben")[:12]:
        core_act(db_path, "ben", "done", r.id, evidence="E-1")

    async def run_before(pilot: Pilot[None]) -> None:
        await loaded(pilot, "dashboard")
        await loaded(pilot, "burnup")

    assert snap_compare(watched(make_app), terminal_size=SIZE, run_before=run_before)


def test_checklist(snap_compare: Any, make_app: Callable[..., KtApp], db_path: str) -> None:
    for r in rows_of(db_path, member="ben")[:3]:
        core_act(db_path, "ben", "done", r.id, evidence="E-1")

    async def run_before(pilot: Pilot[None]) -> None:
        await loaded(pilot, "dashboard")
        await pilot.press("down", "down", "enter")
        await loaded(pilot, "checklist")
        await pilot.press("down")
        await pilot.pause()

    assert snap_compare(watched(make_app), terminal_size=SIZE, run_before=run_before)


def test_queue(snap_compare: Any, make_app: Callable[..., KtApp], db_path: str) -> None:
    for handle in ("ben", "chloe", "dev"):
        for r in [r for r in rows_of(db_path, member=handle) if r.signoff][:2]:
            core_act(db_path, handle, "done", r.id, evidence="TICKET-7")

    async def run_before(pilot: Pilot[None]) -> None:
        await loaded(pilot, "dashboard")
        await pilot.press("S")
        await loaded(pilot, "queue")
        await pilot.press("space", "down")
        await pilot.pause()

    assert snap_compare(watched(make_app), terminal_size=SIZE, run_before=run_before)


def test_help(snap_compare: Any, make_app: Callable[..., KtApp]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await loaded(pilot, "dashboard")
        await pilot.press("enter")
        await loaded(pilot, "checklist")
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(watched(make_app), terminal_size=SIZE, run_before=run_before)


def test_dashboard_small(snap_compare: Any, make_app: Callable[..., KtApp]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await loaded(pilot, "dashboard")
        await loaded(pilot, "burnup")

    assert snap_compare(watched(make_app), terminal_size=(80, 24), run_before=run_before)


def test_dashboard_wide(snap_compare: Any, make_app: Callable[..., KtApp], db_path: str) -> None:
    for handle, n in (("chloe", 30), ("ben", 12), ("dev", 6)):
        for r in rows_of(db_path, member=handle)[:n]:
            core_act(db_path, handle, "done", r.id, evidence="E-2")
            if r.signoff:
                core_act(db_path, "asha", "signoff", r.id)

    async def run_before(pilot: Pilot[None]) -> None:
        await loaded(pilot, "dashboard")
        await loaded(pilot, "burnup")

    assert snap_compare(watched(make_app), terminal_size=(160, 48), run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_checklist_sizes(
    snap_compare: Any, make_app: Callable[..., KtApp], db_path: str, size: tuple[int, int]
) -> None:
    """At 80x24 an item's state and due date stay; the columns that do not fit fold away
    (the detail pane shows them)."""
    rows = rows_of(db_path, member="ben")
    for r in rows[:3]:
        core_act(db_path, "ben", "done", r.id, evidence="E-1")
    core_act(db_path, "ben", "block", rows[4].id, reason="waits on VPN")

    async def run_before(pilot: Pilot[None]) -> None:
        await loaded(pilot, "dashboard")
        await pilot.press("down", "down", "enter")
        await loaded(pilot, "checklist")
        await pilot.pause()

    assert snap_compare(watched(make_app), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("view", ["3", "4", "5"], ids=["queue", "sessions", "blockers"])
@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_views_at(
    snap_compare: Any,
    make_app: Callable[..., KtApp],
    db_path: str,
    view: str,
    size: tuple[int, int],
) -> None:
    """At 80x24 the queue keeps who and the evidence, sessions their time, blockers
    their reason and age; the rest is cut or in the detail pane."""
    rows = [r for r in rows_of(db_path, member="ben") if r.signoff]
    for r in rows[:2]:
        core_act(db_path, "ben", "done", r.id, evidence="TICKET-7")
    core_act(db_path, "ben", "block", rows[3].id, reason="waits on the VPN token")
    what = {"3": "queue", "4": "sessions", "5": "blockers"}[view]

    async def run_before(pilot: Pilot[None]) -> None:
        await loaded(pilot, "dashboard")
        await pilot.press(view)
        await loaded(pilot, what)
        await pilot.pause()

    assert snap_compare(watched(make_app), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_competency_at(snap_compare: Any, two_db: str, size: tuple[int, int]) -> None:
    """Each member's last score of each assessment, passing or not, at both sizes."""
    from tests.tui.conftest import FIXED_CLOCK

    for member, score in (("eve", 4), ("cal", 2)):
        quiz = next(r for r in rows_of(two_db) if r.ref == "quiz/teachback" and r.member == member)
        core_act(two_db, member, "done", quiz.id)
        core_act(two_db, "lea", "assess", quiz.id, score=score)

    def make() -> KtApp:
        return KtApp(db=two_db, as_handle="lea", clock=FIXED_CLOCK, start="dashboard")

    async def run_before(pilot: Pilot[None]) -> None:
        await loaded(pilot, "dashboard")
        await pilot.press("6")
        await loaded(pilot, "competency")
        await pilot.pause()

    assert snap_compare(watched(make), terminal_size=size, run_before=run_before)
