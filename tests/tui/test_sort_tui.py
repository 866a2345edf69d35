"""`o` orders every view by its columns: the checklist in SQL (a column, then the same
reversed, marked ▲/▼ in the header), the queue, and the blockers' table, whose detail
follows the highlighted row whatever the order."""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message
from textual.widgets import Static

from kt_tui.tui.app import KtApp
from kt_tui.tui.screens.blockers import BlockersScreen
from kt_tui.tui.widgets.checklist_view import ChecklistView
from kt_tui.tui.widgets.sortable_table import SortableTable
from tests.tui.conftest import wait_loaded, wait_until
from tests.tui.test_app import SIZE, core_act, open_member, rows_of


def _shown(view: ChecklistView) -> list[int]:
    return [view.rows[i].id for i in range(view.total) if i in view.rows]


async def test_o_orders_the_checklist_by_each_column_and_reverses(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages)
        view = screen.query_one(ChecklistView)
        plan = _shown(view)
        states = []
        for n in (2, 3):  # state ascending, then descending
            await pilot.press("o")
            await wait_loaded(pilot, messages, "checklist", n)
            states.append([view.rows[i].state for i in range(view.total)])
        assert states[0] == sorted(
            states[0], key=["todo", "blocked", "done", "signed_off", "na"].index
        )
        assert sorted(_shown(view)) == sorted(plan)  # the same rows
        columns = str(screen.query_one("#cl-columns", Static).render())
        assert "▼" in columns
        assert "sorted by State, descending" in str(screen.query_one("#cl-header").render())
        await pilot.press("o")  # the next column: the template, ascending
        await wait_loaded(pilot, messages, "checklist", 4)
        assert "▲" in str(screen.query_one("#cl-columns", Static).render())


async def test_a_sort_in_the_filter_orders_the_checklist(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages)
        view = screen.query_one(ChecklistView)
        await pilot.press("slash", *"sort:-due", "enter")
        await wait_loaded(pilot, messages, "checklist", 2)
        dues = [view.rows[i].due for i in range(view.total)]
        dated = [d for d in dues if d is not None]
        assert dated == sorted(dated, reverse=True) and dues[: len(dated)] == dated
        assert "Due▼" in str(screen.query_one("#cl-columns", Static).render())


async def test_the_blockers_table_sorts_and_its_detail_follows_the_row(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    rows = rows_of(db_path, member="ben")
    core_act(db_path, "ben", "block", rows[0].id, reason="zzz last by reason")
    core_act(db_path, "ben", "block", rows[1].id, reason="aaa first by reason")
    app = make_app("tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("5")
        await wait_loaded(pilot, messages, "blockers")
        screen = app.screen
        assert isinstance(screen, BlockersScreen)
        table = screen.query_one(SortableTable)
        reason_col = list(table.columns).index("Reason")
        table.sort_by(list(table.columns)[reason_col])
        await pilot.pause()
        first = str(table.get_row_at(0)[reason_col])
        assert first.startswith("aaa")
        table.move_cursor(row=0)
        await wait_until(
            pilot,
            lambda: "aaa first by reason" in str(screen.query_one("#blocker-detail").render()),
        )
        await pilot.press("o")  # the same column again: reversed
        await pilot.pause()
        assert str(table.get_row_at(0)[reason_col]).startswith("zzz")


async def test_o_orders_the_queue(two_db: str, messages: list[Message]) -> None:
    from kt_tui.tui.screens.queue import QueueScreen
    from tests.tui.conftest import FIXED_CLOCK

    db = two_db
    for member in ("eve", "cal"):
        quiz = next(r for r in rows_of(db) if r.ref == "quiz/teachback" and r.member == member)
        core_act(db, member, "done", quiz.id)
    app = KtApp(db=db, as_handle="lea", clock=FIXED_CLOCK, start="dashboard")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("3")
        await wait_loaded(pilot, messages, "queue")
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        await pilot.press("o")
        await wait_loaded(pilot, messages, "queue", 2)
        assert [r.member for r in screen.rows] == ["cal", "eve"]
        assert "sorted by For, ascending" in str(screen.query_one("#queue-header").render())
        await pilot.press("o")
        await wait_loaded(pilot, messages, "queue", 3)
        assert [r.member for r in screen.rows] == ["eve", "cal"]
