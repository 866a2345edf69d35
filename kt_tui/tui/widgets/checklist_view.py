"""A checklist of any length, drawn with the Line API: only visible rows are fetched.

The view knows the total row count and keeps a window of pages of rows; a
line whose row is not loaded asks for its page (``NeedRows``) and shows a
placeholder until the screen hands the page in with ``add_page``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from kt_tui.core.labels import NOT_NEEDED
from kt_tui.core.rules import State
from kt_tui.core.sorting import DEFAULT_SORT, Sort
from kt_tui.present import printable
from kt_tui.tui.widgets.figures import STATE_MARKS, evidence_wanted
from kt_tui.tui.widgets.sortable_table import arrow

if TYPE_CHECKING:
    from kt_tui.core.instances import InstanceRow

PAGE_SIZE = 200
MAX_PAGES = 8

# (key, header, width, priority: lower survives longer on narrow screens)
COLUMNS: tuple[tuple[str, str, int, int], ...] = (
    ("mark", "", 3, 0),
    ("group", "Template · stage", 24, 3),
    ("title", "Item", 0, 0),
    ("who", "For", 14, 2),
    ("weight", "Wt", 2, 4),
    ("due", "Due", 10, 1),
    ("done_by", "Done by", 8, 5),
    ("signed", "Signed", 10, 5),
    ("evidence", "Evidence", 12, 6),
)
TITLE_MIN = 24
# the sort key (core/sorting.py) each column sorts by: o, O and a click on its header
SORT_OF: dict[str, str] = {
    "mark": "state",
    "group": "template",
    "title": "title",
    "who": "member",
    "weight": "weight",
    "due": "due",
    "done_by": "done_by",
    "signed": "signed",
    "evidence": "evidence",
}


def layout(width: int) -> list[tuple[str, str, int]]:
    """The columns that fit in ``width``, the title taking what is left."""
    chosen = [c for c in COLUMNS]
    while True:
        fixed = sum(w + 1 for k, _, w, _ in chosen if k != "title")
        if width - fixed >= TITLE_MIN or len(chosen) <= 3:
            break
        drop = max((c for c in chosen if c[3] > 0), key=lambda c: c[3], default=None)
        if drop is None:
            break
        chosen.remove(drop)
    fixed = sum(w + 1 for k, _, w, _ in chosen if k != "title")
    spare = width - fixed - TITLE_MIN * 2
    widths = {k: w for k, _, w, _ in chosen}
    if spare > 0 and "group" in widths:  # a wide screen: room for whole group names
        widths["group"] += min(spare // 2, 14)
        fixed += min(spare // 2, 14)
    return [(k, h, widths[k] if k != "title" else max(8, width - fixed)) for k, h, _, _ in chosen]


def _fit(text: str, width: int) -> str:
    """``text`` in exactly ``width`` terminal cells, cut with an ellipsis: by cells, never
    by characters (a CJK character or an emoji takes two, and a title measured by len()
    pushed the columns after it, due and for, off the row)."""
    if cell_len(text) > width:
        return set_cell_size(text, max(0, width - 1)) + "…"
    return set_cell_size(text, width)


def _header(title: str, width: int, arrow: str) -> str:
    """A column title, with the sort's arrow kept in view however narrow the column."""
    if not arrow:
        return _fit(title, width)
    text = f"{title} {arrow}" if title else arrow
    if cell_len(text) > width:
        text = set_cell_size(title, max(0, width - cell_len(arrow))) + arrow
    return set_cell_size(text, width)


