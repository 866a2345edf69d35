"""The export dialog: which format, and where; never silently into the current folder."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Input, Label, RadioButton, RadioSet

from kt_tui.present import has_controls, printable
from kt_tui.tui.screens.dialog import Dialog

# short enough for one line in the dialog at 60 columns
FORMATS = (
    ("md", "Markdown: the summary and its appendix"),
    ("html", "HTML: the same, to print or mail"),
    ("csv", "CSV: every item, for a spreadsheet"),
    ("json", "JSON: every figure and item, for code"),
)


class ExportScreen(Dialog[tuple[str, Path] | None]):
    """Enter writes (format, path) from any field; escape writes nothing."""

    CSS_PATH = "dialog.tcss"
    # a short terminal: the dialog drops its spacing (and scrolls, if still too tall)
    VERTICAL_BREAKPOINTS = [(0, "-short"), (28, "-tall")]
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="export.cancel", tooltip="Write nothing"),
        # priority: the format list would take enter as "choose this one" (already chosen)
        Binding(
            "enter", "write", "Write", id="export.write", priority=True, tooltip="Write the file"
        ),
    ]

    def __init__(self, folder: Path, today: date) -> None:
        super().__init__()
        self.folder = folder
        self.today = today
        self.fmt = "md"
        self.proposed = self.default_path(self.fmt)
        self.edited = False  # the user typed a path: a format change leaves it alone

    def default_path(self, fmt: str) -> Path:
        """The name offered: today's, else the first -2, -3 ... not taken yet."""
        from kt_tui.export.command import free_path

        return free_path(self.folder, fmt, self.today)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", can_focus=False):  # tab goes field to field
            yield Label("Export the readiness summary", id="question")
            with RadioSet(id="format"):
                for i, (fmt, what) in enumerate(FORMATS):
                    yield RadioButton(what, value=i == 0, name=fmt)
            yield Label("Write to:")
            yield Input(printable(str(self.proposed)), id="path")
            yield Label("", id="export-error")
            yield Label(
                "tab: next field   enter: write   escape: cancel   f1: help", classes="hint"
            )

    def on_mount(self) -> None:
        self.query_one("#export-error", Label).display = False
        self.query_one("#path", Input).focus()

    def _say(self, why: str | None) -> None:
        """The error line: shown (scrolled into view), or cleared."""
        error = self.query_one("#export-error", Label)
        error.update(Text(why, style="bold red") if why else "")
        error.display = bool(why)
        if why:
            self.call_after_refresh(self.query_one("#dialog").scroll_end, animate=False)

    @on(RadioSet.Changed)
    def _format(self, event: RadioSet.Changed) -> None:
        self.fmt = event.pressed.name or "md"
        self.proposed = self.default_path(self.fmt)
        self._say(None)
        if not self.edited:
            self.query_one("#path", Input).value = printable(str(self.proposed))

    @on(Input.Changed, "#path")
    def _typed(self, event: Input.Changed) -> None:
        self.edited = event.value != printable(str(self.proposed))
        self._say(None)

    def action_write(self) -> None:
        typed = self.query_one("#path", Input).value
        why = refusal(typed)
        if why is not None:
            self._say(why)
            return
        self.dismiss((self.fmt, Path(typed.strip()).expanduser()))

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
