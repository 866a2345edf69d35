"""Every verb of DESIGN's table, from the checklist's keys: allowed for one who may,
refused for one who may not (told so, and nothing written). The CLI's twin is
tests/test_cli_parties.py; the rules themselves are tested in tests/core/."""

from __future__ import annotations

import re

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

# the items: handoff/walkthrough on api, owner = "provider", signoff = ["receiver", "lead"];
# handoff/runbook on api, owner = "provider", signoff = ["provider-lead", "client-lead"]
# (key, text typed at its prompt, setup as (who, verb, options), who may, who may not,
#  what the item looks like after the allowed one pressed the key, the item)
CASES = [
    ("space", None, [], "pete", "eve", {"state": "done", "done_by": "pete"}, "walkthrough"),
    ("space", None, [("pete", "done", {})], "pete", "eve", {"state": "todo"}, "walkthrough"),
    ("b", "waits on VPN", [], "pete", "eve", {"state": "blocked", "reason": "waits on VPN"},
     "walkthrough"),
    ("b", None, [("pete", "block", {"reason": "VPN"})], "pete", "eve", {"state": "todo"},
     "walkthrough"),
    ("s", None, [("pete", "done", {})], "eve", "pete", {"state": "done", "signatures": 1},
     "walkthrough"),
    ("R", "no demo", [("pete", "done", {})], "eve", "pete", {"state": "todo", "sent_back": True},
     "walkthrough"),
    ("n", "not ours", [], "lea", "eve", {"state": "na", "reason": "not ours"}, "walkthrough"),
    ("r", None, [("lea", "na", {"reason": "x"})], "lea", "pete", {"state": "todo"},
     "walkthrough"),
    ("e", "wiki/walk", [], "pete", "eve", {"evidence": "wiki/walk"}, "walkthrough"),
    # a note is anyone's who does or signs the item: eve does not do the runbook (the
    # provider does) and signs no party of it (its leads do)
    ("c", "see the wiki", [], "pete", "eve", {"note": "see the wiki", "state": "todo"},
     "runbook"),
]  # fmt: skip
IDS = ["done", "undo", "block", "unblock", "signoff", "reject", "na", "reopen", "evidence",
       "note"]  # fmt: skip


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
    db: str,
    who: str,
    key: str,
    text: str | None,
    messages: list[Message],
    item: str = "walkthrough",
) -> tuple[KtApp, bool]:
    """The app after ``who`` pressed ``key`` on the item (handoff/``item`` on api, and
    typed ``text`` if asked), and whether they were asked."""
    app = KtApp(db=db, as_handle=who, clock=FIXED_CLOCK, start="dashboard")
    asked = False
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await app.push_screen(ChecklistScreen(Scope(system="api"), item))
        await wait_loaded(pilot, messages, "checklist")
        view = app.screen.query_one(ChecklistView)
        assert view.current is not None and view.current.ref == f"handoff/{item}"
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


@pytest.mark.parametrize(
    ("key", "text", "setup", "may", "may_not", "after", "item"), CASES, ids=IDS
)
async def test_a_verb_from_its_key_is_allowed_and_refused_by_the_rules(
    two_db: str,
    messages: list[Message],
    key: str,
    text: str | None,
    setup: list[tuple[str, str, dict[str, str]]],
    may: str,
    may_not: str,
    after: dict[str, object],
    item: str,
) -> None:
    walk = next(r for r in rows_of(two_db) if r.ref == f"handoff/{item}")
    for who, verb, kw in setup:
        core_act(two_db, who, verb, walk.id, **kw)
    before = instance(two_db, walk.id)
    events = _events(two_db)

    refused, asked = await _press_on_walkthrough(two_db, may_not, key, text, messages, item)
    assert errors(refused), f"{may_not} pressing {key!r} was not told anything"
    assert not asked  # refused before being asked for a reason or a link
    assert _events(two_db) == events  # nothing written
    unchanged = instance(two_db, walk.id)
    assert (unchanged.state, unchanged.evidence, unchanged.note) == (
        before.state,
        before.evidence,
        before.note,
    )

    messages.clear()
    allowed, asked = await _press_on_walkthrough(two_db, may, key, text, messages, item)
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


async def test_a_note_refusal_names_who_may(two_db: str, messages: list[Message]) -> None:
    app, asked = await _press_on_walkthrough(two_db, "eve", "c", "x", messages, "runbook")
    assert not asked
    assert any("does or signs" in m for m in errors(app)), errors(app)


