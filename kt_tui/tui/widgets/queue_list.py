"""The sign-off queue's list: space toggles an item, its key shows in the footer.

A selected row is marked by its glyph (✓, an unselected one shows nothing), not by
colour alone: a colour-blind lead, or a terminal without colour, still sees it."""

from __future__ import annotations

from rich.segment import Segment
from textual.binding import Binding
from textual.strip import Strip
from textual.widgets import SelectionList
from textual.widgets._toggle_button import ToggleButton

SELECTED, UNSELECTED = "✓", " "


class QueueList(SelectionList[int]):
    BINDINGS = [
        Binding("space,v", "select", "Select", id="queue.toggle", tooltip="Select or unselect")
    ]

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        index = self.scroll_offset.y + y
        if index >= self.option_count:
            return strip
        value = self.get_option_at_index(index).value
        # _selected: a dict; ``selected`` builds a list per call, for every line drawn
        mark = SELECTED if value in self._selected else UNSELECTED
        segments = list(strip)
        for i, seg in enumerate(segments[:3]):
            if seg.text == ToggleButton.BUTTON_INNER:
                segments[i] = Segment(mark, seg.style)
                break
        return Strip(segments, strip.cell_length)
