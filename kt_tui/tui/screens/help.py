"""Help: every key of the screen beneath, with what it does (from its active bindings),
the filter's words where that screen has a filter, and what the figures mean."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from kt_tui.core.filters import FLAG_TOKENS, STATES
from kt_tui.core.legend import FIGURES  # what the figures mean: the exports' legend too

# the filter's states and words as core/filters.py parses them (not a copy of the lists)
FILTERS = (
    f"Filter (/): free text, and  state:{'|'.join(STATES)}  system:KEY  member:HANDLE  "
    f"stage:NAME  template:KEY  kind:KIND  tier:N;  words: {' '.join(FLAG_TOKENS)}. "
    "They combine (AND)."
)


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding(
            "escape,q,question_mark,f1", "dismiss", "Close help", id="help.close", tooltip="Back"
        ),
    ]

    def __init__(self, title: str, keys: list[tuple[str, str]], *, filters: bool = False) -> None:
        """``filters``: the screen beneath has a filter (/), so its words are explained."""
        super().__init__()
        self.title_text = title
        self.keys = keys
        self.filters = filters

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Label(Text(f"Keys: {self.title_text}"), id="help-title")
            # one scrolling body: on a short terminal every key is still reachable
            with VerticalScroll(id="help-body"):
                yield DataTable(id="help-keys", cursor_type="row", show_cursor=False)
                if self.filters:
                    yield Label(Text(FILTERS), id="help-filters")
                yield Label(Text(FIGURES), id="help-figures")
            yield Label("escape: close", id="help-hint", classes="hint")

    def on_mount(self) -> None:
        table = self.query_one("#help-keys", DataTable)
        table.add_columns("Key", "Does")
        for key, what in self.keys:
            table.add_row(Text(key), Text(what))
        table.can_focus = False  # the body scrolls, not the table's hidden cursor
        # every row, however many: a DataTable's own max-height (100%) would cut the table
        # to the scroll area's height, and the keys below it could never be reached
        # (TCSS has no `max-height: none`; each row is one line)
        table.styles.max_height = table.header_height + table.row_count
        self.query_one("#help-body").focus()

    def on_resize(self) -> None:
        self.call_after_refresh(self._say_if_it_scrolls)

    def _say_if_it_scrolls(self) -> None:
        """The hint says so when the body holds more than the dialog shows."""
        body = self.query_one("#help-body", VerticalScroll)
        more = body.max_scroll_y > 0
        hint = "up/down, page up/down: scroll   escape: close" if more else "escape: close"
        self.query_one("#help-hint", Label).update(hint)