class ChecklistView(ScrollView, can_focus=True):
    """Rows of item instances with a cursor; pages come from the screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="list.up", tooltip="Previous item"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="list.down", tooltip="Next item"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="list.pageup", tooltip="A page up"),
        Binding(
            "pagedown",
            "page(1)",
            "Page down",
            show=False,
            id="list.pagedown",
            tooltip="A page down",
        ),
        Binding("home", "first", "First", show=False, id="list.first", tooltip="First item"),
        Binding("end", "last", "Last", show=False, id="list.last", tooltip="Last item"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "checklist--header",
        "checklist--cursor",
        "checklist--overdue",
        "checklist--group",
        "checklist--complete",
        "checklist--blocked",
        "checklist--muted",
        "checklist--selected",
    }
    DEFAULT_CSS = """
    ChecklistView {
        height: 1fr;
        scrollbar-gutter: stable;
    }
    ChecklistView > .checklist--header { text-style: bold; color: $text-accent; }
    ChecklistView > .checklist--cursor { background: $block-cursor-background; }
    ChecklistView:blur > .checklist--cursor { background: $block-cursor-blurred-background; }
    ChecklistView > .checklist--overdue { color: $text-error; }
    ChecklistView > .checklist--group { color: $text-primary; text-style: bold; }
    ChecklistView > .checklist--complete { color: $text-success; }
    ChecklistView > .checklist--blocked { color: $text-warning; }
    ChecklistView > .checklist--muted { color: $text-muted; }
    ChecklistView > .checklist--selected { background: $accent 35%; text-style: bold; }
    """

    cursor: reactive[int] = reactive(0)

    @dataclass
    class NeedRows(Message):
        """Rows from ``offset`` are needed (one page)."""

        view: ChecklistView
        offset: int

        @property
        def control(self) -> ChecklistView:
            return self.view

    @dataclass
    class Highlighted(Message):
        view: ChecklistView
        index: int
        row: InstanceRow | None

        @property
        def control(self) -> ChecklistView:
            return self.view

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.total = 0
        self.rows: dict[int, InstanceRow] = {}
        self.pages: list[int] = []  # loaded page offsets, oldest first
        self.pending: set[int] = set()
        self.selected: set[int] = set()  # instance ids: the verbs apply to them when any
        self.sort: Sort = DEFAULT_SORT  # the order the screen loads the rows in

    # -- data ------------------------------------------------------------

    def reset(
        self, total: int, first: list[InstanceRow], offset: int = 0, *, follow: bool = True
    ) -> None:
        """A new listing: the total and one page. ``follow`` (a reload of the same
        listing): the cursor stays on its item where the page holds it (a row above it
        may have gone: the next key must act on the item the user sees highlighted, not
        on its neighbour); else, or where it is gone, on its line, in range (a new order
        or filter starts at the line the screen put it on, the top)."""
        was = self.current if follow else None
        self.total = total
        self.rows.clear()
        self.pages.clear()
        self.pending.clear()
        self.virtual_size = Size(self.size.width, total)
        self.add_page(offset, first)
        at = next((offset + i for i, r in enumerate(first) if was and r.id == was.id), None)
        self.cursor = at if at is not None else min(self.cursor, max(0, total - 1))
        self.refresh()
        self._announce()

    def add_page(self, offset: int, rows: list[InstanceRow]) -> None:
        self.pending.discard(offset)
        for i, row in enumerate(rows):
            self.rows[offset + i] = row
        if offset in self.pages:
            self.pages.remove(offset)
        self.pages.append(offset)
        while len(self.pages) > MAX_PAGES:
            old = self.pages.pop(0)
            for i in range(old, old + PAGE_SIZE):
                self.rows.pop(i, None)
        self.refresh()
        if offset <= self.cursor < offset + PAGE_SIZE:
            self._announce()

    def replace_row(self, row: InstanceRow) -> int | None:
        """Put a changed row in place and redraw only its line; its index, if shown."""
        for index, old in self.rows.items():
            if old.id == row.id:
                self.rows[index] = row
                self.refresh_line(index)
                if index == self.cursor:
                    self._announce()
                return index
        return None

    @property
    def current(self) -> InstanceRow | None:
        return self.rows.get(self.cursor)

    def _request(self, index: int) -> None:
        offset = (index // PAGE_SIZE) * PAGE_SIZE
        if offset not in self.pending:
            self.pending.add(offset)
            self.post_message(self.NeedRows(self, offset))

    def _announce(self) -> None:
        row = self.rows.get(self.cursor)
        if row is None and self.total:
            self._request(self.cursor)
        self.post_message(self.Highlighted(self, self.cursor, row))

    # -- cursor ------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old)
        self.refresh_line(new)
        self._keep_visible()
        self._announce()

    def _keep_visible(self) -> None:
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    def centre_cursor(self) -> None:
        """The cursor's line scrolled to the middle where it is out of sight (a list
        opened on an item deep in it, once the list has its height)."""
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height
        if height > 0 and not top <= self.cursor < top + height:
            self.scroll_to(y=max(0, self.cursor - height // 2), animate=False)

    def _move(self, to: int) -> None:
        if self.total:
            self.cursor = max(0, min(self.total - 1, to))

    def action_cursor(self, delta: int) -> None:
        self._move(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move(self.cursor + direction * max(1, self.scrollable_content_region.height - 1))

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(self.total - 1)

    def on_click(self, event: events.Click) -> None:
        self._move(self.scroll_offset.y + event.y)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, self.total)

    # -- selection -------------------------------------------------------------

    def toggle_selected(self) -> None:
        """Select the highlighted row, or take it out of the selection."""
        row = self.current
        if row is not None:
            self.selected.symmetric_difference_update({row.id})
            self.refresh_line(self.cursor)

    def set_selected(self, ids: set[int]) -> None:
        self.selected = set(ids)
        self.refresh()

    # -- drawing -------------------------------------------------------------

    def _layout(self) -> list[tuple[str, str, int]]:
        return layout(self.scrollable_content_region.width or self.size.width or 80)

    def header_text(self) -> str:
        """The column titles for the screen's header line, the sorted one with ▲ or ▼."""
        mark = arrow(self.sort.descending)
        return " ".join(
            _header(h, w, mark if SORT_OF[k] == self.sort.key else "") for k, h, w in self._layout()
        )

    def sort_keys(self) -> list[str]:
        """The sort keys of the columns on screen, left to right (o steps through them)."""
        return [SORT_OF[k] for k, _, _ in self._layout()]

    def sort_key_at(self, x: int) -> str | None:
        """The sort key of the column under ``x`` on the header line (a click on it)."""
        left = 0
        for key, _, w in self._layout():
            if left <= x < left + w + 1:
                return SORT_OF[key]
            left += w + 1
        return None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        if index >= self.total:
            return Strip.blank(width, self.rich_style)
        row = self.rows.get(index)
        if row is None:
            self._request(index)
            muted = self.get_component_rich_style("checklist--muted")
            return Strip([Segment(_fit("  …", width), muted)], width)
        # the group is named on its first row, and on the top line so scrolling keeps it
        prev = self.rows.get(index - 1) if y > 0 else None
        segments = self._segments(row, prev, width)
        strip = Strip(segments).adjust_cell_length(width, self.rich_style)
        if row.id in self.selected:
            strip = strip.apply_style(self.get_component_rich_style("checklist--selected"))
        if index == self.cursor:
            strip = strip.apply_style(self.get_component_rich_style("checklist--cursor"))
        return strip

    def _segments(self, row: InstanceRow, prev: InstanceRow | None, width: int) -> list[Segment]:
        base = self.rich_style
        out: list[Segment] = []
        state_style = base
        if row.complete:
            state_style = self.get_component_rich_style("checklist--complete")
        elif row.state == State.BLOCKED or row.waiting:
            state_style = self.get_component_rich_style("checklist--blocked")
        elif row.state == State.NA:
            state_style = self.get_component_rich_style("checklist--muted")
        for key, _, w in layout(width):
            style: Style = base
            if key == "mark":
                text, style = STATE_MARKS.get(row.shown_state, "[?]"), state_style
                if row.shown_state not in STATE_MARKS:  # "done, waiting" and the like
                    text = STATE_MARKS.get(row.state, "[?]")
                if row.id in self.selected:  # shown without colour too
                    text = "»" + text[1:]
            elif key == "group":
                same = (
                    prev is not None
                    and prev.template == row.template
                    and prev.stage_idx == row.stage_idx
                )
                text = "" if same else f"{row.template_title} · {row.stage or '-'}"
                style = self.get_component_rich_style("checklist--group")
            elif key == "title":
                text = row.title
                if row.state == State.NA:
                    style = state_style
            elif key == "who":
                text = "@".join(p for p in (row.member, row.system) if p) or "-"
            elif key == "weight":
                text = str(row.weight).rjust(w)
            elif key == "due":
                text = row.due.isoformat() if row.due else "-"
                if row.overdue:
                    style = self.get_component_rich_style("checklist--overdue")
            elif key == "done_by":
                text = row.done_by or ""
            elif key == "signed":
                text = row.signed_off_by or ("" if row.signoff else NOT_NEEDED)
                if row.state == State.DONE and row.signatures:  # partly signed
                    text = f"{len(row.signatures)}/{len(row.parties)} signed"
                elif row.sent_back:
                    text = "sent back"
                elif row.score is not None and not row.complete:
                    text = f"score {row.score}"
            else:
                text = row.evidence or ("needed" if evidence_wanted(row) else "")
            out.append(Segment(_fit(printable(text), w), style))
            out.append(Segment(" ", base))
        return out
