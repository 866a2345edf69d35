"""The dashboard's own lines: the handover-wide figures, and names at 80 columns."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.message import Message
from textual.widgets import Static

from kt_tui.core.store import open_store
from kt_tui.core.sync import sync
from kt_tui.tui.app import KtApp
from tests.core.test_audience import folder
from tests.tui.conftest import FIXED_CLOCK, wait_loaded, wait_until
from tests.tui.test_app import SIZE, core_act, rows_of

# two more handover-wide items beside go-live approval: one done (no sign-off needed),
# one overdue (the fixed clock's today is 2026-11-25)
CUTOVER = """
[template]
key = "cutover"
title = "Cutover"
kind = "handover"
scope = "handover"

[[items]]
key = "dns"
title = "DNS points at the client's load balancer"
signoff = false

[[items]]
key = "freeze"
title = "Change freeze agreed"
due = 2026-11-01
"""


def header(app: KtApp) -> str:
    return str(app.screen.query_one("#dash-header", Static).render())


async def test_the_handover_wide_line_shows_the_handover_s_own_items(
    tmp_path: Path, messages: list[Message]
) -> None:
    db = str(tmp_path / "kt.db")
    store = open_store(db)
    try:
        sync(store, folder(tmp_path, cutover=CUTOVER), actor="t", login="t", clock=FIXED_CLOCK)
    finally:
        store.dispose()
    dns = next(r for r in rows_of(db) if r.ref == "cutover/dns")
    core_act(db, "lea", "done", dns.id)
    app = KtApp(db=db, as_handle="lea", clock=FIXED_CLOCK, start="dashboard")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await wait_until(pilot, lambda: "Handover-wide" in header(app))
        (line,) = [x for x in header(app).splitlines() if x.startswith("Handover-wide")]
        # approval, dns and freeze, one each: dns complete, freeze overdue
        assert "33% ready" in line and "1/3 complete" in line and "1 overdue" in line
        assert "█" * 10 + "░" * 20 in line  # a third of the 30-cell bar


async def test_no_handover_wide_line_where_the_folder_has_no_such_item(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    app = make_app("tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        assert "Overall" in header(app) and "Handover-wide" not in header(app)


def drawn(app: KtApp, selector: str) -> str:
    """A one-line widget's text as the terminal shows it."""
    region = app.screen.query_one(selector).region
    if not region.height:
        return ""
    strip = app.screen._compositor.render_strips()[region.y]
    return strip.text[region.x : region.right].strip()


