"""Renderings of readiness figures as rich Text, coloured from the theme."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.theme import Theme

from kt_tui.core.rules import State
from kt_tui.present import band, bar, pct

if TYPE_CHECKING:
    from kt_tui.core.instances import InstanceRow

STATE_MARKS: dict[str, str] = {
    State.TODO: "[ ]",
    State.BLOCKED: "[!]",
    State.DONE: "[x]",
    State.SIGNED_OFF: "[✓]",
    State.NA: "[-]",
    # derived, shown instead of the stored state (InstanceRow.shown_state)
    "lapsed": "[~]",
    "waiting": "[…]",
}


def evidence_wanted(row: InstanceRow) -> bool:
    """The item asks for evidence and has none: the row says "needed", the detail
    "required". An n/a item needs none (it leaves every figure)."""
    return row.evidence_required and not row.evidence and row.state != State.NA


def readiness_colour(theme: Theme, fraction: float | None) -> str:
    colours = {
        "none": theme.panel or "grey30",
        "full": theme.success or "green",
        "half": theme.warning or "yellow",
        "some": theme.accent or "orange3",
        "zero": theme.error or "red",
    }
    return colours[band(fraction)]


def readiness_text(theme: Theme, fraction: float | None, width: int = 10) -> Text:
    """A bar and a percentage: `███░░░░░░░  30%`."""
    out = Text()
    out.append(bar(fraction, width), style=readiness_colour(theme, fraction))
    out.append(f" {pct(fraction):>4}")
    return out


def heat_cell(theme: Theme, fraction: float | None) -> Text:
    """A heat-map cell: the percentage on a background coloured by readiness."""
    label = f"{pct(fraction):^7}"
    colour = readiness_colour(theme, fraction)
    fg = theme.background or "black"
    return Text(label, style=f"bold {fg} on {colour}")


def yes_no(flag: bool | None, theme: Theme) -> Text:
    if flag is None:  # nothing counted: nothing to decide
        return Text("-", style=theme.panel or "grey50")
    if flag:
        return Text("✔ yes", style=f"bold {theme.success or 'green'}")
    return Text("✘ no", style=theme.error or "red")
