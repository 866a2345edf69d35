"""The export dialog: which format, and where; never silently into the current folder."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, RadioButton, RadioSet

from kt_tui.present import has_controls, printable
from kt_tui.tui.screens.dialog import Dialog

FORMATS = (
    ("md", "Markdown: the one-page summary and its appendix"),
    ("html", "HTML: the same, to print or mail"),
    ("csv", "CSV: every item, for a spreadsheet"),
    ("json", "JSON: every figure and item, for a program"),
)


class ExportScreen(Dialog[tuple[str, Path] | None]):
    """Enter writes (format, path); escape writes nothing."""

    CSS_PATH = "dialog.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel", tooltip="Write nothing")]

    def __init__(self, folder: Path, today: date) -> None:
        super().__init__()
        self.folder = folder
        self.today = today
        self.fmt = "md"
        self.edited = False  # the user typed a path: a format change leaves it alone

    def default_path(self, fmt: str) -> Path:
        from kt_tui.export.command import default_filename

        return self.folder / default_filename(fmt, self.today)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Export the readiness summary", id="question")
            with RadioSet(id="format"):
                for i, (fmt, what) in enumerate(FORMATS):
                    yield RadioButton(what, value=i == 0, name=fmt)
            yield Label("Write to:")
            yield Input(printable(str(self.default_path("md"))), id="path")
            yield Label("", id="export-error")
            yield Label(
                "tab: next field   enter: write   escape: cancel   f1: help", classes="hint"
            )

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    @on(RadioSet.Changed)
    def _format(self, event: RadioSet.Changed) -> None:
        self.fmt = event.pressed.name or "md"
        if not self.edited:
            box = self.query_one("#path", Input)
            box.value = printable(str(self.default_path(self.fmt)))
            self.edited = False

    @on(Input.Changed, "#path")
    def _typed(self, event: Input.Changed) -> None:
        self.edited = event.value != printable(str(self.default_path(self.fmt)))

    @on(Input.Submitted, "#path")
    def _submitted(self, event: Input.Submitted) -> None:
        why = refusal(event.value)
        if why is not None:
            self.query_one("#export-error", Label).update(Text(why, style="bold red"))
            return
        self.dismiss((self.fmt, Path(event.value.strip()).expanduser()))

    def action_cancel(self) -> None:
        self.dismiss(None)


def refusal(typed: str) -> str | None:
    """Why this path cannot take an export, in words; None when it can."""
    text = typed.strip()
    if not text:
        return "give a file name"
    if has_controls(text):
        return "control characters are not allowed in a path"
    path = Path(text).expanduser()
    if not path.is_absolute():
        return "give the full path (a summary never lands in the current folder unasked)"
    if path.exists():
        return f"{printable(str(path))} exists: choose another name"
    if not path.parent.is_dir():
        return f"{printable(str(path.parent))}: no such folder"
    return None
