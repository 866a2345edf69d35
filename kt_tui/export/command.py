"""One entry point for ``kt-tui export`` and the TUI: a store in, a document out."""

from __future__ import annotations

import errno
import io
import os
import stat
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TextIO

from kt_tui.core.clock import SYSTEM_CLOCK, Clock
from kt_tui.core.errors import BadInput
from kt_tui.core.identity import Actor
from kt_tui.core.store import Store, is_store_file
from kt_tui.export.report import Report, build_report

FORMATS = ("md", "csv", "json", "html")
EXTENSIONS = {"md": ".md", "csv": ".csv", "json": ".json", "html": ".html"}


def _renderer(fmt: str) -> Callable[[Report], str]:
    if fmt == "md":
        from kt_tui.export.markdown import render_markdown

        return render_markdown
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
    if fmt == "json":
        from kt_tui.export.jsonfile import write_json

        write_json(store, build_report(store, actor=actor, clock=clock, since=since), out)
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


STDOUT_NAMES = ("-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1")


def write_output(
    target: str, fill: Callable[[TextIO], None], *, live: Path | None, stdout: TextIO
) -> Path | None:
    """Run ``fill`` on ``target``: ``-`` or /dev/stdout straight, else a file; the file's path.

    A file is written through a temporary file created exclusively in its folder
    (never through a planted link), then moved over it, so a failed export
    leaves the old file whole; an existing file keeps its mode, a new one gets
    the umask's. The store's own files, folders, devices and pipes are refused.
    """
    if target in STDOUT_NAMES:
        fill(stdout)
        stdout.flush()
        return None
    path = Path(target)
    if live is not None and is_store_file(path, live):
        raise BadInput(f"{path}: that is the store itself (or a file beside it); name another file")
    real = Path(os.path.realpath(path))  # write the file a link names; keep the link
    try:
        mode = stat.S_IMODE(_regular(real, path).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        fd, name = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".part", dir=real.parent)
    except OSError as exc:
        raise BadInput(f"{path}: cannot write: {_why(exc)}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fill(fh)
        os.chmod(name, mode)
        os.replace(name, real)
    except OSError as exc:
        raise BadInput(f"{path}: cannot write: {_why(exc)}") from None
    finally:
        Path(name).unlink(missing_ok=True)
    return path


def _regular(real: Path, shown: Path) -> os.stat_result:
    st = os.stat(real)
    if not stat.S_ISREG(st.st_mode):
        what = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise BadInput(f"{shown}: {what}; export writes a file, or - for stdout")
    return st


def _why(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "disk full: free some space, then export again"
    return exc.strerror or str(exc)
