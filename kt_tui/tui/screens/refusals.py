"""The refusals of a verb over many items, all of them: each reason once, with every item
it refused, to scroll through; escape closes it. A toast says a few; this says the rest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, Static

from kt_tui.present import printable
from kt_tui.tui.screens.dialog import Dialog

if TYPE_CHECKING:
    from kt_tui.core.service import Refusals


def refused_count(groups: Refusals) -> int:
    return sum(len(items) for _, items in groups)


def refusals_heading(groups: Refusals) -> str:
    """``24 refused, for 3 reasons``."""
    n, reasons = refused_count(groups), len(groups)
    return f"{n} refused, for {reasons} reason{'s' if reasons != 1 else ''}"


def refusals_text(groups: Refusals) -> Text:
    """Every reason once, then the items it refused, one a line; a reason met by one item
    is said whole, its item named in it. User text is data: Text, never markup."""
    text = Text()
    for i, (why, items) in enumerate(groups):
        if i:
            text.append("\n\n")
        if len(items) == 1:
            label, own = items[0]
            text.append(printable(label), style="bold")
            text.append("\n  ")
            text.append(printable(own))
            continue
        text.append(printable(why), style="bold")
        text.append(f"\n  {len(items)} items:")
        for label, _ in items:
            text.append("\n  - ")
            text.append(printable(label))
    return text


class RefusalsScreen(Dialog[None]):
    """What a verb over many items did, and every refusal with its reason."""

    CSS_PATH = "dialog.tcss"
    BINDINGS = [
        Binding("escape,q,enter", "close", "Close", id="refusals.close", tooltip="Close the list"),
    ]

    def __init__(self, done: str, groups: Refusals) -> None:
        super().__init__()
        self.done = done
        self.groups = groups

    def compose(self) -> ComposeResult:
        heading = refusals_heading(self.groups)
        with Vertical(id="dialog"):
            yield Label(
                Text(printable(f"{self.done}; {heading}" if self.done else heading)),
                id="question",
            )
            with VerticalScroll(id="report"):
                yield Static(refusals_text(self.groups), id="report-text")
            yield Label("up/down, page up/down: scroll   escape: close   f1: help", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#report", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
