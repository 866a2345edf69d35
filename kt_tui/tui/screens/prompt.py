"""A modal that asks for one line of text (a reason, a note, evidence)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from kt_tui.present import has_controls, printable
from kt_tui.tui import hints
from kt_tui.tui.screens.dialog import Dialog

CONTROLS_REFUSED = "Control characters are not allowed here: type the text again without them."


class PromptScreen(Dialog[str | None]):
    """Enter gives the text (not blank, no control characters), escape gives None."""

    CSS_PATH = "dialog.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel", tooltip="Write nothing")]

    def __init__(self, question: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Text(printable(self.question)), id="question")
            yield Input(printable(self.value), placeholder=self.placeholder, id="answer")
            yield Label("enter: ok   escape: cancel   f1: help", classes="hint")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.notify(hints.SAY_SOMETHING, severity="warning")
            return
        if has_controls(text):
            self.notify(CONTROLS_REFUSED, title="Not written", severity="error", markup=False)
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
