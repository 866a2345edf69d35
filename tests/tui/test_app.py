"""Functional tests of the terminal app, driven with Pilot on a temp store file."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from rich.text import Text
from textual.message import Message
from textual.widgets import Input, Label, RadioButton, Static

from kt_tui.core import actions, filters, instances
from kt_tui.core.clock import Clock
from kt_tui.core.service import Page, Scope
from kt_tui.core.sync import sync
from kt_tui.paths import sample_dir
from kt_tui.tui.app import KtApp
from kt_tui.tui.screens.checklist import ChecklistScreen
from kt_tui.tui.screens.confirm import ConfirmScreen
from kt_tui.tui.screens.export_dialog import ExportScreen
from kt_tui.tui.screens.help import HelpScreen
from kt_tui.tui.screens.prompt import PromptScreen
from kt_tui.tui.screens.queue import QueueScreen
from kt_tui.tui.screens.refusals import RefusalsScreen
from kt_tui.tui.screens.sessions import SessionsScreen
from kt_tui.tui.widgets.burnup import BurnUp
from kt_tui.tui.widgets.checklist_view import MAX_PAGES, PAGE_SIZE, ChecklistView
from kt_tui.tui.widgets.sortable_table import SortableTable
from tests.helpers import FORMAT1
from tests.tui.conftest import (
    FIXED_CLOCK,
    actor_of,
    core_store,
    wait_for,
    wait_loaded,
    wait_until,
)

SIZE = (120, 40)


def instance(db_path: str, instance_id: int) -> instances.InstanceRow:
    store = core_store(db_path)
    try:
        with store.read() as conn:
            row = instances.get_instance(conn, instance_id, FIXED_CLOCK.today())
    finally:
        store.dispose()
    assert row is not None
    return row


def rows_of(db_path: str, member: str | None = None, system: str | None = None) -> list:
    store = core_store(db_path)
    try:
        with store.read() as conn:
            return instances.list_instances(
                conn,
                filters.Filter(),
                None,
                FIXED_CLOCK.today(),
                extra=instances.scope_conditions(member, system),
            )
    finally:
        store.dispose()


def core_act(
    db_path: str, handle: str, verb: str, instance_id: int, clock: Clock = FIXED_CLOCK, **kw: object
) -> None:
    store = core_store(db_path)
    try:
        actions.act(store, actor_of(store, handle), verb, instance_id, clock=clock, **kw)  # type: ignore[arg-type]
    finally:
        store.dispose()


def errors(app: KtApp) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def open_member(pilot, messages: list[Message], downs: int = 0) -> ChecklistScreen:  # type: ignore[no-untyped-def]
    await wait_loaded(pilot, messages, "dashboard")
    for _ in range(downs):
        await pilot.press("down")
    await pilot.press("enter")
    await wait_loaded(pilot, messages, "checklist")
    screen = pilot.app.screen
    assert isinstance(screen, ChecklistScreen)
    return screen


async def test_dashboard_loads_seven_members(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        members = app.screen.query_one("#members", SortableTable)
        assert members.row_count == 7
        assert app.focused is members
        assert members.cursor_row == 0
        assert app.screen.query_one("#systems", SortableTable).row_count == 5
        heat = app.screen.query_one("#heatmap", SortableTable)
        assert heat.get_cell("tomas", "orders") == ""  # tomas does not receive orders
        assert "%" in str(heat.get_cell("asha", "orders"))


async def test_sorting_by_a_column(make_app: Callable[..., KtApp], messages: list[Message]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        members = app.screen.query_one("#members", SortableTable)
        members.sort_by(next(iter(members.columns)))  # by handle
        await pilot.pause()
        first = members.coordinate_to_cell_key(members.cursor_coordinate).row_key.value
        assert first == "asha"
        members.sort_by(next(iter(members.columns)))  # reversed
        await pilot.pause()
        assert members.get_row_at(0)[0] == "tomas"


async def test_empty_store_syncs_the_sample(monkeypatch, messages: list[Message]) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("KT_DB")  # the default store, in the test's own data folder
    app = KtApp(db=None, as_handle="tomas", clock=FIXED_CLOCK, start="dashboard")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        assert any("bundled sample" in n.message for n in app._notifications)
        assert app.screen.query_one("#members", SortableTable).row_count == sample_members()
        # the demo: weeks of history, so a forecast, not "not enough history"
        await wait_loaded(pilot, messages, "burnup")
        assert "Forecast: " in _forecast_text(app)
        assert "not enough history" not in _forecast_text(app)


def sample_members() -> int:
    """How many members the bundled sample's roster has (it may change: no fixed count)."""
    from kt_tui.core.templates import load_folder

    return len(load_folder(sample_dir()).team.members)


