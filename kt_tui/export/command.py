"""One entry point for ``kt-tui export`` and the TUI: a store in, a document out."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import TextIO

from kt_tui.core.clock import SYSTEM_CLOCK, Clock
from kt_tui.core.errors import BadInput
from kt_tui.core.identity import Actor
from kt_tui.core.store import Store
from kt_tui.export.report import Report, build_report

FORMATS = ("md", "csv", "json", "html")
EXTENSIONS = {"md": ".md", "csv": ".csv", "json": ".json", "html": ".html"}


def _renderer(fmt: str) -> Callable[[Report], str]:
    if fmt == "md":
        from kt_tui.export.markdown import render_markdown

        return render_markdown
    if fmt == "json":
        from kt_tui.export.jsonfile import render_json

        return render_json
    if fmt == "html":
        from kt_tui.export.html import render_html

        return render_html
    raise BadInput(f"export: unknown format {fmt!r} (use {', '.join(FORMATS)})")


def write(
    store: Store,
    fmt: str,
    out: TextIO,
    *,
    actor: Actor | str,
    clock: Clock = SYSTEM_CLOCK,
    since: date | None = None,
) -> None:
    """Write the readiness summary in ``fmt`` (md, csv, json or html) to ``out``.

    Open a file with ``newline=""`` so that CSV keeps its CRLF rows.
    """
    fmt = fmt.lower()
    if fmt == "csv":
        from kt_tui.export.csvfile import write_csv

        report = build_report(store, actor=actor, clock=clock, since=since, items=False)
        write_csv(store, report, out)
        return
    renderer = _renderer(fmt)
    out.write(renderer(build_report(store, actor=actor, clock=clock, since=since)))


def render(
    store: Store,
    fmt: str,
    *,
    actor: Actor | str,
    clock: Clock = SYSTEM_CLOCK,
    since: date | None = None,
) -> str:
    """The readiness summary in ``fmt`` as one string."""
    buf = io.StringIO(newline="")
    write(store, fmt, buf, actor=actor, clock=clock, since=since)
    return buf.getvalue()


def default_filename(fmt: str, today: date) -> str:
    """What the TUI names an export it writes: ``readiness-2026-11-25.md``."""
    return f"readiness-{today.isoformat()}{EXTENSIONS.get(fmt, '.' + fmt)}"
