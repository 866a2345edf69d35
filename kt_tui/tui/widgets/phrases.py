"""A header's figures laid out in phrases: "6 overdue" never breaks into "6" and
"overdue" on two lines; a phrase that would pass the edge starts the next line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.widgets import Static

SEP = "   "


def flow(lines: Sequence[Sequence[Text | str]], width: int) -> Text:
    """``lines`` of phrases in ``width`` cells, each phrase whole where it fits on a
    line (one wider than the whole width is left to wrap on its own)."""
    out = Text()
    for n, phrases in enumerate(lines):
        if n:
            out.append("\n")
        used = 0
        for phrase in phrases:
            piece = Text(phrase) if isinstance(phrase, str) else phrase
            if used and used + len(SEP) + piece.cell_len > width:
                out.append("\n")
                used = 0
            elif used:
                out.append(SEP)
                used += len(SEP)
            out.append_text(piece)
            used += piece.cell_len
    return out


class PhraseHeader(Static):
    """A screen's header of figures, in whole phrases (flow), laid out again when its
    width changes; laid out anew (its height) only when its height changes: at a
    million rows a layout of the checklist tripled the frame of a verb's changed row
    (bench: TUI key -> next frame)."""

    def __init__(self, text: str | Text = "", **kwargs: Any) -> None:
        super().__init__(text, **kwargs)
        self._lines: Sequence[Sequence[Text | str]] | None = None

    def show(self, lines: Sequence[Sequence[Text | str]]) -> None:
        self._lines = lines
        self._draw()

    def say(self, text: str | Text) -> None:
        """Plain words instead of figures (no handover yet)."""
        self._lines = None
        self.update(text)

    def on_resize(self) -> None:
        if self._lines is not None:
            self._draw()

    def _draw(self) -> None:
        if self._lines is None:
            return
        width = max(self.content_region.width or self.app.size.width - 2, 1)
        text = flow(self._lines, width)
        drawn = len(text.wrap(self.app.console, width))
        least = self.styles.min_height  # .header's, in app.tcss
        height = max(drawn, int(least.value) if least is not None else 0)
        self.update(text, layout=height != self.content_region.height)
