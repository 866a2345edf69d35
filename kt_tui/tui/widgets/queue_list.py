"""The sign-off queue's list: space toggles an item, its key shows in the footer."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import SelectionList


class QueueList(SelectionList[int]):
    BINDINGS = [
        Binding("space", "select", "Toggle", id="queue.toggle", tooltip="Select or unselect")
    ]
