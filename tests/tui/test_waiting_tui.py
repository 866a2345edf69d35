"""The checklist on prerequisites and lapsing: a waiting item shows as waiting and its
done key is refused with the reason; a lapsed one shows as lapsed and is done again."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from textual.message import Message
from textual.widgets import Static

from kt_tui.core import actions
from kt_tui.core.clock import Clock
from kt_tui.core.store import open_store
from kt_tui.core.sync import sync
from kt_tui.tui.app import KtApp
from kt_tui.tui.widgets.checklist_view import ChecklistView
from tests.helpers import KT, ONBOARD, write_tiny
from tests.tui.conftest import FIXED_CLOCK, actor_of, wait_until
from tests.tui.test_app import SIZE, errors, instance, open_member

LATER = Clock.fixed(datetime(2027, 1, 5, 9, 0, tzinfo=UTC), date(2027, 1, 5))


@pytest.fixture
def tiny_path(tmp_path: Path) -> str:
    folder = write_tiny(
        tmp_path / "tiny",
        kt=KT.replace("weight = 3\n", 'weight = 3\nafter = ["read"]\n'),
        onboard=ONBOARD.replace('due = "T-100d"', 'due = "T-100d"\nvalid_for = "30d"'),
    )
    path = str(tmp_path / "kt.db")
    store = open_store(path)
    try:
        sync(store, folder, actor="setup", login="setup", clock=FIXED_CLOCK)
        eve = actor_of(store, "eve")
        with store.read() as conn:
            iid = actions.resolve_ref(conn, "onboard/access", eve)
        actions.act(store, eve, "done", iid, clock=FIXED_CLOCK)
    finally:
        store.dispose()
    return path


def detail_text(app: KtApp) -> str:
    return str(app.screen.query_one("#detail", Static).render())


async def test_done_on_a_waiting_item_is_refused_with_the_reason(
    tiny_path: str, messages: list[Message]
) -> None:
    app = KtApp(db=tiny_path, as_handle="eve", clock=FIXED_CLOCK, start="dashboard")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages, downs=2)  # lea, lou, eve
        view = screen.query_one(ChecklistView)
        await wait_until(pilot, lambda: bool(view.rows))
        index, row = next(
            (i, r) for i, r in view.rows.items() if r.ref == "kt/shadow" and r.system == "api"
        )
        assert row.shown_state == "waiting"
        view.cursor = index
        await pilot.pause()
        await wait_until(pilot, lambda: "Waits on: kt/read" in detail_text(app))
        assert "state: waiting" in detail_text(app)
        await pilot.press("space")
        await wait_until(pilot, lambda: bool(errors(app)))
        assert any("waits on kt/read (eve, api): todo" in m for m in errors(app))
        assert instance(tiny_path, row.id).state == "todo"


async def test_the_done_key_does_a_lapsed_item_again(
    tiny_path: str, messages: list[Message]
) -> None:
    app = KtApp(db=tiny_path, as_handle="eve", clock=LATER, start="dashboard")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages, downs=2)
        view = screen.query_one(ChecklistView)
        await wait_until(pilot, lambda: bool(view.rows))
        index, row = next((i, r) for i, r in view.rows.items() if r.ref == "onboard/access")
        assert (row.state, row.shown_state) == ("done", "lapsed")
        view.cursor = index
        await pilot.pause()
        await pilot.press("space")  # done again, not undo
        await wait_until(pilot, lambda: instance(tiny_path, row.id).version == row.version + 1)
        again = instance(tiny_path, row.id)
        assert again.state == "done" and again.done_at == "2027-01-05T09:00:00.000000Z"
        assert again.lapses_on == date(2027, 2, 4)


async def test_the_blockers_detail_names_the_items_that_wait_on_it(
    tiny_path: str, messages: list[Message]
) -> None:
    """Not only how many wait on a blocked item: which, with their member and system."""
    from kt_tui.tui.screens.blockers import BlockersScreen
    from tests.tui.conftest import wait_loaded
    from tests.tui.test_app import core_act, rows_of

    read = next(r for r in rows_of(tiny_path, "eve", "api") if r.ref == "kt/read")
    core_act(tiny_path, "eve", "block", read.id, reason="no VPN")
    app = KtApp(db=tiny_path, as_handle="lea", clock=FIXED_CLOCK, start="dashboard")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("5")
        await wait_loaded(pilot, messages, "blockers")
        assert isinstance(app.screen, BlockersScreen)
        pane = app.screen.query_one("#blocker-detail", Static)
        await wait_until(pilot, lambda: "no VPN" in str(pane.render()))
        assert "Waiting on it (1): kt/shadow (eve, api)" in str(pane.render())


async def test_an_n_a_item_asks_for_no_evidence_in_its_row_or_its_detail(
    db_path: str, messages: list[Message]
) -> None:
    """Evidence is "needed" in the row and "required" in the detail while the item asks
    for it; marked n/a, it asks for nothing."""
    from kt_tui.core.service import Scope
    from kt_tui.tui.screens.checklist import ChecklistScreen
    from tests.tui.conftest import wait_loaded
    from tests.tui.test_app import core_act, rows_of

    wanting = [r for r in rows_of(db_path, member="ben") if r.evidence_required]
    assert len(wanting) >= 2
    na, todo = wanting[0], wanting[1]
    core_act(db_path, "asha", "na", na.id, reason="not ours")
    app = KtApp(db=db_path, as_handle="tomas", clock=FIXED_CLOCK, start="dashboard")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await app.push_screen(ChecklistScreen(Scope(member="ben")))
        await wait_loaded(pilot, messages, "checklist")
        view = app.screen.query_one(ChecklistView)

        async def shown(row_id: int) -> tuple[str, str]:
            index = next(i for i, r in view.rows.items() if r.id == row_id)
            view.cursor = index
            await wait_until(pilot, lambda: view.rows[index].title in detail_text(app))
            line = "".join(s.text for s in view.render_line(index - view.scroll_offset.y))
            return line, detail_text(app)

        line, detail = await shown(todo.id)
        assert line.rstrip().endswith("needed") and "Evidence: required" in detail
        line, detail = await shown(na.id)
        assert view.rows[view.cursor].state == "na"
        assert "needed" not in line and "Evidence: required" not in detail
