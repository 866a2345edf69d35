"""Who attended a session: a multi-select of its attendees; enter marks them all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label
from textual.widgets.selection_list import Selection

from kt_tui.core import rules
from kt_tui.present import printable
from kt_tui.tui.screens.dialog import Dialog
from kt_tui.tui.widgets.queue_list import QueueList

if TYPE_CHECKING:
    from kt_tui.core.service import TrainingSession


class AttendanceScreen(Dialog[list[int] | None]):
    """The session's attendees not yet marked; enter gives the selected instance ids."""

    CSS_PATH = "dialog.tcss"
    BINDINGS = [
        Binding("a", "toggle_all", "All/none", id="attendance.all", tooltip="Select all, or none"),
        Binding(
            "enter",
            "confirm",
            "Mark attended",
            id="attendance.confirm",
            priority=True,  # over the list's own enter (toggle): space toggles there
            tooltip="Mark them (asks first)",
        ),
        Binding("escape", "cancel", "Cancel", id="attendance.cancel", tooltip="Mark nobody"),
    ]

    def __init__(self, session: TrainingSession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        s = self.session
        with Vertical(id="dialog"):
            yield Label(Text(printable(f"Who attended {s.title}?")), id="question")
            yield QueueList(
                *(
                    Selection(Text(printable(a.member or "-")), a.instance_id)
                    for a in s.attendees
                    if rules.allowed_from(rules.Verb.DONE, a.state)
                ),
                id="attendance",
            )
            yield Label("space: select   a: all   enter: mark attended   escape: cancel",
                        classes="hint")  # fmt: skip

    def on_mount(self) -> None:
        self.query_one(QueueList).focus()

    def action_toggle_all(self) -> None:
        listing = self.query_one(QueueList)
        if len(listing.selected) == listing.option_count:
            listing.deselect_all()
        else:
            listing.select_all()

    def action_confirm(self) -> None:
        self.dismiss(sorted(self.query_one(QueueList).selected))

    def action_cancel(self) -> None:
        self.dismiss(None)