async def test_outsider_on_sample_acts_as_first_lead(
    tmp_path: Path, messages: list[Message]
) -> None:
    db = str(tmp_path / "sample.db")
    store = core_store(db)
    sync(store, sample_dir(), actor="t", login="t", clock=FIXED_CLOCK)
    store.dispose()
    app = KtApp(db=db, as_handle="zed", clock=FIXED_CLOCK, start="dashboard")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        bar = app.screen.query_one("#context")  # who acts, in the warning's colour
        assert bar.has_class("-stand-in") and not bar.has_class("-read-only")
        assert "acting as asha" in str(bar.render())


async def test_enter_opens_member_checklist(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages)
        assert screen.scope == Scope(member="asha")
        view = screen.query_one(ChecklistView)
        assert view.cursor == 0
        assert view.total == len(rows_of(screen.app.db or "", member="asha"))
        assert view.current is not None
        await pilot.press("escape")
        await wait_loaded(pilot, messages, "dashboard", 2)
        assert not isinstance(app.screen, ChecklistScreen)


async def test_space_marks_done_and_redraws(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages)
        view = screen.query_one(ChecklistView)
        row = view.current
        assert row is not None and row.state == "todo"
        before = screen.figures
        await pilot.press("space")
        await wait_until(pilot, lambda: view.current is not None and view.current.state == "done")
        assert instance(db_path, row.id).state == "done"
        assert instance(db_path, row.id).done_by == "tomas"
        assert before is not None and before.progress is not None
        start = before.progress
        # the header's figures follow the row
        await wait_until(
            pilot,
            lambda: screen.figures is not None and (screen.figures.progress or 0) > start,
        )
        done = next(m for m in messages if isinstance(m, ChecklistScreen.ActDone))
        await pilot.press("space")  # undo
        await wait_until(pilot, lambda: view.current is not None and view.current.state == "todo")
        assert instance(db_path, row.id).state == "todo"
        await wait_until(pilot, lambda: screen.figures == before)
        # verbs may answer out of order: the done's figures, older, do not come back
        replay = ChecklistScreen.ActDone(
            screen, done.verb, done.before, done.after, done.event_id, None, done.figures
        )
        screen.post_message(replay)
        for _ in range(5):
            await pilot.pause()
        assert screen.figures == before


async def test_a_listing_read_before_a_write_does_not_bring_back_the_old_state(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    """A reload in flight when a verb lands (the poll saw another write) read the old row;
    arriving after the verb it used to show the item undone again, and a second key
    press then acted on that stale state (CI's flaky block/unblock)."""
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages)
        view = screen.query_one(ChecklistView)
        row = view.current
        assert row is not None and row.state == "todo"
        service = app.service
        assert service is not None
        stale = service.page(screen.scope, "", 0, PAGE_SIZE, screen.sort.text)
        figures = service.figures(screen.scope)
        screen.generation += 1  # a load is on its way, holding the page read above
        in_flight = screen.generation
        await pilot.press("space")
        await wait_until(pilot, lambda: view.current is not None and view.current.state == "done")
        screen.post_message(ChecklistScreen.Reset(screen, in_flight, stale, figures))
        for _ in range(5):
            await pilot.pause()
        assert view.current is not None and view.current.id == row.id
        assert view.current.state == "done"


