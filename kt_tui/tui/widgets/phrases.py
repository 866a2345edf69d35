"""A header's figures laid out in phrases: "6 overdue" never breaks into "6" and
"overdue" on two lines; a phrase that would pass the edge starts the next line."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

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
