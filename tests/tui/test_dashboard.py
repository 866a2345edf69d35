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