async def test_lead_signs_off(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    ben_rows = rows_of(db_path, member="ben")
    index, target = next((i, r) for i, r in enumerate(ben_rows) if r.signoff)
    core_act(db_path, "ben", "done", target.id, evidence="PR-1")
    app = make_app("tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages, downs=2)  # asha, tomas, ben
        assert screen.scope.member == "ben"
        view = screen.query_one(ChecklistView)
        view.cursor = index
        await pilot.pause()
        await pilot.press("s")
        await wait_until(pilot, lambda: instance(db_path, target.id).state == "signed_off")
        await wait_until(pilot, lambda: view.rows[index].state == "signed_off")
        assert instance(db_path, target.id).signed_off_by == "tomas"


async def test_engineer_refused_signoff(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    ben_rows = rows_of(db_path, member="ben")
    target = next(r for r in ben_rows if r.signoff)
    core_act(db_path, "ben", "done", target.id, evidence="PR-1")
    app = make_app("ben")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages, downs=2)
        view = screen.query_one(ChecklistView)
        view.cursor = next(i for i, r in enumerate(ben_rows) if r.id == target.id)
        await pilot.pause()
        await pilot.press("s")
        await wait_until(pilot, lambda: bool(errors(app)))
        assert any("now (it waits on" in m for m in errors(app))
        after = instance(db_path, target.id)
        assert after.state == "done" and after.version == target.version + 1


async def test_na_and_block_ask_for_reasons(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages)
        view = screen.query_one(ChecklistView)
        first = view.current
        assert first is not None
        await pilot.press("n")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"not used here")
        await pilot.press("enter")
        await wait_until(pilot, lambda: instance(db_path, first.id).state == "na")
        assert instance(db_path, first.id).reason == "not used here"
        await pilot.press("down")
        second = view.current
        assert second is not None
        await pilot.press("b")
        await pilot.press(*"VPN")
        await pilot.press("enter")
        await wait_until(pilot, lambda: instance(db_path, second.id).state == "blocked")
        assert instance(db_path, second.id).reason == "VPN"
        # b toggles on what the view shows: wait until it shows the block
        await wait_until(
            pilot, lambda: view.current is not None and view.current.state == "blocked"
        )
        await pilot.press("b")  # unblock
        await wait_until(pilot, lambda: instance(db_path, second.id).state == "todo")
        await wait_until(pilot, lambda: view.current is not None and view.current.state == "todo")
        await pilot.press("r")  # reopen a todo item: refused, with the reason
        await wait_until(pilot, lambda: bool(errors(app)))
        assert any("Wrong state: " in m for m in errors(app))


async def test_escape_cancels_the_reason(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages)
        row = screen.query_one(ChecklistView).current
        assert row is not None
        await pilot.press("n", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ChecklistScreen)
        assert instance(db_path, row.id).state == "todo"


async def test_filter_tokens(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    asha = rows_of(db_path, member="asha")
    core_act(db_path, "asha", "done", asha[0].id)
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages)
        view = screen.query_one(ChecklistView)
        await pilot.press("slash", *"state:done", "enter")
        await wait_loaded(pilot, messages, "checklist", 2)
        assert view.total == 1
        assert view.current is not None and view.current.id == asha[0].id
        await pilot.press("slash", "ctrl+u", *"system:orders stage:documented", "enter")
        await wait_loaded(pilot, messages, "checklist", 3)
        expected = [r for r in asha if r.system == "orders" and r.stage == "documented"]
        assert view.total == len(expected) > 0
        await pilot.press("slash", "ctrl+u", *"overdue", "enter")
        await wait_loaded(pilot, messages, "checklist", 4)
        assert view.total == len([r for r in rows_of(db_path, member="asha") if r.overdue]) > 0
        await pilot.press("slash", "ctrl+u", *"colour:red", "enter")
        await wait_until(pilot, lambda: bool(errors(app)))
        assert any("unknown token" in m for m in errors(app))
        # escape leaves the bad text: the box shows the filter in force again
        await pilot.press("escape")
        await pilot.pause()
        assert screen.query_one("#filter", Input).value == "overdue"
        assert screen.filter_text == "overdue"


async def test_queue_bulk_signoff(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    picked = []
    for handle in ("ben", "chloe"):
        r = next(r for r in rows_of(db_path, member=handle) if r.signoff)
        core_act(db_path, handle, "done", r.id, evidence="T-1")
        picked.append(r.id)
    app = make_app("tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("S")
        await wait_loaded(pilot, messages, "queue")
        assert isinstance(app.screen, QueueScreen)
        assert sorted(r.id for r in app.screen.rows) == sorted(picked)
        first = app.screen.rows[0]
        await pilot.press("s")  # one item: the question names it
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question == f"Sign off {first.label}?"
        await pilot.press("n")
        await pilot.press("a", "s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question == "Sign off 2 items?"
        await pilot.press("y")
        await wait_until(
            pilot, lambda: all(instance(db_path, i).state == "signed_off" for i in picked)
        )
        await wait_loaded(pilot, messages, "queue", 2)
        assert app.screen.rows == []


async def test_queue_is_empty_for_engineers(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    r = next(r for r in rows_of(db_path, member="chloe") if r.signoff)
    core_act(db_path, "chloe", "done", r.id, evidence="T-1")
    app = make_app("ben")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("S")
        await wait_loaded(pilot, messages, "queue")
        assert isinstance(app.screen, QueueScreen)
        assert app.screen.rows == []


async def test_sessions_mark_attendance(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    app = make_app("tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("t")
        await wait_loaded(pilot, messages, "sessions")
        screen = app.screen
        assert isinstance(screen, SessionsScreen)
        assert len(screen.sessions) == 5
        first = screen.sessions[0]
        attendee = first.attendees[0]
        await pilot.press("tab", "m")
        await wait_until(pilot, lambda: instance(db_path, attendee.instance_id).state == "done")
        assert instance(db_path, attendee.instance_id).complete


async def test_help_lists_the_keys(make_app: Callable[..., KtApp], messages: list[Message]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        described = dict(app.screen.keys)
        assert described["q"] == "Quit"
        assert described["S"] == "Sign-off queue"
        await pilot.press("escape")
        await pilot.press("enter")
        await wait_loaded(pilot, messages, "checklist")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        described = dict(app.screen.keys)
        for key in ("space", "s", "n", "r", "b", "e", "c", "/", "esc"):
            assert key in described, key


async def test_help_on_a_short_terminal_says_it_scrolls_and_reaches_the_end(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    """At 80x24 the checklist's keys, filters and figures do not fit: the hint says the
    body scrolls, and page down brings the last line (the figures' meaning) into view."""
    from textual.containers import VerticalScroll

    app = make_app()
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("enter")
        await wait_loaded(pilot, messages, "checklist")
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        hint = help_screen.query_one("#help-hint")
        await wait_until(pilot, lambda: "scroll" in str(hint.render()))
        body = help_screen.query_one("#help-body", VerticalScroll)
        figures = help_screen.query_one("#help-figures")
        assert body.max_scroll_y > 0 and figures.region.bottom > body.region.bottom
        for _ in range(5):
            await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y
        await pilot.resize_terminal(120, 80)  # tall enough: nothing claims to scroll
        await wait_until(pilot, lambda: str(hint.render()) == "escape: close")
        assert body.max_scroll_y == 0


async def test_q_quits_from_the_dashboard(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("enter")
        await wait_loaded(pilot, messages, "checklist")
        await pilot.press("q")  # back
        await wait_loaded(pilot, messages, "dashboard", 2)
        await pilot.press("q")  # quit
        await pilot.pause()
    assert app.return_code == 0


async def test_live_refresh_after_an_outside_change(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        members = app.screen.query_one("#members", SortableTable)
        assert str(members.get_cell("ben", "progress")) == "0%"
        for r in rows_of(db_path, member="ben")[:10]:
            core_act(db_path, "ben", "done", r.id, evidence="E-1")
        await wait_loaded(pilot, messages, "dashboard", 2, timeout=3.5)
        assert str(members.get_cell("ben", "progress")) != "0%"


async def test_live_refresh_of_an_open_checklist(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages)
        view = screen.query_one(ChecklistView)
        row = view.current
        assert row is not None
        core_act(db_path, "asha", "done", row.id)
        await wait_loaded(pilot, messages, "checklist", 2, timeout=3.5)
        assert view.current is not None and view.current.state == "done"


async def test_the_cursor_stays_on_its_item_when_a_row_above_it_goes(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    """An item above the cursor leaves the listing (n/a elsewhere, filter state:todo):
    the cursor keeps its item, so the next key acts on what is highlighted, not on the
    neighbour that moved up into its line."""
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages)
        screen.filter_text = "state:todo"
        screen.load()
        await wait_loaded(pilot, messages, "checklist", 2)
        view = screen.query_one(ChecklistView)
        first = view.current
        for _ in range(3):
            await pilot.press("down")
        await pilot.pause()
        held = view.current
        assert first is not None and held is not None and held.id != first.id
        core_act(db_path, "asha", "na", first.id, reason="not ours")
        await wait_loaded(pilot, messages, "checklist", 3, timeout=3.5)
        assert all(r.id != first.id for r in view.rows.values())
        assert view.current is not None and view.current.id == held.id
        assert view.cursor == 2


async def test_news_of_a_change_while_a_checklist_opens_does_not_crash(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    """The poll's news can land between a screen's push and its compose (it crashed the
    app: the reload asked for a view not built yet); the screen loads when mounted."""
    from kt_tui.tui.messages import StoreChanged

    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        app.push_screen(ChecklistScreen(Scope(member="asha")))
        app._store_changed(StoreChanged(app, app.marker + 1))  # before it is composed
        await wait_loaded(pilot, messages, "checklist")
        view = app.screen.query_one(ChecklistView)
        assert view.total > 0 and view.current is not None


async def test_a_checklist_of_100000_items_fetches_only_pages(
    make_app: Callable[..., KtApp], monkeypatch: pytest.MonkeyPatch, messages: list[Message]
) -> None:
    total = 100_000
    calls: list[tuple[int, int]] = []
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        service = app.service
        assert service is not None
        model = service.page(Scope(member="asha"), "", 0, 1).rows[0]

        def page(
            scope: Scope,
            text: str,
            offset: int,
            limit: int,
            sort: str | None = None,
            total_known: int | None = None,
        ) -> Page:
            calls.append((offset, limit))
            n = max(0, min(limit, total - offset))
            rows = [
                replace(model, id=10_000_000 + offset + i, title=f"item {offset + i}")
                for i in range(n)
            ]
            return Page(offset, rows, total)

        monkeypatch.setattr(service, "page", page)
        started = time.perf_counter()
        await pilot.press("enter")
        await wait_loaded(pilot, messages, "checklist")
        view = app.screen.query_one(ChecklistView)
        assert view.total == total
        await pilot.press("end")
        await wait_until(
            pilot, lambda: view.current is not None and view.current.title == "item 99999"
        )
        await pilot.press("pageup", "up")
        await wait_until(pilot, lambda: view.current is not None)
        assert time.perf_counter() - started < 5
        assert len(view.rows) <= MAX_PAGES * PAGE_SIZE
        assert all(limit == PAGE_SIZE for _, limit in calls)
        assert len(calls) < 10


async def test_palette_goes_to_a_member(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"member ben")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_loaded(pilot, messages, "checklist")
        assert isinstance(app.screen, ChecklistScreen)
        assert app.screen.scope == Scope(member="ben")


async def test_export_asks_format_and_path_then_writes(
    make_app: Callable[..., KtApp],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    messages: list[Message],
) -> None:
    docs = tmp_path / "Documents"
    docs.mkdir()
    here = tmp_path / "cwd"
    here.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.setenv("KT_EXPORT_DIR", str(docs))
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen))
        box = app.screen.query_one("#path", Input)
        assert box.value == str(docs / "readiness-2026-11-25.md")  # documents, not cwd
        # html instead: the proposed name follows the format
        app.screen.query(RadioButton)[1].value = True  # "HTML"
        await wait_until(pilot, lambda: box.value.endswith(".html"))
        box.focus()
        await pilot.press("enter")
        target = docs / "readiness-2026-11-25.html"
        await wait_until(pilot, target.exists)
        assert "Northwind" in target.read_text(encoding="utf-8")
        assert not list(here.iterdir())  # nothing in the current folder
        # again: the file exists now, the dialog says so and writes nothing
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen))
        app.screen.query_one("#path", Input).value = str(target)
        app.screen.query_one("#path", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        assert "exists" in str(app.screen.query_one("#export-error").render())
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ExportScreen))


async def test_outsider_outside_the_sample_is_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, messages: list[Message]
) -> None:
    folder = tmp_path / "handover"
    shutil.copytree(FORMAT1, folder)
    with (folder / "team.toml").open("a", encoding="utf-8") as f:
        f.write("\n# our own copy\n")
    db = str(tmp_path / "own.db")
    store = core_store(db)
    sync(store, folder, actor="t", login="t", clock=FIXED_CLOCK)
    store.dispose()
    app = KtApp(db=db, as_handle="zed", clock=FIXED_CLOCK, start="dashboard")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        bar = app.screen.query_one("#context")  # who acts, in the error's colour
        assert bar.has_class("-read-only") and not bar.has_class("-stand-in")
        assert "read-only" in str(bar.render())
        await pilot.press("enter")
        await wait_loaded(pilot, messages, "checklist")
        row = app.screen.query_one(ChecklistView).current
        assert row is not None
        await pilot.press("space")
        await wait_until(pilot, lambda: bool(errors(app)))
        assert any("read-only" in m for m in errors(app))
        assert instance(db, row.id).state == "todo"


async def test_palette_syncs_the_sample_into_an_empty_store_after_the_plan(
    tmp_path: Path, messages: list[Message]
) -> None:
    app = KtApp(
        db=str(tmp_path / "empty.db"), as_handle="tomas", clock=FIXED_CLOCK, start="dashboard"
    )
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"sync the bundled")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert isinstance(app.screen, ConfirmScreen)
        plan = "\n".join(app.screen.details)
        assert "add" in plan and app.status is None  # shown, nothing written yet
        await pilot.press("y")
        await wait_until(pilot, lambda: any(n.title == "Synced" for n in app._notifications))
        members = app.screen.query_one("#members", SortableTable)
        await wait_until(pilot, lambda: members.row_count == sample_members())


async def test_palette_offers_the_sample_only_to_an_empty_store(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    from kt_tui.tui.commands import KtCommands

    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        names = [name for name, _, _ in KtCommands(app.screen)._commands()]
        assert "Sync folder…" in names
        assert not any("bundled sample" in n for n in names)


def asha_name(app: KtApp) -> str:
    assert app.status is not None
    return next(m.name for m in app.status.members if m.handle == "asha")


async def test_sync_is_applied_only_when_confirmed(
    make_app: Callable[..., KtApp], db_path: str, tmp_path: Path, messages: list[Message]
) -> None:
    folder = tmp_path / "handover"
    shutil.copytree(FORMAT1, folder)
    team = folder / "team.toml"
    team.write_text(team.read_text(encoding="utf-8").replace('"Asha Rao"', '"Asha Rao-Iyer"'))
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        app.plan_sync(str(folder))
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "member asha changed: name: Asha Rao -> Asha Rao-Iyer" in app.screen.details  # type: ignore[attr-defined]
        await pilot.press("n")
        await pilot.pause(0.3)
        assert asha_name(app) == "Asha Rao"
        app.plan_sync(str(folder))
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: asha_name(app) == "Asha Rao-Iyer")


async def test_heat_map_cell_opens_that_cell(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        heat = app.screen.query_one("#heatmap", SortableTable)
        heat.focus()
        heat.move_cursor(row=1, column=1)  # tomas x orders: not received
        await pilot.press("enter")
        await pilot.pause()
        assert any(n.severity == "warning" for n in app._notifications)
        assert not isinstance(app.screen, ChecklistScreen)
        heat.move_cursor(row=0, column=1)  # asha x orders
        await pilot.press("enter")
        await wait_loaded(pilot, messages, "checklist")
        assert isinstance(app.screen, ChecklistScreen)
        assert app.screen.scope == Scope(member="asha", system="orders")
        view = app.screen.query_one(ChecklistView)
        assert view.total > 0 and all(r.system == "orders" for r in view.rows.values())


def _forecast_text(app: KtApp) -> str:
    from textual.widgets import Static

    return str(app.screen.query_one("#forecast", Static).render())


async def test_dashboard_forecast_without_progress(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "burnup")
        assert "not enough history (0 days)" in _forecast_text(app)
        spark = app.screen.query_one("#burnup", BurnUp)
        assert spark.data is not None and max(spark.data) == 0


async def test_dashboard_forecast_on_track(db_path: str, messages: list[Message]) -> None:
    # a fortnight of steady work after the sync: the forecast needs a week of history
    start = FIXED_CLOCK.today()
    for r in rows_of(db_path)[:200]:
        day = start + timedelta(days=r.id % 15)
        clock = Clock.fixed(datetime(day.year, day.month, day.day, 9, tzinfo=UTC), day)
        doer = r.member or "asha"
        core_act(db_path, doer, "done", r.id, clock, evidence="E-1")
        if r.signoff:
            core_act(db_path, "tomas" if doer == "asha" else "asha", "signoff", r.id, clock)
    end = start + timedelta(days=14)
    later = Clock.fixed(datetime(end.year, end.month, end.day, 9, tzinfo=UTC), end)
    app = KtApp(db=db_path, as_handle="tomas", clock=later, start="dashboard")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "burnup")
        text = _forecast_text(app)
        assert "Forecast: on track (complete 2026-12-22; between 2026-12-21 and" in text, text
        spark = app.screen.query_one("#burnup", BurnUp)
        assert spark.data is not None and spark.data[0] == 0 and spark.data[-1] > 0


async def test_dashboard_forecast_late(db_path: str, messages: list[Message]) -> None:
    late = Clock.fixed(datetime(2027, 3, 20, 9, 0, tzinfo=UTC), date(2027, 3, 20))
    store = core_store(db_path)
    try:
        rows = [r for r in rows_of(db_path, member="chloe") if not r.signoff][:2]
        week_before = Clock.fixed(datetime(2027, 3, 10, 9, 0, tzinfo=UTC), date(2027, 3, 10))
        for row, when in zip(rows, (week_before, late), strict=True):
            actions.act(store, actor_of(store, "chloe"), "done", row.id, evidence="E", clock=when)
    finally:
        store.dispose()
    app = KtApp(db=db_path, as_handle="tomas", clock=late, start="dashboard")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "burnup")
        assert "Forecast: late by " in _forecast_text(app)


async def test_every_item_checklist(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    """The palette's "Every item": one checklist of the whole handover."""
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        app.open_checklist()
        await wait_loaded(pilot, messages, "checklist")
        screen = app.screen
        assert isinstance(screen, ChecklistScreen) and screen.scope == Scope()
        assert screen.query_one(ChecklistView).total == len(rows_of(db_path))
        assert screen.figures is not None and app.status is not None
        assert screen.figures == app.status.overall


async def test_refused_verb_is_refused_before_asking(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    """An engineer pressing n (a lead's verb) is told at once, not asked for a reason first."""
    app = make_app("ben")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await open_member(pilot, messages, downs=2)
        await pilot.press("n")
        await wait_until(pilot, lambda: bool(errors(app)))
        assert any("Only a lead may mark " in m for m in errors(app))
        assert not isinstance(app.screen, PromptScreen)


# --- selections: a verb over several items, a session's attendance at once ------------


async def test_checklist_selection_applies_a_verb_to_every_selected_item(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages)
        view = screen.query_one(ChecklistView)
        first = view.current
        await pilot.press("v", "down", "down", "v")
        third = view.current
        assert first is not None and third is not None
        assert view.selected == {first.id, third.id}
        assert "2 selected" in str(screen.query_one("#cl-header").render())
        await pilot.press("n")  # na: asks first, then one reason for all
        assert isinstance(app.screen, ConfirmScreen)
        # the verb in words, not its command name ("na: 2 selected items?")
        assert str(app.screen.question) == "Mark the 2 selected items not applicable?"
        await pilot.press("y")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"out of scope", "enter")
        await wait_until(pilot, lambda: instance(db_path, third.id).state == "na")
        assert instance(db_path, first.id).reason == "out of scope"
        middle = rows_of(db_path, "asha")[1]
        assert instance(db_path, middle.id).state == "todo"  # not selected: untouched
        await wait_until(pilot, lambda: not view.selected)


async def test_select_all_and_refusals_are_listed(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    app = make_app("ben")  # an engineer: reopen is a lead's
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages, downs=2)
        view = screen.query_one(ChecklistView)
        await pilot.press("a")
        await wait_until(pilot, lambda: len(view.selected) == view.total > 0)
        await pilot.press("r", "y")
        await wait_until(pilot, lambda: bool(errors(app)))
        # one reason over more items than a toast names: one toast, and the report that
        # says the reason once with every item it refused
        [said] = errors(app)
        assert f"{view.total} refused, for 1 reason" in said
        await wait_until(pilot, lambda: isinstance(app.screen, RefusalsScreen))
        report = str(app.screen.query_one("#report-text", Static).render())
        assert report.count("Only a lead may reopen it") == 1
        assert f"{view.total} items:" in report
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        await wait_until(pilot, lambda: not view.selected)  # done with: cleared
        await pilot.press("a")
        await wait_until(pilot, lambda: len(view.selected) == view.total)
        await pilot.press("a")  # with a selection: none
        assert not view.selected


async def open_first_session(pilot, messages: list[Message]):  # type: ignore[no-untyped-def]
    """The sessions view, and the dialog that marks its first session's attendance."""
    from kt_tui.tui.screens.attendance import AttendanceScreen

    await wait_loaded(pilot, messages, "dashboard")
    await pilot.press("t")
    await wait_loaded(pilot, messages, "sessions")
    screen = pilot.app.screen
    assert isinstance(screen, SessionsScreen)
    await pilot.press("M")
    assert isinstance(pilot.app.screen, AttendanceScreen)
    return screen.sessions[0]


async def test_sessions_mark_a_whole_session_at_once(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:

    app = make_app("tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        first = await open_first_session(pilot, messages)
        await pilot.press("space", "down", "space", "enter")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        ids = [a.instance_id for a in first.attendees[:2]]
        await wait_until(pilot, lambda: all(instance(db_path, i).state == "done" for i in ids))
        assert instance(db_path, first.attendees[2].instance_id).state == "todo"


async def test_an_engineer_marking_a_whole_session_is_told_each_reason_once(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    """ben may mark only his own attendance: the others' are refused for one reason,
    said once with how many (the sessions view groups refusals as every view does)."""

    app = make_app("ben")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        first = await open_first_session(pilot, messages)
        others = [a for a in first.attendees if a.member != "ben" and not a.complete]
        assert len(others) >= 2
        await pilot.press("a", "enter", "y")
        await wait_until(pilot, lambda: bool(errors(app)))
        [said] = errors(app)  # one toast; the report says the reason once, every item
        assert f"{len(others)} refused, for 1 reason" in said
        await wait_until(pilot, lambda: isinstance(app.screen, RefusalsScreen))
        report = str(app.screen.query_one("#report-text", Static).render())
        assert report.startswith("Only its member") and report.count("Only its member") == 1
        assert f"{len(others)} items:" in report and "attendance of it;" in report
        assert all(instance(db_path, a.instance_id).state == a.state for a in others)


async def test_export_never_overwrites_a_file_made_while_it_was_written(
    make_app: Callable[..., KtApp],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    messages: list[Message],
) -> None:
    """The dialog refuses a name that exists; one that appears after it asked (while the
    export is being written) is not overwritten either: the export fails, naming it."""
    from kt_tui.export import command

    docs = tmp_path / "Documents"
    docs.mkdir()
    monkeypatch.setenv("KT_EXPORT_DIR", str(docs))
    target = docs / "readiness-2026-11-25.md"
    real_write = command.write

    def write_then_someone_else(*args: object, **kw: object) -> None:
        real_write(*args, **kw)  # type: ignore[arg-type]
        target.write_text("someone else's summary\n")

    monkeypatch.setattr(command, "write", write_then_someone_else)
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen))
        app.screen.query_one("#path", Input).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(errors(app)))
        [said] = errors(app)
        assert str(target) in said and "appeared meanwhile: nothing written" in said
        assert target.read_text() == "someone else's summary\n"
        assert [p.name for p in docs.iterdir()] == [target.name]


async def test_the_checklist_header_fits_its_text_after_a_resize(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    """The header is laid out again only when its height changes, as laid out now: a
    resize rewraps it, and the next text must not be cut to the old height."""
    app = make_app()
    async with app.run_test(size=(100, 40), message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages)
        header = screen.query_one("#cl-header", Static)

        async def show(filter_text: str) -> None:
            screen.filter_text = filter_text
            screen._show_header()
            for _ in range(3):
                await pilot.pause()

        def wanted() -> int:  # its text's lines at its width now (at least .header's 2)
            text = header.content
            assert isinstance(text, Text)
            return max(2, len(text.wrap(app.console, header.content_region.width)))

        await show("state:todo " * 14)
        assert header.content_region.height == wanted() >= 4
        await pilot.resize_terminal(200, 40)
        for _ in range(3):
            await pilot.pause()
        await show("state:todo " * 45)
        assert header.content_region.height == wanted() >= 4


async def test_the_forecast_s_dates_are_never_cut_at_80_columns(
    monkeypatch: pytest.MonkeyPatch, messages: list[Message]
) -> None:
    """At 80 columns the forecast's completion date and range go on a second line,
    where beside the burn-up they ran off the screen; wide again, they share one."""
    monkeypatch.delenv("KT_DB")  # the demo: weeks of history, a forecast with dates
    app = KtApp(db=None, as_handle="tomas", clock=FIXED_CLOCK, start="dashboard")
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "burnup")
        forecast = app.screen.query_one("#forecast", Static)
        text = forecast.content
        assert isinstance(text, Text) and "(complete " in text.plain
        lines = text.plain.split("\n")
        assert len(lines) == 2 and lines[1].startswith("(complete ")
        # every character on screen: the Static is as wide as its longest line
        assert forecast.region.right <= 80
        assert forecast.content_region.width >= max(len(line) for line in lines)
        assert forecast.content_region.height == 2
        await pilot.resize_terminal(200, 40)
        await wait_until(pilot, lambda: "\n" not in forecast.content.plain)  # type: ignore[union-attr]


async def test_many_reasons_are_each_listed_in_a_report_that_stays(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    """A lead marks a whole checklist done: items refused for many reasons (done
    already, waiting on another item, evidence wanted...) are one toast, and a report
    that lists every reason once with the items it refused; escape closes it."""
    from kt_tui.tui.screens.checklist_selection import SelectableChecklist

    rows = rows_of(db_path, member="asha")
    for r in rows[1:3]:  # done already (the first stays todo: space means done)
        core_act(db_path, "asha", "done", r.id, evidence="T-1")
    core_act(db_path, "tomas", "na", rows[3].id, reason="not ours")  # n/a
    app = make_app("tomas")
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages)
        view = screen.query_one(ChecklistView)
        await pilot.press("a")
        await wait_until(pilot, lambda: len(view.selected) == view.total > 0)
        await pilot.press("space", "y")
        done = await wait_for(pilot, messages, SelectableChecklist.BulkDone)
        groups = done.refused
        assert len(groups) > 2  # more than the toasts say one by one
        await wait_until(pilot, lambda: isinstance(app.screen, RefusalsScreen))
        [said] = errors(app)  # one toast, not one per item
        n = sum(len(items) for _, items in groups)
        assert f"{n} refused, for {len(groups)} reasons" in said
        text = str(app.screen.query_one("#report-text", Static).render())
        for why, items in groups:
            if len(items) == 1:
                assert items[0][1] in text  # its own sentence, whole
            else:
                assert text.count(why) == 1  # the reason once, then each item
            for label, _ in items:
                assert label in text
        heading = str(app.screen.query_one("#question", Label).render())
        assert f"done: {done.applied} item" in heading  # what was done, too
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
