"""The readiness summary as GitHub-flavoured markdown, to paste into a PR or a wiki.

The layout is ``templates/report.md.j2`` (Jinja2, like the HTML export); here are
the escaping and the few rows the template cannot pick by itself.

Jinja's autoescape knows only HTML, so it is off. Escaping is the default all
the same: every ``{{ … }}`` goes through ``md`` (the environment's ``finalize``),
which lets text already made safe (an ``Md``) through and escapes anything else.
Text the program makes and never escaped (rule, forecast, state names, time
stamps) says so with ``| trusted``: that word is the one to look for in review.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2

from kt_tui.core import legend
from kt_tui.core.burnup import Point
from kt_tui.export.report import Report
from kt_tui.present import bar, days_left, level, pct, printable, stamp

TEMPLATE = "report.md.j2"

_SPECIALS = re.compile(r"([\\`*_\[\]|~#!])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_SAFE_CODE = re.compile(r"^[A-Za-z0-9_./:-]+$")


class Md(str):
    """Text safe to print in markdown as it is: escaped by ``md``, or made by the program."""

    __slots__ = ()


def md(value: object) -> Md:
    """A user string made inert in markdown (and in a table cell): no markup, no HTML,
    and control characters escaped (``\\x1b``), never written raw."""
    if isinstance(value, Md):
        return value
    if value is None:
        return Md("")
    text = printable(str(value))
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIALS.sub(r"\\\1", text)
    return Md(" ".join(text.split()))  # newlines and tabs would end a table row


def trusted(value: object) -> Md:
    """Text the program made (never user text), printed as it is."""
    return Md(str(value))


def code(value: str | None) -> Md:
    if not value:
        return Md("")
    return Md(f"`{value}`") if _SAFE_CODE.match(value) else md(value)


def cell(value: object) -> Md:
    """A table cell: escaped, and a space where it would be empty."""
    return md(value) or Md(" ")


def row(*cells: object) -> Md:
    return Md("| " + " | ".join(cell(c) for c in cells) + " |")


def _bar(fraction: float | None, width: int = 10) -> Md:
    return Md(f"`{bar(fraction, width, empty='·')}`" if fraction is not None else "")


def _sampled(points: list[Point], step: int = 7) -> list[Point]:
    """Weekly points (and the last one) for a table that stays short."""
    if not points:
        return []
    first = points[0].day
    picked = [p for p in points if (p.day - first).days % step == 0]
    if picked[-1] is not points[-1]:
        picked.append(points[-1])
    return picked


FILTERS: dict[str, Callable[..., Md]] = {
    "md": md,
    "trusted": trusted,
    "code": code,
    "cell": cell,
    "bar": _bar,
    "pct": lambda f: trusted(pct(f)),
    "level": lambda name: trusted(level(name)),
    "stamp": lambda s: trusted(stamp(s)),
    "days_left": lambda n: trusted(days_left(n)),
}


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        autoescape=False,  # it would escape HTML; finalize escapes markdown instead
        finalize=md,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    env.globals["row"] = row
    source = resources.files("kt_tui.export").joinpath("templates", TEMPLATE).read_text("utf-8")
    return env.from_string(source)


def context(report: Report) -> dict[str, Any]:
    """What to show: the overdue rows folded by item, weekly burn-up points."""
    points = report.history
    return {
        "r": report,
        "st": report.status,
        "v": report.verdict,
        "fc": report.forecast,
        "overdue_folded": report.overdue,
        # the heat map's cells by (member, system): Status.cell scans the list, and
        # 400 x 100 lookups of it took 7 s at a million instances
        "cells": {(c.member, c.system): c for c in report.status.cells},
        "legend": legend.TERMS,  # what readiness, progress and level mean
        "weekly": _sampled(points),
        "total": points[-1].total_weight if points else 0,
        "rate_since": (
            points[-1].day - timedelta(days=report.forecast.window_days) if points else None
        ),
    }


def render_markdown(report: Report) -> str:
    return _template().render(**context(report))
