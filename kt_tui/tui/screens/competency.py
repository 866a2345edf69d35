"""Competency, a top-level view: each member's last score on each assessment (member x
assessment), green where it passes, red where it does not, a dash where not assessed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from kt_tui.present import one_line, printable
from kt_tui.tui.messages import NodeMessage
from kt_tui.tui.screens.base import DataScreen
from kt_tui.tui.widgets.sortable_table import SortableTable

if TYPE_CHECKING:
    from kt_tui.core.competency import Competency


def score_cell(c: Competency) -> Text:
    """The last score as "3/4", marked as well as coloured (pass ✓, below ✗)."""
    if c.score is None:
        return Text("-", style="dim")
    mark = "✓" if c.passed else "✗"
    return Text(f"{c.score}/{c.scale} {mark}", style="bold green" if c.passed else "bold red")


class CompetencyScreen(DataScreen):
    CSS_PATH = "blockers.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="competency.back", tooltip="Back to the dashboard"),
        Binding("q", "app.leave", "Quit", id="competency.quit", show=False, tooltip="Quit kt-tui"),
    ]

    @dataclass
    class Ready(NodeMessage):
        scores: list[Competency]

    def __init__(self) -> None:
        super().__init__()
        self.full: dict[str, str] = {}  # column -> its REF@system and title

    def compose(self) -> ComposeResult:
        yield Static("Competency", id="competency-header", classes="header")
        yield SortableTable(id="competency", cursor_type="cell", zebra_stripes=True)
        # the highlighted column in full (its REF, @system, and title): headers are short
        yield Static("", id="competency-column")
        yield Static("", id="competency-legend")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()

    def reload_data(self) -> None:
        self.load()

    def load(self) -> None:
        self.fetch(lambda service: service.competency(), self.Ready)

    @on(Ready)
    def _show(self, message: Ready) -> None:
        from kt_tui.core.competency import grid, headers

        scores = message.scores
        columns, rows = grid(scores)
        titles = headers(scores)
        self.full = {c.column: f"{c.column}  {c.title}" for c in scores}
        table = self.query_one(SortableTable)
        table.clear(columns=True)
        table.fixed_columns = 1  # the member stays in view while the scores scroll
        table.add_column("Member", key="member")
        for col in columns:
            table.add_column(Text(printable(titles[col])), key=col)
        for m, cells in rows:
            row: list[Text | str] = [Text(printable(m))]
            row += [score_cell(c) if c is not None else "" for c in cells]
            table.add_row(*row, key=m)
        table.resort()  # by a member's score on one assessment, if the user chose so
        passed = sum(1 for c in scores if c.passed)
        assessed = sum(1 for c in scores if c.score is not None)
        self.query_one("#competency-header", Static).update(
            f"Competency   {passed} passed of {assessed} assessed, {len(scores)} in all"
        )
        legend = "last score / scale: ✓ passes, ✗ below the pass mark, - not assessed yet"
        self.query_one("#competency-legend", Static).update(
            legend if scores else "No assessment items in this handover."
        )
        self._show_column()
        self.shown("competency")

    @on(DataTable.CellHighlighted)
    def _highlighted(self) -> None:
        self._show_column()

    def _show_column(self) -> None:
        """The highlighted column's full name: which template, item and system it is."""
        table = self.query_one(SortableTable)
        line = self.query_one("#competency-column", Static)
        if not table.row_count or not table.columns:
            line.update("")
            return
        column = table.coordinate_to_cell_key(table.cursor_coordinate).column_key.value
        full = self.full.get(column or "")
        line.update(Text(one_line(full), style="bold") if full else "")
