"""The burn-up as a one-line sparkline, its bars rising from zero.

Textual's own Sparkline scales each bar between the data's minimum and
maximum, so a burn-up that sat at 10% for a week would draw as full bars from
its first day. This one draws on an absolute axis, 0 to 100% of the counted
weight (DESIGN: a quarter done looks like a quarter), and resamples days to
columns by taking each column's last day (the figure is cumulative).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.app import RenderResult
from textual.widgets import Sparkline

BARS = "▁▂▃▄▅▆▇█"


def columns(fractions: Sequence[float], width: int) -> list[float]:
    """``width`` values from a cumulative series: each column the last day it covers."""
    n = len(fractions)
    if n == 0 or width <= 0:
        return []
    if n >= width:
        return [fractions[((i + 1) * n) // width - 1] for i in range(width)]
    return [fractions[(i * n) // width] for i in range(width)]


class BurnUp(Sparkline):
    """Complete fraction of the counted weight per day, on a 0-100% axis, one line high."""

    DEFAULT_CSS = """
    BurnUp {
        height: 1;
    }
    BurnUp > .sparkline--max-color {
        color: $success;
    }
    BurnUp > .sparkline--min-color {
        color: $primary 40%;
    }
    """

    def render(self) -> RenderResult:
        _, base = self.background_colors
        low = base + self.get_component_styles("sparkline--min-color").color
        high = base + self.get_component_styles("sparkline--max-color").color
        text = Text(no_wrap=True, overflow="crop")
        values = columns([float(v) for v in self.data or []], self.size.width)
        if not values:
            text.append(BARS[0] * self.size.width, Style(color=low.rich_color))
            return text
        for v in values:
            v = min(1.0, max(0.0, v))  # fractions of the whole: an absolute axis
            text.append(
                BARS[round(v * (len(BARS) - 1))], Style(color=low.blend(high, v).rich_color)
            )
        return text
