"""A checklist's order: o sorts by the next column, O reverses, a click on a column's
title sorts by it (again: reversed). The rows are sorted in SQL (core/sorting.py's
whitelist, through the service), the sorted column's title carries ▲ or ▼.
"""

from __future__ import annotations

from textual import events, on
from textual.binding import Binding
from textual.widgets import Static

from kt_tui.core.sorting import DEFAULT_SORT, Sort, next_key
from kt_tui.tui.screens.checklist_selection import SelectableChecklist
from kt_tui.tui.widgets.checklist_view import ChecklistView


class SortedChecklist(SelectableChecklist):
    """The sorting half of the checklist screen (ChecklistScreen derives from it)."""

    BINDINGS = [
        Binding(
            "o",
            "sort_next",
            "Sort",
            id="checklist.sort",
            show=False,  # the footer is full of verbs; the ▲ on a column title shows it
            tooltip="Sort by the next column (a click on a column's title sorts by it)",
        ),
        Binding(
            "O",
            "sort_reverse",
            "Reverse order",
            id="checklist.sort_reverse",
            show=False,
            tooltip="Reverse the order: descending, or ascending again",
        ),
    ]

    sort: Sort = DEFAULT_SORT

    def load_sorted(self) -> None:  # the checklist's own
        raise NotImplementedError

    def _show_columns(self) -> None:
        view = self.query_one(ChecklistView)
        self.query_one("#cl-columns", Static).update(view.header_text())

    def action_sort_next(self) -> None:
        """o: sort by the next column on screen, ascending."""
        keys = self.query_one(ChecklistView).sort_keys()
        self.sort_by(Sort(next_key(keys, self.sort.key)))

    def action_sort_reverse(self) -> None:
        """O: the same column, the other way."""
        self.sort_by(self.sort.reversed())

    @on(events.Click, "#cl-columns")
    def _header_clicked(self, event: events.Click) -> None:
        key = self.query_one(ChecklistView).sort_key_at(event.x)
        if key is not None:
            self.sort_by(self.sort.reversed() if key == self.sort.key else Sort(key))

    def sort_by(self, sort: Sort) -> None:
        """Load the rows again in this order; the cursor goes to the first row (where
        the order starts), the selection stays. The arrow shows at once, the rows when
        they come (a notification says so)."""
        view = self.query_one(ChecklistView)
        self.sort = view.sort = sort
        self._show_columns()
        view.cursor = 0
        view.scroll_to(y=0, animate=False)
        self.load_sorted()
