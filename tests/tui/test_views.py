"""Top-level views switch like tabs (number keys), never pile up; each role lands on its own."""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message
from textual.widgets import DataTable

from kt_tui.core.service import Scope
from kt_tui.tui.app import KtApp
from kt_tui.tui.screens.blockers import BlockersScreen
from kt_tui.tui.screens.checklist import ChecklistScreen
from kt_tui.tui.screens.dashboard import DashboardScreen
from kt_tui.tui.screens.queue import QueueScreen
from kt_tui.tui.screens.sessions import SessionsScreen
from kt_tui.tui.widgets.checklist_view import PAGE_SIZE, ChecklistView
from tests.tui.conftest import wait_until
from tests.tui.test_app import SIZE, core_act, open_member, rows_of, wait_loaded


async def test_an_engineer_lands_on_their_own_open_items(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    app = make_app("ben", start=None)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "checklist")
        screen = app.screen
        assert isinstance(screen, ChecklistScreen) and app.current_mode == "mine"
        view = screen.query_one(ChecklistView)
        await wait_until(pilot, lambda: view.total > 0)
        rows = list(view.rows.values())
        assert rows and all(r.member in ("ben", None) for r in rows)  # his, or his systems'
        assert all(r.state in ("todo", "blocked", "done") for r in rows)  # open ones
        header = str(screen.query_one("#cl-header").render())
        assert "My items" in header
        # by due date, overdue (earliest) first; undated last
        dues = [view.rows[i].due for i in range(view.total) if i in view.rows]
        dated = [d for d in dues if d is not None]
        assert dated == sorted(dated) and dues[: len(dated)] == dated
        assert "Due ▲" in str(screen.query_one("#cl-columns").render())  # sorted by it
        # his own figures, not the handover's
        assert "Your readiness (ben)" in header
        own = app.service.figures(Scope(member="ben"))  # type: ignore[union-attr]
        assert own is not None and f"{own.complete}/{own.items} complete" in header


async def test_a_lead_lands_on_the_queue(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    app = make_app("asha", start=None)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "queue")
        assert isinstance(app.screen, QueueScreen) and app.current_mode == "queue"