async def test_attendance_from_the_sessions_view_is_refused_to_another_engineer(
    db_path: str, messages: list[Message]
) -> None:
    """m on someone else's attendance, by an engineer who is neither that member, a lead
    nor the session's trainer: told who may, nothing written; his own he may mark."""
    from textual.coordinate import Coordinate
    from textual.widgets import DataTable

    from kt_tui.tui.screens.sessions import SessionsScreen

    app = KtApp(db=db_path, as_handle="ben", clock=FIXED_CLOCK, start="dashboard")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("4")
        await wait_loaded(pilot, messages, "sessions")
        screen = app.screen
        assert isinstance(screen, SessionsScreen)
        session = screen.sessions[0]
        by_id = {a.instance_id: a for a in session.attendees}
        await pilot.press("tab")  # to the attendees
        table = screen.query_one("#attendees", DataTable)
        assert table.has_focus
        order = [  # the instance ids as the rows are drawn
            int(str(table.coordinate_to_cell_key(Coordinate(i, 0)).row_key.value))
            for i in range(table.row_count)
        ]
        other = next(i for i, iid in enumerate(order) if by_id[iid].member != "ben")
        own = next(i for i, iid in enumerate(order) if by_id[iid].member == "ben")
        events = _events(db_path)

        table.move_cursor(row=other)
        await pilot.press("m")
        await wait_until(pilot, lambda: bool(errors(app)))
        assert any("mark the attendance" in m and "a lead" in m for m in errors(app))
        assert _events(db_path) == events
        assert instance(db_path, order[other]).state == "todo"

        table.move_cursor(row=own)
        await pilot.press("m")
        await wait_until(pilot, lambda: instance(db_path, order[own]).state == "done")
        assert _events(db_path) == events + 1


async def test_assess_applies_one_score_to_the_selection_and_lists_refusals(
    two_db: str, messages: list[Message]
) -> None:
    """A, like every verb key, applies to the selection: one score asked once, each
    item judged by its own pass mark; an item that is no assessment is refused, listed."""
    from kt_tui.tui.screens.confirm import ConfirmScreen

    quizzes = [r for r in rows_of(two_db) if r.ref == "quiz/teachback"]
    others = [r for r in rows_of(two_db) if r.ref != "quiz/teachback"]
    assert {r.member for r in quizzes} == {"eve", "cal"} and others
    app = KtApp(db=two_db, as_handle="lea", clock=FIXED_CLOCK, start="dashboard")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await app.push_screen(ChecklistScreen(Scope(), ""))
        await wait_loaded(pilot, messages, "checklist")
        view = app.screen.query_one(ChecklistView)
        await pilot.press("a")
        await wait_until(pilot, lambda: len(view.selected) == len(quizzes) + len(others))
        events = _events(two_db)
        await pilot.press("A")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen))
        assert "1..4" in str(app.screen.query_one("#question").render())
        await pilot.press("3", "enter")
        await wait_until(pilot, lambda: bool(errors(app)))
        await wait_until(pilot, lambda: not view.selected)
    for r in quizzes:
        assessed = instance(two_db, r.id)
        assert (assessed.state, assessed.score) == ("signed_off", 3)  # 3 passes (pass 3)
    assert _events(two_db) == events + len(quizzes)
    # each reason once, with how many items it refused: every other item, in all
    assert all("not an assessment" in m for m in errors(app)), errors(app)
    counted = [re.search(r"\n(\d+) items: ", m) for m in errors(app)]
    assert sum(int(c.group(1)) if c else 1 for c in counted) == len(others), errors(app)
    assert all(instance(two_db, r.id).state == r.state for r in others)


async def test_a_score_an_item_cannot_take_is_listed_for_each_and_writes_nothing(
    two_db: str, messages: list[Message]
) -> None:
    """A score outside an item's scale is that item's refusal: each is listed, the
    loop does not stop at the first one."""
    from kt_tui.tui.screens.confirm import ConfirmScreen

    app = KtApp(db=two_db, as_handle="lea", clock=FIXED_CLOCK, start="dashboard")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await app.push_screen(ChecklistScreen(Scope(), "teachback"))
        await wait_loaded(pilot, messages, "checklist")
        view = app.screen.query_one(ChecklistView)
        await pilot.press("a")
        await wait_until(pilot, lambda: len(view.selected) == 2)
        events = _events(two_db)
        await pilot.press("A")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press("9", "enter")
        await wait_until(pilot, lambda: not view.selected)
        said = errors(app)
    assert said == [  # one reason, said once, then the items it refused
        "--score 9 does not fit it: a score is a whole number from 1 to 4, not 9.\n"
        "2 items: quiz/teachback --member eve, quiz/teachback --member cal"
    ], said
    assert _events(two_db) == events
