"""The sign-off queue: done items a lead may sign; select several, sign them at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.widgets.selection_list import Selection

from kt_tui.tui.messages import Loaded
from kt_tui.tui.screens.confirm import ConfirmScreen
from kt_tui.tui.widgets.queue_list import QueueList

if TYPE_CHECKING:
    from kt_tui.core.instances import InstanceRow
    from kt_tui.tui.app import KtApp


class QueueScreen(Screen[None]):
    BINDINGS = [
        Binding("a", "toggle_all", "All/none", id="queue.all"),
        Binding("s,enter", "sign", "Sign off selected", id="queue.sign"),
        Binding("escape", "back", "Back", id="queue.back"),
        Binding("q", "back", "Back", id="queue.quit", show=False),
    ]

    app: KtApp

    @dataclass
    class Ready(Message):
        rows: list[InstanceRow]

    @dataclass
    class Signed(Message):
        signed: list[int]
        refused: list[str]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[InstanceRow] = []

    def compose(self) -> ComposeResult:
        yield Static("Sign-off queue", id="queue-header")
        yield QueueList(id="queue")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(QueueList).focus()
        self.load()

    def reload_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="queue", exit_on_error=False)
    def load(self) -> None:
        service = self.app.service
        if service is not None:
            self.post_message(self.Ready(service.queue()))

    @on(Ready)
    def _ready(self, message: Ready) -> None:
        service = self.app.service
        self.rows = message.rows
        listing = self.query_one(QueueList)
        keep = set(listing.selected)
        listing.clear_options()
        for r in self.rows:
            label = Text()
            label.append(f"{r.title}", style="bold")
            label.append(f"  {r.ref}  {'@'.join(p for p in (r.member, r.system) if p)}")
            label.append(f"  done by {r.done_by}")
            if r.evidence:
                label.append(f"  evidence: {r.evidence}")
            listing.add_option(Selection(label, r.id, r.id in keep))
        header = Text()
        header.append("Sign-off queue", style="bold")
        if service is not None and not service.actor.is_lead:
            header.append("   only leads sign off: nothing to do here")
        else:
            header.append(f"   {len(self.rows)} awaiting your sign-off")
            header.append("   space: select   a: all   s: sign off the selected")
        self.query_one("#queue-header", Static).update(header)
        # "loaded" means on screen: after the refresh that lays the new rows out
        self.call_after_refresh(self.app.post_message, Loaded("queue"))

    def action_toggle_all(self) -> None:
        listing = self.query_one(QueueList)
        if len(listing.selected) == listing.option_count:
            listing.deselect_all()
        else:
            listing.select_all()

    def action_sign(self) -> None:
        ids = list(self.query_one(QueueList).selected)
        if not ids:
            self.notify("select items first (space, or a for all)", severity="warning")
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.sign(ids)

        n = len(ids)
        self.app.push_screen(ConfirmScreen(f"Sign off {n} item{'s' if n != 1 else ''}?"), confirmed)

    @work(thread=True, exclusive=True, group="queue-sign", exit_on_error=False)
    def sign(self, ids: list[int]) -> None:
        service = self.app.service
        if service is None:
            return
        signed, refused = service.sign_off(ids)
        self.app.marker = service.change_marker()
        self.post_message(self.Signed(signed, refused))

    @on(Signed)
    def _signed(self, message: Signed) -> None:
        n = len(message.signed)
        if n:
            self.notify(f"signed off {n} item{'s' if n != 1 else ''}")
        for reason in message.refused[:5]:
            self.notify(reason, title="Refused", severity="error", markup=False)
        self.query_one(QueueList).deselect_all()
        self.load()

    def action_back(self) -> None:
        self.dismiss()
