"""Help is reachable from every screen, dialogs included (F1: ? types itself in a text
box), and explains a filter only where the screen has one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.message import Message
from textual.widgets import Input

from kt_tui.tui.app import KtApp
from kt_tui.tui.screens.export_dialog import ExportScreen
from kt_tui.tui.screens.help import HelpScreen
from tests.tui.conftest import wait_loaded, wait_until
from tests.tui.test_app import SIZE


async def open_help(pilot, key: str = "question_mark") -> HelpScreen:  # type: ignore[no-untyped-def]
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
    screen = pilot.app.screen
    assert isinstance(screen, HelpScreen)
    return screen


def says_filters(screen: HelpScreen) -> bool:
    return any("Filter (/)" in str(label.render()) for label in screen.query("Label"))


async def test_help_explains_the_filter_only_where_there_is_one(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    app = make_app("tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        for key, view in (("5", "blockers"), ("6", "competency"), ("3", "queue")):
            await pilot.press(key)
            await wait_loaded(pilot, messages, view)
            help_screen = await open_help(pilot)
            assert not says_filters(help_screen), view
            assert "/" not in dict(help_screen.keys), view
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen))
        await pilot.press("2")  # My items: a checklist, with its filter
        await wait_loaded(pilot, messages, "checklist")
        help_screen = await open_help(pilot)
        assert says_filters(help_screen) and "/" in dict(help_screen.keys)


async def test_f1_opens_help_from_a_dialog_and_question_mark_types_itself(
    make_app: Callable[..., KtApp],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    messages: list[Message],
) -> None:
    """In the export dialog the path box has the focus: ? is a character of the path,
    F1 is help (about the dialog's keys), and closing help leaves the path as it was."""
    monkeypatch.setenv("KT_EXPORT_DIR", str(tmp_path))
    app = make_app("tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen))
        dialog = app.screen
        box = dialog.query_one("#path", Input)
        default = box.value
        assert default.startswith(str(tmp_path))
        help_screen = await open_help(pilot, "f1")
        assert help_screen.title_text == "export"
        assert dict(help_screen.keys).get("esc") == "Cancel"  # the dialog's own keys
        assert not says_filters(help_screen)
        await pilot.press("f1")  # F1 closes it again
        await wait_until(pilot, lambda: app.screen is dialog)
        assert box.value == default and box.has_focus
        await pilot.press("end", "question_mark")
        await pilot.pause()
        assert app.screen is dialog  # no help: the ? went into the box
        assert box.value == default + "?"


async def test_f1_opens_help_from_a_prompt(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    from kt_tui.tui.screens.prompt import PromptScreen

    app = make_app("tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("enter")
        await wait_loaded(pilot, messages, "checklist")
        await pilot.press("c")  # a note: asks for its text
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen))
        prompt = app.screen
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen is prompt and prompt.query_one(Input).value.endswith("?")
        await open_help(pilot, "f1")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is prompt)


async def test_question_mark_opens_help_from_a_dialog_without_a_text_box(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    """A modal dialog hides the app's keys: it binds help itself."""
    from kt_tui.tui.screens.confirm import ConfirmScreen

    app = make_app("tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("enter")
        await wait_loaded(pilot, messages, "checklist")
        await pilot.press("v", "n")  # n/a on a selection: asks first
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        confirm = app.screen
        help_screen = await open_help(pilot)
        assert dict(help_screen.keys).get("y") == "Yes"
        await pilot.press("question_mark")  # ? closes it, back to the question
        await wait_until(pilot, lambda: app.screen is confirm)


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_every_key_is_reachable_by_scrolling_on_a_small_terminal(
    make_app: Callable[..., KtApp], messages: list[Message], size: tuple[int, int]
) -> None:
    """The key table is as tall as its rows (not cut to the scroll area's height): page
    down brings each key's row, the last one too, into the dialog's view."""
    from textual.containers import VerticalScroll
    from textual.widgets import DataTable

    app = make_app("ben")
    async with app.run_test(size=size, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("2")
        await wait_loaded(pilot, messages, "checklist")
        help_screen = await open_help(pilot)
        await pilot.pause()
        body = help_screen.query_one("#help-body", VerticalScroll)
        table = help_screen.query_one("#help-keys", DataTable)
        assert table.row_count == len(help_screen.keys) > 12
        assert table.size.height >= table.row_count + 1  # every row, and the header
        assert table.max_scroll_y == 0  # nothing hidden inside the table
        last_row_y = table.region.y + table.row_count  # the header is row 0
        for _ in range(len(help_screen.keys)):
            if body.region.y <= last_row_y - round(body.scroll_y) < body.region.bottom:
                break
            await pilot.press("pagedown")
            await pilot.pause()
        else:
            raise AssertionError("the last key never came into view")
        keys = dict(help_screen.keys)
        for key in ("3", "6", "v", "a", "o", "O", "x", "?"):
            assert key in keys, key


async def test_help_over_a_prompt_names_enter_and_escape(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    from kt_tui.tui.screens.prompt import PromptScreen

    app = make_app("tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await pilot.press("enter")
        await wait_loaded(pilot, messages, "checklist")
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen))
        help_screen = await open_help(pilot, "f1")
        keys = dict(help_screen.keys)
        assert "submit" in keys.get("enter", "").lower(), help_screen.keys
        assert "cancel" in keys.get("esc", "").lower(), help_screen.keys
