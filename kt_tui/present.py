"""How figures are shown, once for the CLI, the TUI and the exports.

Percentages, bars, levels, and the colour band of a readiness fraction; each
face maps a band to its own colours (a theme variable, a CSS colour, a Rich
style), so "how green is 80%" is decided here only. No Textual, no SQL.
"""

from __future__ import annotations

from typing import Literal

FULL, EMPTY = "█", "░"
EPSILON = 1e-9

Band = Literal["none", "full", "half", "some", "zero"]


def band(fraction: float | None) -> Band:
    """none: nothing to count; full: 100%; half: 50% or more; some: above 0; zero."""
    if fraction is None:
        return "none"
    if fraction >= 1.0 - EPSILON:
        return "full"
    if fraction >= 0.5:
        return "half"
    if fraction > 0:
        return "some"
    return "zero"


def pct(fraction: float | None) -> str:
    """A fraction as a whole percentage; a dash where there is nothing to count."""
    if fraction is None:
        return "-"
    return f"{int(fraction * 100 + EPSILON)}%"


def bar(fraction: float | None, width: int = 10, full: str = FULL, empty: str = EMPTY) -> str:
    if fraction is None:
        return " " * width
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return full * filled + empty * (width - filled)


def level(name: str | None) -> str:
    return name or "-"
