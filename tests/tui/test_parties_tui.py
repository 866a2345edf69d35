"""The queue and the checklist with parties: multi-party sign-off, reject from the
queue (asks why), assess (asks the score), partial sign-off in the item detail."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.message import Message
from textual.widgets import Static

from kt_tui.tui.app import KtApp
from kt_tui.tui.screens.prompt import PromptScreen
from kt_tui.tui.screens.queue import QueueScreen
from tests.tui.conftest import FIXED_CLOCK, wait_loaded, wait_until
from tests.tui.test_app import SIZE, core_act, errors, instance, open_member, rows_of


@pytest.fixture
def app_as(two_db: str) -> Callable[[str], KtApp]:
    return lambda handle: KtApp(db=two_db, as_handle=handle, clock=FIXED_CLOCK, start="dashboard")


def ref_row(db: str, ref: str, member: str | None = None):  # type: ignore[no-untyped-def]
    return next(r for r in rows_of(db) if r.ref == ref and r.member == member)


async def open_queue(pilot, messages: list[Message], count: int = 1) -> QueueScreen:  # type: ignore[no-untyped-def]
    await wait_loaded(pilot, messages, "dashboard")
    await pilot.press("S")
    await wait_loaded(pilot, messages, "queue", count)
    screen = pilot.app.screen
    assert isinstance(screen, QueueScreen)
    return screen


async def test_two_parties_sign_from_their_queues(
    app_as: Callable[[str], KtApp], two_db: str, messages: list[Message]
) -> None:
    runbook = ref_row(two_db, "handoff/runbook")
    core_act(two_db, "pete", "done", runbook.id, evidence="[b]https://wiki/runbook[/b]")
    app = app_as("lea")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_queue(pilot, messages)
        assert [r.id for r in screen.rows] == [runbook.id]
        assert screen.rows[0].signing == "0 of 2 signed; missing provider-lead, client-lead"
        await pilot.press("a", "s")
        await pilot.pause()
        await pilot.press("y")
        await wait_until(pilot, lambda: bool(instance(two_db, runbook.id).signatures))
        await wait_loaded(pilot, messages, "queue", 2)
        assert screen.rows == []  # lea has signed her party
    row = instance(two_db, runbook.id)
    assert row.state == "done" and [s.party for s in row.signatures] == ["client-lead"]
    messages.clear()
    app = app_as("pia")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_queue(pilot, messages)
        assert screen.rows[0].signing == "1 of 2 signed; missing provider-lead"
        shown = str(screen.query_one("#queue-detail", Static).render())
        assert "1 of 2 signed; missing provider-lead" in shown  # the detail, in view
        assert (
            "Signed as client-lead: lea" in shown and "[b]https://wiki/runbook[/b]" in shown
        )  # text, not markup
        await pilot.press("a", "s")
        await pilot.pause()
        await pilot.press("y")
        await wait_until(pilot, lambda: instance(two_db, runbook.id).state == "signed_off")
    assert instance(two_db, runbook.id).signed_off_by == "pia"


async def test_reject_from_the_queue_asks_why(
    app_as: Callable[[str], KtApp], two_db: str, messages: list[Message]
) -> None:
    walk = ref_row(two_db, "handoff/walkthrough")
    core_act(two_db, "pete", "done", walk.id)
    app = app_as("eve")  # a client receiver of api: she may fill the receiver party
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_queue(pilot, messages)
        assert [r.id for r in screen.rows] == [walk.id]
        await pilot.press("a", "R")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press(*"[b]no demo of failover[/b]", "enter")
        await wait_until(pilot, lambda: instance(two_db, walk.id).state == "todo")
    row = instance(two_db, walk.id)
    assert row.sent_back and row.reason == "[b]no demo of failover[/b]"  # text, not markup
    assert row.state_label == "todo (sent back)"


async def test_assess_from_the_checklist_asks_the_score(
    app_as: Callable[[str], KtApp], two_db: str, messages: list[Message]
) -> None:
    quiz = ref_row(two_db, "quiz/teachback", "eve")
    core_act(two_db, "eve", "done", quiz.id)
    app = app_as("lea")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await open_member(pilot, messages, downs=3)  # lea, lou, pia, eve
        await pilot.press("A")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press("9", "enter")  # outside 1..4: bad input, said so
        await wait_until(
            pilot,
            lambda: any("a score is a whole number from 1 to 4, not 9" in m for m in errors(app)),
        )
        assert instance(two_db, quiz.id).state == "done"
        await pilot.press("A")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press("3", "enter")
        await wait_until(pilot, lambda: instance(two_db, quiz.id).state == "signed_off")
    assert instance(two_db, quiz.id).score == 3


async def test_the_member_may_not_assess_themselves(
    app_as: Callable[[str], KtApp], two_db: str, messages: list[Message]
) -> None:
    quiz = ref_row(two_db, "quiz/teachback", "eve")
    core_act(two_db, "eve", "done", quiz.id)
    app = app_as("eve")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await open_member(pilot, messages, downs=3)
        await pilot.press("A")
        await wait_until(
            pilot, lambda: any("and is not its member, may assess" in m for m in errors(app))
        )
        assert not isinstance(app.screen, PromptScreen)


async def test_assess_from_the_queue(
    app_as: Callable[[str], KtApp], two_db: str, messages: list[Message]
) -> None:
    quiz = ref_row(two_db, "quiz/teachback", "eve")
    core_act(two_db, "eve", "done", quiz.id)  # "I am ready"
    app = app_as("pia")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_queue(pilot, messages)
        assert [r.id for r in screen.rows] == [quiz.id]
        assert screen.rows[0].signing == "awaiting assessment"
        await pilot.press("A")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press("2", "enter")  # does not pass: back to todo, the score kept
        await wait_until(pilot, lambda: instance(two_db, quiz.id).state == "todo")
        await wait_loaded(pilot, messages, "queue", 2)
        assert screen.rows == []
    assert instance(two_db, quiz.id).score == 2


async def test_the_checklist_row_shows_a_score_that_did_not_pass(
    app_as: Callable[[str], KtApp], two_db: str, messages: list[Message]
) -> None:
    from kt_tui.tui.widgets.checklist_view import ChecklistView

    quiz = ref_row(two_db, "quiz/teachback", "eve")
    core_act(two_db, "eve", "done", quiz.id)
    core_act(two_db, "lea", "assess", quiz.id, score=1)
    app = app_as("lea")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages, downs=3)
        view = screen.query_one(ChecklistView)
        line = "".join(seg.text for seg in view.render_line(0))
        assert "score 1" in line


async def test_the_competency_view_colours_and_marks_each_last_score(
    app_as: Callable[[str], KtApp], two_db: str, messages: list[Message]
) -> None:
    from textual.widgets import DataTable

    from kt_tui.tui.screens.competency import CompetencyScreen

    quiz = ref_row(two_db, "quiz/teachback", "eve")
    core_act(two_db, "eve", "done", quiz.id)
    core_act(two_db, "lea", "assess", quiz.id, score=2)  # below the pass mark of 3
    app = app_as("lea")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("6")
        await wait_loaded(pilot, messages, "competency")
        screen = app.screen
        assert isinstance(screen, CompetencyScreen) and len(app.screen_stack) == 1
        table = screen.query_one(DataTable)
        cells = {str(table.get_row(key)[0]): table.get_row(key)[1:] for key in table.rows}
        eve = cells["eve"]
        assert [str(c) for c in eve] == ["2/4 ✗"]  # marked, not only coloured
        assert "red" in str(eve[0].style)  # type: ignore[union-attr]
        others = [str(c[0]) for m, c in cells.items() if m != "eve"]
        assert others and all(c == "-" for c in others)  # not assessed yet


async def test_queue_keys_act_on_the_highlighted_item_when_none_is_selected(
    app_as: Callable[[str], KtApp], two_db: str, messages: list[Message]
) -> None:
    """As in the checklist: s and R act on the highlighted row without a selection; v
    selects as space does; r (reopen elsewhere) does not reject here."""
    walk = ref_row(two_db, "handoff/walkthrough")
    core_act(two_db, "pete", "done", walk.id)
    app = app_as("eve")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_queue(pilot, messages)
        listing = screen.query_one("#queue")
        await pilot.press("v")
        assert list(listing.selected) == [walk.id]  # type: ignore[attr-defined]
        await pilot.press("v")
        assert not listing.selected  # type: ignore[attr-defined]
        await pilot.press("r")
        await pilot.pause()
        assert not isinstance(app.screen, PromptScreen)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("y")
        await wait_until(pilot, lambda: bool(instance(two_db, walk.id).signatures))
    assert instance(two_db, walk.id).signatures[0].by == "eve"


async def test_assess_a_selection_from_the_queue_scores_each(
    app_as: Callable[[str], KtApp], two_db: str, messages: list[Message]
) -> None:
    """A group's teach-back scored alike: select both, one score, each assessed (it
    scored only the highlighted row)."""
    quizzes = [ref_row(two_db, "quiz/teachback", who) for who in ("eve", "cal")]
    for who, quiz in zip(("eve", "cal"), quizzes, strict=True):
        core_act(two_db, who, "done", quiz.id)
    app = app_as("pia")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_queue(pilot, messages)
        assert {r.id for r in screen.rows} == {q.id for q in quizzes}
        await pilot.press("a", "A")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen))
        assert "for each of the 2 selected items" in str(app.screen.question)
        await pilot.press("3", "enter")
        await wait_until(
            pilot, lambda: all(instance(two_db, q.id).state == "signed_off" for q in quizzes)
        )
    assert [instance(two_db, q.id).score for q in quizzes] == [3, 3]


async def test_the_queue_detail_shows_what_a_signer_needs_first_at_80x24(
    app_as: Callable[[str], KtApp], two_db: str, messages: list[Message]
) -> None:
    """Who did it and when, the evidence, the signing so far and the signatures come
    before the item's rules, in view at 80x24; the pane takes the focus (tab) and
    scrolls to the rest; the rule reads "Who may do it", not as a person."""
    from textual.containers import VerticalScroll

    runbook = ref_row(two_db, "handoff/runbook")
    core_act(two_db, "pete", "done", runbook.id, evidence="https://wiki/runbook")
    core_act(two_db, "lea", "signoff", runbook.id)
    app = app_as("pia")
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        screen = await open_queue(pilot, messages)
        pane = screen.query_one("#queue-detail-pane", VerticalScroll)
        detail = screen.query_one("#queue-detail", Static)
        lines = str(detail.render()).splitlines()
        needs = (
            "Done by: pete at",
            "Evidence: https://wiki/runbook",
            "Signing: 1 of 2",
            "Signed as client-lead: lea",
        )
        at = [next(i for i, line in enumerate(lines) if line.startswith(n)) for n in needs]
        rule = next(i for i, line in enumerate(lines) if line.startswith("Who may do it:"))
        assert max(at) < rule and not any("Done by whom" in line for line in lines)
        shown = pane.scrollable_content_region.height
        assert max(at) < shown, (lines, shown)  # in view without scrolling
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is pane
        if pane.max_scroll_y:
            await pilot.press("end")
            await pilot.pause()
            assert pane.scroll_y == pane.max_scroll_y


async def test_an_empty_queue_says_nothing_waits(
    app_as: Callable[[str], KtApp], messages: list[Message]
) -> None:
    from kt_tui.tui import hints

    app = app_as("pia")
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        screen = await open_queue(pilot, messages)
        assert screen.rows == []
        assert hints.NOTHING_TO_SIGN in str(screen.query_one("#queue-detail", Static).render())


async def test_the_competency_view_keeps_the_member_in_view_with_short_headers(
    app_as: Callable[[str], KtApp], messages: list[Message]
) -> None:
    """At 80 columns: the Member column is fixed (scrolling right keeps it), headers are
    the item's key (@system), and the highlighted column is named in full below."""
    from textual.widgets import DataTable, Static

    from kt_tui.tui.screens.competency import CompetencyScreen

    app = app_as("lea")
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("6")
        await wait_loaded(pilot, messages, "competency")
        screen = app.screen
        assert isinstance(screen, CompetencyScreen)
        table = screen.query_one(DataTable)
        assert table.fixed_columns == 1
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[0] == "Member" and all("/" not in label for label in labels[1:]), labels
        for _ in range(len(labels)):
            await pilot.press("right")
        await pilot.pause()
        column = table.coordinate_to_cell_key(table.cursor_coordinate).column_key.value
        named = str(screen.query_one("#competency-column", Static).render())
        assert column and named.startswith(column), (column, named)  # the full REF
