"""Small text renderings shared by the CLI and the text exports."""

from __future__ import annotations

FULL, EMPTY = "█", "░"


def pct(fraction: float | None) -> str:
    """A fraction as a whole percentage; a dash where there is nothing to count."""
    if fraction is None:
        return "-"
    return f"{int(fraction * 100 + 1e-9)}%"


def bar(fraction: float | None, width: int = 10, full: str = FULL, empty: str = EMPTY) -> str:
    if fraction is None:
        return " " * width
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return full * filled + empty * (width - filled)


def level(name: str | None) -> str:
    return name or "-"
