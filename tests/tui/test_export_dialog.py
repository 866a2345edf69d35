"""The export dialog: the name it offers is one it takes, enter writes from any field,
the error says the current choice only, and the whole dialog is seen in a small terminal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, RadioSet

from kt_tui.tui.app import KtApp
from kt_tui.tui.screens.export_dialog import ExportScreen
from tests.tui.conftest import wait_loaded, wait_until


@pytest.fixture
def docs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "Documents"
    folder.mkdir()
    monkeypatch.setenv("KT_EXPORT_DIR", str(folder))
    return folder


async def open_dialog(pilot, app: KtApp, messages: list[Message]) -> ExportScreen:  # type: ignore[no-untyped-def]
    await wait_loaded(pilot, messages, "dashboard")
    await pilot.press("x")
    await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen))
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ExportScreen)
    return screen


def error_of(screen: ExportScreen) -> str:
    label = screen.query_one("#export-error", Label)
    return str(label.render()) if label.display else ""


def seen(screen: ExportScreen, widget: Widget) -> bool:
    """Whether the widget is drawn on screen: its first and last lines are its own
    (not cut off below the dialog's edge, nor under another widget)."""
    region = widget.region
    if not region.height:
        return False
    x = region.x + 1
    return (
        all(screen.get_widget_at(x, y)[0] is widget for y in (region.y, region.bottom - 1))
        and region.bottom <= screen.size.height
    )


async def test_the_name_offered_is_free_and_follows_the_format(
    make_app: Callable[..., KtApp], docs: Path, messages: list[Message]
) -> None:
    (docs / "readiness-2026-11-25.md").write_text("the first\n")
    (docs / "readiness-2026-11-25-2.md").write_text("the second\n")
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        screen = await open_dialog(pilot, app, messages)
        box = screen.query_one("#path", Input)
        assert box.value == str(docs / "readiness-2026-11-25-3.md")  # taken: the next one
        await pilot.press("enter")  # the name offered is taken as it is
        target = docs / "readiness-2026-11-25-3.md"
        await wait_until(pilot, target.exists)
        assert (docs / "readiness-2026-11-25.md").read_text() == "the first\n"
        # again: the next free name, and per format (no html yet)
        screen = await open_dialog(pilot, app, messages)
        box = screen.query_one("#path", Input)
        assert box.value == str(docs / "readiness-2026-11-25-4.md")
        await pilot.press("tab", "down", "space")  # HTML
        await wait_until(pilot, lambda: box.value == str(docs / "readiness-2026-11-25.html"))


async def test_enter_writes_from_the_format_list(
    make_app: Callable[..., KtApp], docs: Path, messages: list[Message]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        screen = await open_dialog(pilot, app, messages)
        await pilot.press("tab", "down", "space")  # HTML, the focus on the list
        assert isinstance(screen.focused, RadioSet)
        await pilot.press("enter")  # "enter: write", as the hint says
        target = docs / "readiness-2026-11-25.html"
        await wait_until(pilot, target.exists)
        assert not isinstance(app.screen, ExportScreen)


async def test_the_error_goes_when_the_path_or_the_format_changes(
    make_app: Callable[..., KtApp], docs: Path, messages: list[Message]
) -> None:
    taken = docs / "mine.md"
    taken.write_text("keep me\n")
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        screen = await open_dialog(pilot, app, messages)
        box = screen.query_one("#path", Input)
        box.value = str(taken)  # typed: an existing file is refused, never overwritten
        await pilot.pause()
        await pilot.press("enter")
        await wait_until(pilot, lambda: "exists" in error_of(screen))
        assert isinstance(app.screen, ExportScreen) and taken.read_text() == "keep me\n"
        await pilot.press("x")  # the path changes: the error was about the old one
        await wait_until(pilot, lambda: error_of(screen) == "")
        box.value = str(taken)
        await pilot.pause()
        await pilot.press("enter")
        await wait_until(pilot, lambda: "exists" in error_of(screen))
        await pilot.press("tab", "down", "space")  # the format changes
        await wait_until(pilot, lambda: error_of(screen) == "")
        assert box.value == str(taken)  # typed: a format change leaves it alone


@pytest.mark.parametrize("size", [(60, 20), (80, 24)])
async def test_the_error_and_the_hint_are_seen_in_a_small_terminal(
    make_app: Callable[..., KtApp], docs: Path, messages: list[Message], size: tuple[int, int]
) -> None:
    (docs / "readiness-2026-11-25.md").write_text("taken\n")
    app = make_app()
    async with app.run_test(size=size, message_hook=messages.append) as pilot:
        screen = await open_dialog(pilot, app, messages)
        hint = screen.query_one(".hint", Label)
        assert seen(screen, hint)
        box = screen.query_one("#path", Input)
        box.value = str(docs / "readiness-2026-11-25.md")
        await pilot.pause()
        await pilot.press("enter")
        await wait_until(pilot, lambda: "exists" in error_of(screen))
        for _ in range(3):
            await pilot.pause()
        assert seen(screen, screen.query_one("#export-error", Label))
        assert seen(screen, hint)
