"""Blockers, a top-level view: what is stuck, why, who said so, for how long, and which
items wait on it; enter opens the blocked item's checklist, on the blocked item."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from kt_tui.present import printable
from kt_tui.tui.messages import NodeMessage
from kt_tui.tui.screens.base import DataScreen
from kt_tui.tui.widgets.sortable_table import OpenTable

if TYPE_CHECKING:
    from kt_tui.core.blockers import Blocker

WAITING_SHOWN = 12  # names of items waiting on a blocker in the detail pane; the rest counted
# how long and for whom first: at 80 columns the reason is cut, not the age
COLUMNS = ("Item", "For", "Days", "Waiting", "Reason", "Blocked by", "Since")


class BlockersScreen(DataScreen):
    CSS_PATH = "blockers.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="blockers.back", tooltip="Back to the dashboard"),
        Binding("q", "app.leave", "Quit", id="blockers.quit", show=False, tooltip="Quit kt-tui"),
    ]

    @dataclass
    class Ready(NodeMessage):
        found: list[Blocker]

    def __init__(self) -> None:
        super().__init__()
        self.found: list[Blocker] = []

    def compose(self) -> ComposeResult:
        yield Static("Blockers", id="blockers-header", classes="header")
        yield OpenTable(id="blockers", cursor_type="row", zebra_stripes=True)
        yield Static("", id="blocker-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(OpenTable)
        for name in COLUMNS:
            table.add_column(name, key=name)
        table.focus()
        self.load()

    def reload_data(self) -> None:
        self.load()

    def load(self) -> None:
        self.fetch(lambda service: service.blockers(), self.Ready)

    @on(Ready)
    def _show(self, message: Ready) -> None:
        self.found = message.found
        n = len(self.found)
        self.query_one("#blockers-header", Static).update(
            f"Blockers   {n} blocked item{'s' if n != 1 else ''}, longest blocked first"
        )
        table = self.query_one(OpenTable)
        table.clear()
        for b in self.found:
            bound = "@".join(x for x in (b.member, b.system) if x) or "handover"
            table.add_row(
                Text(printable(b.ref)),
                Text(printable(bound)),
                "" if b.days is None else str(b.days),
                str(b.waiting) if b.waiting else "",
                Text(printable(b.reason or ""), overflow="ellipsis", no_wrap=True),
                Text(printable(b.by or "")),
                (b.since or "")[:10],
                key=str(b.instance_id),
            )
        table.resort()  # the order the user chose (o, a click), else longest blocked first
        if not self.found:
            self.query_one("#blocker-detail", Static).update("Nothing is blocked.")
        self.shown("blockers")

    def _blocker(self, key: str | None) -> Blocker | None:
        """The blocker of a row (rows are keyed by instance id: a sort moves them)."""
        return next((b for b in self.found if str(b.instance_id) == key), None)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        b = self._blocker(event.row_key.value)
        if b is not None:
            text = Text()
            text.append(printable(b.title), style="bold")
            text.append(f"\n{printable(b.label)}\nWhy: ")
            text.append(printable(b.reason or "-"))
            since = (b.since or "")[:10]
            days = f" ({b.days} days)" if b.days is not None else ""
            text.append(printable(f"\nBlocked by {b.by or '-'} since {since}{days}"))
            if b.waiting_on_it:
                text.append(f"\nWaiting on it ({b.waiting}): ", style="bold")
                text.append(printable(b.waiting_words(WAITING_SHOWN)))
            self.query_one("#blocker-detail", Static).update(text)

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        b = self._blocker(event.row_key.value)
        if b is not None:
            self.app.open_checklist(b.member, b.system, on_item=b.instance_id)
