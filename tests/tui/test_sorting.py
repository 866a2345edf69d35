"""Every tabular view sorts by its columns: o the next column, O the other way, a click
on a column's title. The checklist sorts in SQL (core/sorting.py), the others too where
their rows are item instances (the queue), or as a SortableTable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from textual.message import Message

from kt_tui.core.instances import InstanceRow
from kt_tui.tui.app import KtApp
from kt_tui.tui.messages import Loaded
from kt_tui.tui.screens.checklist import ChecklistScreen
from kt_tui.tui.screens.help import HelpScreen
from kt_tui.tui.widgets.checklist_view import PAGE_SIZE, ChecklistView
from tests.tui.conftest import wait_loaded, wait_until
from tests.tui.test_app import SIZE, rows_of


async def shown(pilot, view: ChecklistView) -> list[InstanceRow]:  # type: ignore[no-untyped-def]
    """Every row in the order the view shows it: the last is scrolled to (and paged in,
    in the same order), then the first again."""
    await pilot.press("end")
    await wait_until(pilot, lambda: all(i in view.rows for i in range(view.total)))
    await pilot.press("home")
    return [view.rows[i] for i in range(view.total)]


def notes(app: KtApp) -> list[str]:
    return [n.message for n in app._notifications]


async def open_every_item(app: KtApp, pilot, messages: list[Message]) -> ChecklistView:  # type: ignore[no-untyped-def]
    await wait_loaded(pilot, messages, "dashboard")
    app.open_checklist()
    await wait_loaded(pilot, messages, "checklist")
    assert isinstance(app.screen, ChecklistScreen)
    return app.screen.query_one(ChecklistView)


def header(app: KtApp) -> str:
    return str(app.screen.query_one("#cl-columns").render())


async def test_o_sorts_the_checklist_by_the_next_column_and_O_reverses_it(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    default = rows_of(db_path)
    by_title = sorted(default, key=lambda r: r.title.lower())  # ties: the default order
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        view = await open_every_item(app, pilot, messages)
        assert view.total > PAGE_SIZE  # the order must hold from one page to the next
        assert [r.id for r in await shown(pilot, view)] == [r.id for r in default]
        assert "Template · stage ▲" in header(app)
        # the cursor somewhere down the list: a new order starts it at the top
        await pilot.press("down", "down", "down")
        await pilot.press("o")  # the next column after the group: the item's title
        await wait_loaded(pilot, messages, "checklist", count=2)
        assert view.cursor == 0 and view.current is not None
        assert view.current.id == by_title[0].id
        assert [r.id for r in await shown(pilot, view)] == [r.id for r in by_title]
        assert by_title != default
        assert "Item ▲" in header(app) and "Template · stage ▲" not in header(app)
        assert "sorted by Item, ascending" in notes(app)

        await pilot.press("O")  # reversed: the exact reverse, ties included
        await wait_loaded(pilot, messages, "checklist", count=3)
        assert [r.id for r in await shown(pilot, view)] == [r.id for r in reversed(by_title)]
        assert "Item ▼" in header(app)
        assert "sorted by Item, descending" in notes(app)


async def test_a_click_on_a_column_title_sorts_by_it_and_again_reverses(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    # by due date, earliest first, items without a due date last
    by_due = sorted(rows_of(db_path), key=lambda r: (r.due is None, r.due or date.min))
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        view = await open_every_item(app, pilot, messages)
        x = header(app).index("Due")
        await pilot.click("#cl-columns", offset=(x + 1, 0))
        await wait_loaded(pilot, messages, "checklist", count=2)
        assert [r.id for r in await shown(pilot, view)] == [r.id for r in by_due]
        assert "Due ▲" in header(app)
        assert "sorted by Due, ascending" in notes(app)
        await pilot.click("#cl-columns", offset=(x + 1, 0))
        await wait_loaded(pilot, messages, "checklist", count=3)
        assert [r.id for r in await shown(pilot, view)] == [r.id for r in reversed(by_due)]
        assert "sorted by Due, descending" in notes(app)


async def test_a_sorted_checklist_keeps_its_order_when_filtered_and_reloaded(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        view = await open_every_item(app, pilot, messages)
        await pilot.press("o", "o")  # title, then who it is for (member, then system)
        await wait_until(pilot, lambda: "sorted by Member, ascending" in notes(app))
        assert "For ▲" in header(app)
        members = [r.member or "~" for r in await shown(pilot, view)]  # none sorts last
        assert members == sorted(members) and len(set(members)) > 3
        loads = len({id(m) for m in messages if isinstance(m, Loaded)})
        await pilot.press("slash")
        await pilot.press(*"state:todo", "enter")
        await wait_until(
            pilot, lambda: len({id(m) for m in messages if isinstance(m, Loaded)}) > loads
        )
        rows = await shown(pilot, view)
        assert rows and all(r.state == "todo" for r in rows)
        members = [r.member or "~" for r in rows]
        assert members == sorted(members) and "For ▲" in header(app)


async def test_help_lists_the_sort_keys(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await open_every_item(app, pilot, messages)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert isinstance(app.screen, HelpScreen)
        keys = dict(app.screen.keys)
        assert keys["o"] == "Sort" and keys["O"] == "Reverse order"
