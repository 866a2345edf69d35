"""The readiness summary as one self-contained HTML file (Jinja2, autoescaped).

No external scripts, styles, fonts or images: the styles are inline, the
burn-up chart is inline SVG whose coordinates are computed here as numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from kt_tui.core import legend
from kt_tui.core.competency import grid
from kt_tui.export.report import Report
from kt_tui.present import band, days_left, level, pct, printable, stamp

TEMPLATE = "report.html.j2"


BAR_COLOURS = {
    "none": "#b0bec5",
    "full": "#2e7d32",
    "half": "#f9a825",
    "some": "#e53935",
    "zero": "#e53935",
}


def heat_colour(fraction: float | None) -> str:
    """A cell's background: grey without items, red through amber to green."""
    if fraction is None:
        return "#eceff1"
    if band(fraction) == "full":
        return BAR_COLOURS["full"]
    hue = round(4 + 46 * max(0.0, min(1.0, fraction)))  # red 4 .. amber 50
    return f"hsl({hue}, 85%, {82 - int(fraction * 20)}%)"


def bar_colour(fraction: float | None) -> str:
    return BAR_COLOURS[band(fraction)]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    actual: str  # polyline points
    area: str  # polygon points under the actual line
    scope_y: float
    forecast: str  # polyline points, or ""
    target_x: float | None
    today_x: float
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    total: int


def burn_up_chart(report: Report, width: int = 440, height: int = 250) -> Chart | None:
    points = report.history
    if not points:
        return None
    left, right, top, bottom = 40, width - 12, 16, height - 26
    fc = report.forecast
    first = points[0].day
    today = points[-1].day
    # the axis runs to the target (a little past it), and to the forecast when that is near
    natural = max(today, report.target_date)
    slack = max(7, (natural - first).days // 8)
    last = natural + timedelta(days=slack)
    if fc.completion_date and natural < fc.completion_date <= last:
        last = fc.completion_date + timedelta(days=3)
    span = max(1, (last - first).days)
    total = max(1, points[-1].total_weight)

    def x(d: date) -> float:
        return round(left + (right - left) * (d - first).days / span, 1)

    def y(w: float) -> float:
        return round(bottom - (bottom - top) * w / total, 1)

    actual = " ".join(f"{x(p.day)},{y(p.complete_weight)}" for p in points)
    area = f"{x(first)},{y(0)} {actual} {x(today)},{y(0)}"
    forecast = ""
    if fc.completion_date and fc.completion_date > today:
        start_w = points[-1].complete_weight
        end_day, end_w = fc.completion_date, float(total)
        if end_day > last:  # clip the line at the right edge
            frac = (last - today).days / max(1, (end_day - today).days)
            end_day, end_w = last, start_w + (total - start_w) * frac
        forecast = f"{x(today)},{y(start_w)} {x(end_day)},{y(end_w)}"
    ticks = 4
    x_ticks = []
    for i in range(ticks + 1):
        d = first + timedelta(days=round(span * i / ticks))
        x_ticks.append((x(d), d.strftime("%d %b %y")))
    y_ticks = [(y(total * i / 4), f"{int(i * 25)}%") for i in range(5)]
    return Chart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        actual=actual,
        area=area,
        scope_y=y(total),
        forecast=forecast,
        target_x=x(report.target_date),
        today_x=x(today),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        total=points[-1].total_weight,
    )


def shown(value: Any) -> Any:
    """Every ``{{ }}`` (the environment's ``finalize``, before autoescape): control
    characters in text, escaped already or not, are shown escaped, never written raw."""
    if isinstance(value, Markup):
        return Markup(printable(str(value)))
    if isinstance(value, str):
        return printable(value)
    return value


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        autoescape=True,
        finalize=shown,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = pct
    env.filters["level"] = level
    env.filters["heat"] = heat_colour
    env.filters["barcolour"] = bar_colour
    env.filters["width"] = lambda f: 0 if f is None else round(max(0.0, min(1.0, f)) * 100, 1)
    env.filters["stamp"] = stamp
    env.filters["days_left"] = days_left
    source = resources.files("kt_tui.export").joinpath("templates", TEMPLATE).read_text("utf-8")
    return env.from_string(source)


def context(report: Report) -> dict[str, Any]:
    st = report.status
    return {
        "r": report,
        "st": st,
        "v": report.verdict,
        "fc": report.forecast,
        "chart": burn_up_chart(report),
        "tier1_overdue": report.tier1_overdue,
        "overdue_folded": report.overdue,
        # the heat map's cells by (member, system): Status.cell scans the list, and
        # 400 x 100 lookups of it took 7 s at a million instances
        "cells": {(c.member, c.system): c for c in report.status.cells},
        "transferable": report.systems_ready,
        "competency_grid": grid,
        "legend": legend.TERMS,  # what readiness, progress and level mean
    }


def render_html(report: Report) -> str:
    return _template().render(**context(report))
