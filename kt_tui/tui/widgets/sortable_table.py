"""A DataTable sortable by any column: click a header, or `o` for the next column."""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

_PERCENT = re.compile(r"(-?\d+)%")
_NUMBER = re.compile(r"^\s*(-?\d+)")


def sort_key(value: Any) -> tuple[int, Any]:
    """Numbers (percentages, counts, n/m) before text; a dash sorts lowest."""
    text = value.plain if isinstance(value, Text) else str(value)
    match = _PERCENT.search(text) or _NUMBER.match(text)
    if match:
        return (0, int(match.group(1)))
    stripped = text.strip()
    if stripped in ("", "-"):
        return (0, -1)
    return (1, stripped.lower())


class SortableTable(DataTable[Any]):
    """DataTable whose rows sort by a column; sorting again reverses."""

    BINDINGS = [
        Binding("o", "sort_next", "Sort", id="table.sort", tooltip="Sort by the next column"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sorted_by: ColumnKey | None = None
        self.sort_reverse = False

    def sort_by(self, column: ColumnKey) -> None:
        if self.sorted_by == column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sorted_by, self.sort_reverse = column, False
        self.sort(column, key=sort_key, reverse=self.sort_reverse)
        self._announce_cursor()

    def resort(self) -> None:
        """Keep the chosen order after cells changed."""
        if self.sorted_by is not None:
            self.sort(self.sorted_by, key=sort_key, reverse=self.sort_reverse)
            self._announce_cursor()

    def _announce_cursor(self) -> None:
        """A sort moves another row under the cursor without moving the cursor: post the
        Row/CellHighlighted a move would, so that a detail pane follows the row."""
        if self.row_count and self.cursor_type != "none":
            self._highlight_cursor()

    @on(DataTable.HeaderSelected)
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(event.column_key)

    def action_sort_next(self) -> None:
        keys = list(self.columns)
        if not keys:
            return
        if self.sorted_by is None:
            column = keys[0]
        elif not self.sort_reverse:
            self.sort_by(self.sorted_by)  # same column, reversed
            self.notify(f"sorted by {self.columns[self.sorted_by].label.plain}, descending")
            return
        else:
            column = keys[(keys.index(self.sorted_by) + 1) % len(keys)]
        self.sort_by(column)
        self.notify(f"sorted by {self.columns[column].label.plain}")


class OpeningTable(SortableTable):
    """A sortable table whose rows open a checklist (enter): the footer says so."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Open", id="table.open", tooltip="Open its checklist"),
    ]