async def test_at_80_columns_the_highlighted_row_s_name_is_shown_under_the_tables(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    """The Name columns fold away at 80 columns: the highlighted member's or system's
    full name is on the line under the tables, following the cursor and the focus."""
    from textual.widgets import DataTable

    app = make_app("tomas")
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        members = app.screen.query_one("#members", DataTable)
        assert members.has_focus and "name" not in {str(k.value) for k in members.columns}
        await wait_until(pilot, lambda: drawn(app, "#dash-name") == "asha: Asha Rao")
        await pilot.press("down")
        await wait_until(pilot, lambda: drawn(app, "#dash-name") == "tomas: Tomas Lindqvist")
        await pilot.press("shift+tab")  # the systems, above the members
        assert app.screen.query_one("#systems", DataTable).has_focus
        await wait_until(pilot, lambda: drawn(app, "#dash-name") == "orders: Order service")
        await pilot.press("down")
        await wait_until(pilot, lambda: drawn(app, "#dash-name") == "billing: Billing & invoicing")
        await pilot.resize_terminal(120, 40)  # wide: the names are in the tables again
        await wait_until(pilot, lambda: not app.screen.query_one("#dash-name").display)
        assert "name" in {str(k.value) for k in members.columns}


async def test_at_80x24_the_highlighted_member_stays_in_sight(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    """The members sit below the systems, out of an 80x24 screen: moving the cursor
    down the members scrolls the dashboard so the highlighted row is drawn, and back up
    to the first row brings the column titles along."""
    from textual.widgets import DataTable

    app = make_app("tomas")
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        members = app.screen.query_one("#members", DataTable)
        body = app.screen.query_one("#dash-body").region

        def on_screen() -> list[str]:
            strips = app.screen._compositor.render_strips()
            return [s.text.strip() for s in strips[body.y : body.bottom]]

        handles = [str(members.get_row_at(i)[0]) for i in range(members.row_count)]
        assert len(handles) >= 5
        for i, handle in enumerate(handles):
            if i:
                await pilot.press("down")
            await wait_until(
                pilot, lambda h=handle: any(line.startswith(h + " ") for line in on_screen())
            )
        for _ in handles[1:]:
            await pilot.press("up")
        await wait_until(pilot, lambda: any(line.startswith("Handle") for line in on_screen()))
        assert any(line.startswith(handles[0] + " ") for line in on_screen())


def test_a_header_breaks_between_phrases_never_inside_one() -> None:
    from kt_tui.tui.widgets.phrases import flow

    lines = [["Northwind order platform", "target 2027-04-01 (125 days left)"], ["a", "6 overdue"]]
    assert flow(lines, 80).plain == (
        "Northwind order platform   target 2027-04-01 (125 days left)\na   6 overdue"
    )
    assert flow(lines, 40).plain == (
        "Northwind order platform\ntarget 2027-04-01 (125 days left)\na   6 overdue"
    )
    assert flow([["a", "6 overdue"]], 12).plain == "a\n6 overdue"  # 13 cells: too wide


async def test_the_dashboard_header_keeps_its_phrases_whole_at_each_width(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    """At 80 columns the header's figures take more lines, each starting with a whole
    phrase ("6 overdue", not "overdue"); widened, they flow back onto fewer lines."""
    app = make_app("tomas")
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        header = app.screen.query_one("#dash-header")

        def lines() -> list[str]:
            strips = app.screen._compositor.render_strips()
            return [s.text.strip() for s in strips[header.region.y : header.region.bottom]]

        narrow = lines()
        assert any(line.startswith("target ") for line in narrow)
        first_words = {line.split(" ")[0] for line in narrow}
        assert not first_words & {"overdue", "left)", "complete", "ready", "blocked"}
        assert all(len(line) <= 78 for line in narrow)
        await pilot.resize_terminal(160, 40)
        await wait_until(pilot, lambda: len(lines()) < len(narrow))
        assert any("   target " in line for line in lines())


async def test_a_table_not_in_use_moving_its_cursor_does_not_scroll_the_dashboard(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    """Reading the heat map's last rows at 80x24, a re-sort of the members (the store
    changed) moves the members' cursor to the top: the dashboard stays where it is."""
    from textual.widgets import DataTable

    app = make_app("tomas")
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        members = app.screen.query_one("#members", DataTable)
        heat = app.screen.query_one("#heatmap", DataTable)
        body = app.screen.query_one("#dash-body")
        await pilot.press("down", "down", "tab")
        assert heat.has_focus
        for _ in range(heat.row_count):
            await pilot.press("down")
        await wait_until(pilot, lambda: body.scroll_y > 0)
        await pilot.pause(0.1)
        reading = body.scroll_y
        members.move_cursor(row=0)  # as a re-sort moves it
        await pilot.pause(0.1)
        assert body.scroll_y == reading


async def test_on_a_few_lines_the_first_row_comes_before_the_column_titles(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    """At 80x9 the scrolling body is one line high: back on the first member,
    that member is drawn (the titles come along only where both fit)."""
    from textual.widgets import DataTable

    app = make_app("tomas")
    async with app.run_test(size=(80, 9), message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        members = app.screen.query_one("#members", DataTable)
        body = app.screen.query_one("#dash-body")
        first = str(members.get_row_at(0)[0])

        def on_screen() -> list[str]:
            strips = app.screen._compositor.render_strips()
            return [s.text.strip() for s in strips[body.region.y : body.region.bottom]]

        await pilot.press("down", "down", "up", "up")
        await wait_until(pilot, lambda: any(line.startswith(first + " ") for line in on_screen()))
