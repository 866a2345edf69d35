"""A DataTable sortable by any column: `o` for the next column, `O` the other way, a click
on a column's title sorts by it (again: reversed); the sorted title carries ▲ or ▼.

The rows are already in memory (a dashboard's members, the sessions, the blockers),
so they sort here; the checklist and the queue sort in SQL (core/sorting.py)."""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from kt_tui.core.sorting import next_key

_PERCENT = re.compile(r"(-?\d+)%")
_NUMBER = re.compile(r"^\s*(-?\d+)(?!\d*-\d)")  # a count, "3/4", "12 days"; not 2026-11-25
ASCENDING, DESCENDING = "▲", "▼"


def arrow(descending: bool) -> str:
    """The mark of a sorted column (or a header's "by ..."): every sorted view's."""
    return DESCENDING if descending else ASCENDING


def sort_key(value: Any) -> tuple[int, Any]:
    """Numbers (percentages, counts, n/m) before text; a dash or nothing sorts lowest;
    dates and times sort as text (ISO: in time order)."""
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
        Binding(
            "O",
            "sort_reverse",
            "Reverse order",
            id="table.sort_reverse",
            show=False,
            tooltip="Reverse the order: descending, or ascending again",
        ),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sorted_by: ColumnKey | None = None
        self.sort_reverse = False
        self._titles: dict[ColumnKey, Text] = {}  # a sorted column's title, before its arrow

    def sort_by(self, column: ColumnKey, *, reverse: bool | None = None) -> None:
        """Sort by ``column``: ascending, or reversed when it is sorted by already
        (``reverse``: this direction, whatever it was)."""
        if reverse is None:
            reverse = not self.sort_reverse if self.sorted_by == column else False
        self._show_arrow(column, reverse)
        self.sorted_by, self.sort_reverse = column, reverse
        self._sort_keeping_cursor()

    def resort(self) -> None:
        """Keep the chosen order (and its arrow) after cells changed, or the rows or the
        columns were made again; a column that is gone leaves the rows as they came."""
        if self.sorted_by is None:
            return
        if self.sorted_by not in self.columns:
            self.sorted_by, self.sort_reverse = None, False
            return
        self._show_arrow(self.sorted_by, self.sort_reverse)
        self._sort_keeping_cursor()

    def _sort_keeping_cursor(self) -> None:
        """Sort, the cursor staying on the row it was on (its detail stays true)."""
        assert self.sorted_by is not None
        row = None
        if self.row_count and self.is_valid_coordinate(self.cursor_coordinate):
            row = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        self.sort(self.sorted_by, key=sort_key, reverse=self.sort_reverse)
        if row is not None and row in self.rows:
            index = self.get_row_index(row)
            if index != self.cursor_row:
                self.move_cursor(row=index, animate=False)

    def clear(self, columns: bool = False) -> SortableTable:
        if columns:  # new column titles: resort puts the arrow on again
            self._titles.clear()
        super().clear(columns)
        return self

    def _show_arrow(self, column: ColumnKey, reverse: bool) -> None:
        """▲ or ▼ after ``column``'s title (the one sorted before gets its own back)."""
        before = self.sorted_by
        if before is not None and before in self._titles and before in self.columns:
            self.columns[before].label = self._titles[before]
        shown = self.columns[column]
        title = self._titles.setdefault(column, shown.label)
        shown.label = Text.assemble(title, " ", arrow(reverse))
        shown.content_width = max(shown.content_width, shown.label.cell_len)
        if not shown.auto_width:  # a fixed width (the dashboard's) makes room for it
            shown.width = max(shown.width, shown.label.cell_len)
        self._require_update_dimensions = True  # the title may be wider now

    def sorted_label(self) -> str:
        """'sorted by Since, descending' (what the notification says)."""
        if self.sorted_by is None:
            return ""
        title = self._titles.get(self.sorted_by, self.columns[self.sorted_by].label).plain
        way = "descending" if self.sort_reverse else "ascending"
        return f"sorted by {title or 'the first column'}, {way}"

    def post_message(self, message: Message) -> bool:
        """An empty table's page down highlights row -1, of no key (Textual 8): that is
        no row to show, and the screens' handlers read the key."""
        if isinstance(message, DataTable.RowHighlighted) and message.row_key is None:
            return False
        return super().post_message(message)

    def _scroll_cursor_into_view(self, animate: bool = False) -> None:
        """The table scrolls to its cursor, and so does the scrolling body it may sit in
        (the dashboard's, taller than an 80x24 screen): the highlighted row stays in
        sight as the cursor moves."""
        super()._scroll_cursor_into_view(animate)
        self.call_after_refresh(self._reveal_cursor)

    def _reveal_cursor(self) -> None:
        # the person's own table only: another's cursor moved by a re-sort (the store
        # changed) or new columns must not scroll what they are reading away
        if not self.has_focus or not self.row_count:
            return
        if not self.is_valid_coordinate(self.cursor_coordinate):
            return
        if self.cursor_type == "row":
            cell = self._get_row_region(self.cursor_row)
        else:
            cell = self._get_cell_region(self.cursor_coordinate)
        y = cell.y - round(self.scroll_y)  # in the table as drawn
        node: Widget = self
        for parent in self.ancestors:
            if not isinstance(parent, Widget) or parent is self.screen:
                return
            y += node.virtual_region.y
            if parent.allow_vertical_scroll:
                # the column titles come along with the first row, where there is room
                # for both (on a screen a few lines high, the row comes first)
                room = parent.scrollable_content_region.height
                first = cell.y - self.header_height < 1
                top = y - self.header_height if first and room > self.header_height else y
                parent.scroll_to_region(
                    Region(0, top, 1, y + cell.height - top), animate=False, immediate=True
                )
                return
            y += parent.styles.gutter.top
            node = parent

    def action_scroll_home(self) -> None:
        """home: the first row of a table of rows (Textual's home and end scroll to the
        left and right edges, which a table as wide as its view does not have: they did
        nothing); a table of cells keeps its first column."""
        if self.cursor_type == "row":
            self.action_scroll_top()
        else:
            super().action_scroll_home()

    def action_scroll_end(self) -> None:
        """end: the last row of a table of rows (see action_scroll_home)."""
        if self.cursor_type == "row":
            self.action_scroll_bottom()
        else:
            super().action_scroll_end()

    @on(DataTable.HeaderSelected)
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(event.column_key)
        self.notify(self.sorted_label())

    def action_sort_next(self) -> None:
        """o: the next column, ascending (the first one when none is sorted)."""
        keys = list(self.columns)
        if not keys:
            return
        self.sort_by(next_key(keys, self.sorted_by), reverse=False)
        self.notify(self.sorted_label())

    def action_sort_reverse(self) -> None:
        """O: the same column the other way (the first column, descending, when none)."""
        keys = list(self.columns)
        if not keys:
            return
        column = self.sorted_by if self.sorted_by in keys else keys[0]
        self.sort_by(column, reverse=not self.sort_reverse if column == self.sorted_by else True)
        self.notify(self.sorted_label())


class OpenTable(SortableTable):
    """A SortableTable whose rows open something (a checklist) with enter."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Open", id="table.open", tooltip="Open its checklist"),
    ]
