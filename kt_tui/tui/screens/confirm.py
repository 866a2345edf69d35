"""A yes/no modal, with the details to weigh (a sync's plan) wrapped and scrollable."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Label, Static

from kt_tui.present import printable
from kt_tui.tui.screens.dialog import Dialog


class ConfirmScreen(Dialog[bool]):
    CSS_PATH = "dialog.tcss"
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes", tooltip="Confirm"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no", tooltip="Cancel"),
    ]

    def __init__(self, question: str, details: list[str] | None = None) -> None:
        super().__init__()
        self.question = question
        self.details = details or []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Text(printable(self.question)), id="question")
            if self.details:
                with VerticalScroll(id="details"):
                    yield Static(Text(printable("\n".join(self.details))), id="details-text")
            with Horizontal(id="buttons"):
                yield Button("Yes (y)", variant="primary", id="yes")
                yield Button("No (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
