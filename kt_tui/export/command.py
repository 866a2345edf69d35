"""One entry point for ``kt-tui export`` and the TUI: a store in, a document out."""

from __future__ import annotations

import errno
import io
import os
import shutil
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
    if fmt in ("csv", "json"):
        from kt_tui.export.csvfile import write_csv
        from kt_tui.export.jsonfile import write_json

        with store.read() as conn:  # the header and the streamed rows of one moment
            report = build_report(
                store, actor=actor, clock=clock, since=since, items=fmt == "json", conn=conn
            )
            (write_csv if fmt == "csv" else write_json)(conn, report, out)
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


FREE_NAME_TRIES = 1000  # readiness-...-2 to -1000; past that, the plain name (refused)


def free_path(folder: Path, fmt: str, today: date) -> Path:
    """Where the TUI proposes an export: ``folder/readiness-2026-11-25.md``, or the
    first of ``-2``, ``-3`` ... that does not exist yet, so that the name offered is one
    the dialog takes (an export never overwrites a file)."""
    first = folder / default_filename(fmt, today)
    if not first.exists():
        return first
    for n in range(2, FREE_NAME_TRIES + 1):
        path = first.with_name(f"{first.stem}-{n}{first.suffix}")
        if not path.exists():
            return path
    return first


STDOUT_NAMES = ("-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1")


def write_output(
    target: str,
    fill: Callable[[TextIO], None],
    *,
    live: Path | None,
    stdout: TextIO,
    exclusive: bool = False,
) -> Path | None:
    """Run ``fill`` on ``target``: ``-`` or /dev/stdout straight, else a file; the file's path.

    A file is written through a temporary file created exclusively in its folder
    (never through a planted link), then moved over it, so a failed export
    leaves the old file whole; an existing file keeps its mode, a new one gets
    the umask's. The store's own files, folders, devices and pipes are refused.

    ``exclusive``: the user asked for a new file and confirmed no overwrite (the TUI's
    dialog): the finished file is linked in under its name, which fails if anything
    (a file, a link) took that name meanwhile, even a moment before; BadInput then
    names the path and nothing of theirs is touched.
    """
    if target in STDOUT_NAMES:
        fill(stdout)
        stdout.flush()
        return None
    path = Path(target)
    if live is not None and is_store_file(path, live):
        raise BadInput(f"{path}: that is the store itself (or a file beside it); name another file")
    if exclusive and os.path.lexists(path):
        raise BadInput(_taken(path))
    # write the file a link names; keep the link (a new file: its own name, never a link's)
    real = path if exclusive else Path(os.path.realpath(path))
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
        if exclusive:
            _link_new(name, real, path)
        else:
            os.replace(name, real)
    except OSError as exc:
        raise BadInput(f"{path}: cannot write: {_why(exc)}") from None
    finally:
        Path(name).unlink(missing_ok=True)
    return path


def _taken(path: Path) -> str:
    return f"{path}: a file of that name appeared meanwhile: nothing written; choose another name"


# link(2) refused by the file system (FAT, some network mounts): create the name with
# O_EXCL instead and copy the finished file in
_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.EXDEV}


def _link_new(name: str, real: Path, shown: Path) -> None:
    """Give the finished temporary file ``name`` the new name ``real``, failing (BadInput)
    if that name exists: link(2) never replaces, unlike rename(2)."""
    try:
        os.link(name, real, follow_symlinks=False)
        return
    except FileExistsError:
        raise BadInput(_taken(shown)) from None
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(real, flags, stat.S_IMODE(os.stat(name).st_mode))
    except FileExistsError:
        raise BadInput(_taken(shown)) from None
    try:
        with os.fdopen(fd, "wb") as out, open(name, "rb") as src:
            shutil.copyfileobj(src, out)
    except OSError:
        real.unlink(missing_ok=True)  # ours, made above: no half file under the new name
        raise


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
