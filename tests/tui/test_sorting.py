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
from tests.tui.test_app import SIZE, core_act, rows_of


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


async def test_the_queue_sorts_by_whom_with_o_and_reverses_with_O(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    from kt_tui.tui.screens.queue import QueueScreen

    for handle in ("ben", "chloe", "dev"):
        r = next(r for r in rows_of(db_path, member=handle) if r.signoff)
        core_act(db_path, handle, "done", r.id, evidence="T-1")
    app = make_app("tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("3")
        await wait_loaded(pilot, messages, "queue")
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        await pilot.press("o")  # after the checklist's order: for whom
        await wait_loaded(pilot, messages, "queue", count=2)
        assert [r.member for r in screen.rows] == ["ben", "chloe", "dev"]
        assert "sorted by Member, ascending" in notes(app)
        assert "by Member ▲" in str(screen.query_one("#queue-header").render())
        await pilot.press("O")
        await wait_loaded(pilot, messages, "queue", count=3)
        assert [r.member for r in screen.rows] == ["dev", "chloe", "ben"]
        assert "by Member ▼" in str(screen.query_one("#queue-header").render())
        # what is shown follows the rows: the first line is dev's
        first = "".join(s.text for s in screen.query_one("#queue").render_line(0))
        assert "dev" in first


async def test_the_blockers_sort_by_a_column_and_the_detail_follows_the_row(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    from kt_tui.tui.screens.blockers import BlockersScreen
    from kt_tui.tui.widgets.sortable_table import SortableTable

    for handle, why in (("ben", "no VPN"), ("chloe", "a laptop"), ("dev", "the wiki")):
        r = next(r for r in rows_of(db_path, member=handle) if r.state == "todo")
        core_act(db_path, handle, "block", r.id, reason=why)
    app = make_app("tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("5")
        await wait_loaded(pilot, messages, "blockers")
        assert isinstance(app.screen, BlockersScreen)
        table = app.screen.query_one(SortableTable)
        reason = list(table.columns).index(next(k for k in table.columns if k == "Reason"))
        for _ in range(reason + 1):  # o steps column by column, up to the reason
            await pilot.press("o")
        await pilot.pause()
        reasons = [str(table.get_row_at(i)[reason]) for i in range(table.row_count)]
        assert reasons == ["a laptop", "no VPN", "the wiki"]
        assert "Reason ▲" in str(table.columns[table.sorted_by].label)  # type: ignore[index]
        assert "sorted by Reason, ascending" in notes(app)
        await pilot.press("O")
        await pilot.pause()
        reasons = [str(table.get_row_at(i)[reason]) for i in range(table.row_count)]
        assert reasons == ["the wiki", "no VPN", "a laptop"]
        assert "sorted by Reason, descending" in notes(app)
        # the cursor stays on its row (ben's, blocked first), and so does the detail
        assert str(table.get_row_at(table.cursor_row)[reason]) == "no VPN"
        assert "no VPN" in str(app.screen.query_one("#blocker-detail").render())
        await pilot.press("up")
        await pilot.pause()
        assert "the wiki" in str(app.screen.query_one("#blocker-detail").render())


async def test_the_sessions_sort_by_a_click_on_a_column_title(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    from kt_tui.tui.widgets.sortable_table import SortableTable

    app = make_app("tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("4")
        await wait_loaded(pilot, messages, "sessions")
        table = app.screen.query_one("#sessions", SortableTable)
        assert table.row_count > 1
        title = list(table.columns).index(next(k for k in table.columns if k == "title"))
        titles = [str(table.get_row_at(i)[title]) for i in range(table.row_count)]
        table.post_message(  # what a click on the "Session" title sends
            SortableTable.HeaderSelected(table, "title", title, table.columns["title"].label)  # type: ignore[index]
        )
        await pilot.pause()
        after = [str(table.get_row_at(i)[title]) for i in range(table.row_count)]
        assert after == sorted(titles, key=str.lower) != titles or after == sorted(titles)
        assert "Session ▲" in str(table.columns["title"].label)  # type: ignore[index]
