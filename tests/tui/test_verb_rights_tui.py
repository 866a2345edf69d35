"""Every verb of DESIGN's table, from the checklist's keys: allowed for one who may,
refused for one who may not (told so, and nothing written). The CLI's twin is
tests/test_cli_parties.py; the rules themselves are tested in tests/core/."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from textual.message import Message

from kt_tui.core.service import Scope
from kt_tui.core.store import open_store
from kt_tui.core.tables import EVENT, SIGNATURE
from kt_tui.tui.app import KtApp
from kt_tui.tui.screens.checklist import ChecklistScreen
from kt_tui.tui.screens.prompt import PromptScreen
from kt_tui.tui.widgets.checklist_view import ChecklistView
from tests.tui.conftest import FIXED_CLOCK, wait_loaded, wait_until
from tests.tui.test_app import SIZE, core_act, errors, instance, rows_of

# the item: handoff/walkthrough on api, owner = "provider", signoff = ["receiver", "lead"]
# (key, text typed at its prompt, setup as (who, verb, options), who may, who may not,
#  what the item looks like after the allowed one pressed the key)
CASES = [
    ("space", None, [], "pete", "eve", {"state": "done", "done_by": "pete"}),
    ("space", None, [("pete", "done", {})], "pete", "eve", {"state": "todo"}),
    ("b", "waits on VPN", [], "pete", "eve", {"state": "blocked", "reason": "waits on VPN"}),
    ("b", None, [("pete", "block", {"reason": "VPN"})], "pete", "eve", {"state": "todo"}),
    ("s", None, [("pete", "done", {})], "eve", "pete", {"state": "done", "signatures": 1}),
    ("R", "no demo", [("pete", "done", {})], "eve", "pete", {"state": "todo", "sent_back": True}),
    ("n", "not ours", [], "lea", "eve", {"state": "na", "reason": "not ours"}),
    ("r", None, [("lea", "na", {"reason": "x"})], "lea", "pete", {"state": "todo"}),
    ("e", "wiki/walk", [], "pete", "eve", {"evidence": "wiki/walk"}),
]
IDS = ["done", "undo", "block", "unblock", "signoff", "reject", "na", "reopen", "evidence"]


def _events(db: str) -> int:
    store = open_store(db)
    try:
        with store.read() as conn:
            return int(conn.execute(select(func.count()).select_from(EVENT)).scalar() or 0)
    finally:
        store.dispose()


def _signatures(db: str) -> int:
    store = open_store(db)
    try:
        with store.read() as conn:
            return int(conn.execute(select(func.count()).select_from(SIGNATURE)).scalar() or 0)
    finally:
        store.dispose()


async def _press_on_walkthrough(
    db: str, who: str, key: str, text: str | None, messages: list[Message]
) -> tuple[KtApp, bool]:
    """The app after ``who`` pressed ``key`` on the item (and typed ``text`` if asked),
    and whether they were asked."""
    app = KtApp(db=db, as_handle=who, clock=FIXED_CLOCK, start="dashboard")
    asked = False
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await app.push_screen(ChecklistScreen(Scope(system="api"), "walkthrough"))
        await wait_loaded(pilot, messages, "checklist")
        view = app.screen.query_one(ChecklistView)
        assert view.current is not None and view.current.ref == "handoff/walkthrough"
        events = _events(db)
        await pilot.press(key)

        def prompted() -> bool:
            return isinstance(app.screen, PromptScreen)

        if text is not None:
            await wait_until(pilot, lambda: prompted() or bool(errors(app)))
            asked = prompted()
            if asked:
                await pilot.press(*text, "enter")
        await wait_until(pilot, lambda: _events(db) > events or bool(errors(app)))
        await pilot.pause()
    return app, asked


@pytest.mark.parametrize(("key", "text", "setup", "may", "may_not", "after"), CASES, ids=IDS)
async def test_a_verb_from_its_key_is_allowed_and_refused_by_the_rules(
    two_db: str,
    messages: list[Message],
    key: str,
    text: str | None,
    setup: list[tuple[str, str, dict[str, str]]],
    may: str,
    may_not: str,
    after: dict[str, object],
) -> None:
    walk = next(r for r in rows_of(two_db) if r.ref == "handoff/walkthrough")
    for who, verb, kw in setup:
        core_act(two_db, who, verb, walk.id, **kw)
    before = instance(two_db, walk.id)
    events = _events(two_db)

    refused, asked = await _press_on_walkthrough(two_db, may_not, key, text, messages)
    assert errors(refused), f"{may_not} pressing {key!r} was not told anything"
    assert not asked  # refused before being asked for a reason or a link
    assert _events(two_db) == events  # nothing written
    unchanged = instance(two_db, walk.id)
    assert (unchanged.state, unchanged.evidence) == (before.state, before.evidence)

    messages.clear()
    allowed, asked = await _press_on_walkthrough(two_db, may, key, text, messages)
    assert not errors(allowed), errors(allowed)
    assert asked == (text is not None)
    assert _events(two_db) == events + 1
    row = instance(two_db, walk.id)
    for field, want in after.items():
        got = _signatures(two_db) if field == "signatures" else getattr(row, field)
        assert got == want, (field, got, want)


async def test_a_refusal_names_the_rule(two_db: str, messages: list[Message]) -> None:
    """Not only 'refused': who may do it, in words."""
    app, _ = await _press_on_walkthrough(two_db, "eve", "n", "x", messages)
    assert any("lead" in m for m in errors(app)), errors(app)
    messages.clear()
    app, _ = await _press_on_walkthrough(two_db, "eve", "space", None, messages)
    assert any("provider" in m for m in errors(app)), errors(app)


async def test_reject_applies_to_the_selection(two_db: str, messages: list[Message]) -> None:
    """R, like every verb key, sends back every selected item, with one reason for all."""
    from kt_tui.tui.screens.confirm import ConfirmScreen

    rows = [r for r in rows_of(two_db) if r.ref.startswith("handoff/")]
    for r in rows:
        core_act(two_db, "pete", "done", r.id, evidence="wiki/x")
    app = KtApp(db=two_db, as_handle="lea", clock=FIXED_CLOCK, start="dashboard")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await app.push_screen(ChecklistScreen(Scope(system="api"), "handoff"))
        await wait_loaded(pilot, messages, "checklist")
        await pilot.press("a")
        await wait_until(pilot, lambda: len(app.screen.query_one(ChecklistView).selected) == 2)
        await pilot.press("R")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press(*"no demo", "enter")
        await wait_until(pilot, lambda: all(instance(two_db, r.id).state == "todo" for r in rows))
    assert all(instance(two_db, r.id).reason == "no demo" for r in rows)