async def test_number_keys_switch_views_without_stacking_and_q_quits(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    app = make_app("tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        for key, kind in (
            ("3", QueueScreen),
            ("4", SessionsScreen),
            ("1", DashboardScreen),
            ("2", ChecklistScreen),
            ("3", QueueScreen),
            ("1", DashboardScreen),
        ):
            await pilot.press(key)
            await wait_until(pilot, lambda kind=kind: isinstance(app.screen, kind))
            assert len(app.screen_stack) == 1  # views switch; nothing piles up
        await pilot.press("q")  # one q on a top-level view leaves
        await wait_until(pilot, lambda: not app.is_running)


async def test_escape_closes_a_detail_and_the_view_keeps_its_place(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    app = make_app("tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await open_member(pilot, messages)  # a detail on the dashboard view
        await pilot.press("3")
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen))
        await pilot.press("1")  # back to the dashboard view: its detail is still open
        await wait_until(pilot, lambda: isinstance(app.screen, ChecklistScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        assert app.is_running


async def test_the_blockers_view_says_why_who_and_how_long(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    rows = rows_of(db_path, member="ben")
    core_act(db_path, "ben", "block", rows[3].id, reason="waits on [VPN] [b]now[/b]")
    app = make_app("tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("5")
        await wait_loaded(pilot, messages, "blockers")
        screen = app.screen
        assert isinstance(screen, BlockersScreen) and len(app.screen_stack) == 1
        table = screen.query_one(DataTable)
        assert table.row_count == 1
        cells = [str(c) for c in table.get_row_at(0)]
        assert cells[1] == "ben" and cells[5] == "ben"  # for whom, blocked by whom
        assert cells[4] == "waits on [VPN] [b]now[/b]"  # text is data: no markup
        assert cells[6] == "2026-11-25" and cells[2] == "0"  # since, days
        await pilot.press("enter")  # the blocked item's checklist, a detail of this view
        await wait_loaded(pilot, messages, "checklist")
        assert isinstance(app.screen, ChecklistScreen)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, BlockersScreen))


async def test_the_queue_opens_on_its_first_row_and_marks_a_selection_by_glyph(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    from kt_tui.tui.widgets.queue_list import SELECTED, QueueList

    for handle in ("ben", "chloe"):
        r = next(r for r in rows_of(db_path, member=handle) if r.signoff)
        core_act(db_path, handle, "done", r.id, evidence="T-1")
    app = make_app("tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("3")
        await wait_loaded(pilot, messages, "queue")
        listing = app.screen.query_one(QueueList)
        assert listing.highlighted == 0
        await pilot.press("space")
        await pilot.pause()
        first = "".join(s.text for s in listing.render_line(0))
        second = "".join(s.text for s in listing.render_line(1))
        assert SELECTED in first[:3] and SELECTED not in second[:3]


async def test_a_view_switched_back_to_shows_what_changed_meanwhile(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    """Blocked from a checklist, the item is in the blockers view when switched back to
    (a change reloads the screen in view; the others reload when they come back)."""
    app = make_app("tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("5")
        await wait_loaded(pilot, messages, "blockers")
        blockers = app.screen
        assert isinstance(blockers, BlockersScreen) and blockers.found == []
        await pilot.press("1")
        await pilot.pause()
        screen = await open_member(pilot, messages)
        await pilot.press("b", *"VPN", "enter")
        view = screen.query_one(ChecklistView)
        await wait_until(
            pilot, lambda: view.current is not None and view.current.state == "blocked"
        )
        await pilot.press("5")
        await wait_until(pilot, lambda: len(blockers.found) == 1)


async def test_sessions_at_80_columns_keep_who_came_and_name_the_rest_below(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    """At 80x24 the sessions' row keeps when, who came and how long before the title;
    the trainer and place, scrolled off, are in the attendees' heading."""
    app = make_app("tomas")
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("4")
        await wait_loaded(pilot, messages, "sessions")
        screen = app.screen
        assert isinstance(screen, SessionsScreen)
        await wait_until(pilot, lambda: bool(screen.sessions))
        table = screen.query_one("#sessions", DataTable)
        shown = [c.label.plain for c in table.ordered_columns]
        assert shown.index("Attended") < shown.index("Session")
        assert shown.index("Minutes") < shown.index("Session")
        first = screen._selected()
        assert first is not None
        region = table.region
        visible = sum(c.get_render_width(table) for c in table.ordered_columns[:4])
        assert visible <= region.width  # when, tense, attended and minutes are on screen
        heading = str(screen.query_one("#attendees-title").render())
        assert first.title in heading
        if first.trainer:
            assert f"trainer {first.trainer}" in heading


async def test_keys_on_an_empty_blockers_table_do_nothing(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    """Nothing blocked: page down, end, enter and the arrows on the empty table neither
    crash the app nor open anything (a highlight of no row once crashed it)."""
    app = make_app("tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("5")
        await wait_loaded(pilot, messages, "blockers")
        assert app.screen.query_one(DataTable).row_count == 0
        await pilot.press("pagedown", "end", "down", "up", "home", "pageup", "enter")
        await pilot.pause()
        assert isinstance(app.screen, BlockersScreen) and len(app.screen_stack) == 1
        assert "Nothing is blocked." in str(app.screen.query_one("#blocker-detail").render())


async def test_enter_on_a_blocker_opens_its_checklist_on_the_blocked_item(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    """Enter opens the blocked item, not its checklist's top: the cursor on it, in
    sight. Home and end go to the first and last blocker."""
    deep = rows_of(db_path, member="ben")[-1]
    core_act(db_path, "ben", "block", deep.id, reason="waits on the VPN")
    system = [r for r in rows_of(db_path) if r.member is None][-1]
    core_act(db_path, "tomas", "block", system.id, reason="waits on the board")
    app = make_app("tomas")
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("5")
        await wait_loaded(pilot, messages, "blockers")
        blockers = app.screen
        assert isinstance(blockers, BlockersScreen)
        table = blockers.query_one(DataTable)
        assert table.row_count == 2
        await pilot.press("end")
        assert table.cursor_row == 1
        await pilot.press("home")
        assert table.cursor_row == 0
        for n, blocked in enumerate((deep, system), start=1):
            table.move_cursor(row=table.get_row_index(str(blocked.id)))
            await pilot.press("enter")
            await wait_loaded(pilot, messages, "checklist", count=n)
            screen = app.screen
            assert isinstance(screen, ChecklistScreen)
            assert screen.scope == Scope(blocked.member, blocked.system)
            view = screen.query_one(ChecklistView)
            assert view.current is not None and view.current.id == blocked.id
            top = view.scroll_offset.y
            assert top <= view.cursor < top + view.scrollable_content_region.height
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.screen is blockers)


async def test_a_checklist_opens_on_an_item_past_its_first_page(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    """A handover-wide blocker opens the list of every item (hundreds): the page that
    holds the item is loaded first, the cursor on it; a filter that leaves it out
    opens at the top."""
    every = rows_of(db_path)
    last = every[-1]
    assert len(every) > PAGE_SIZE
    app = make_app("tomas")
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        app.open_checklist(None, None, on_item=last.id)
        await wait_loaded(pilot, messages, "checklist")
        view = app.screen.query_one(ChecklistView)
        assert view.cursor == len(every) - 1
        assert view.current is not None and view.current.id == last.id
        top = view.scroll_offset.y
        assert top <= view.cursor < top + view.scrollable_content_region.height
        await pilot.press("up")
        assert view.current is not None and view.current.id == every[-2].id
        await pilot.press("escape")
        app.open_checklist("ben", None, on_item=last.id)  # not in ben's list
        await wait_loaded(pilot, messages, "checklist", count=2)
        view = app.screen.query_one(ChecklistView)
        assert view.cursor == 0


async def test_my_items_of_someone_off_the_roster_does_not_call_the_figures_theirs(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    """An unknown user (read-only) has no items: My items says so, and the figures under
    it are labelled the handover's, not as if they were this user's."""
    from kt_tui.tui.widgets.phrases import PhraseHeader

    app = make_app("zed")
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("2")
        await wait_loaded(pilot, messages, "checklist")
        screen = app.screen
        assert isinstance(screen, ChecklistScreen)
        header = screen.query_one("#cl-header", PhraseHeader)
        await wait_until(pilot, lambda: "complete" in str(header.render()))
        said = str(header.render())
        assert "you have no items" in said and "Handover readiness" in said, said
