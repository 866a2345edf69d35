"""Which files of a handover folder may be read: listed for sure, regular, and inside it.

A folder that cannot be listed is an error (taken for "no templates" it would
retire everything); a FIFO, a folder or a device is named as such and never
opened; a symlink whose target leaves the folder is refused before anything of
that target is read, so no outside file's content can appear in a message.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kt_tui.core.errors import Problem, ValidationFailed

_KINDS = (
    (stat.S_ISDIR, "a folder, not a file"),
    (stat.S_ISFIFO, "a FIFO (named pipe), not a file"),
    (stat.S_ISCHR, "a device, not a file"),
    (stat.S_ISBLK, "a device, not a file"),
    (stat.S_ISSOCK, "a socket, not a file"),
)


def listed(root: Path, shown: str, suffix: str = ".toml") -> list[Path]:
    """The folder's entries ending in ``suffix``, sorted; a folder that cannot be
    listed raises ValidationFailed (pathlib's glob would return nothing)."""
    try:
        with os.scandir(root) as entries:
            names = sorted(e.name for e in entries if e.name.endswith(suffix))
    except OSError as exc:
        why = exc.strerror.lower() if exc.strerror else str(exc)
        raise ValidationFailed([Problem(shown, "", f"cannot list the folder: {why}")]) from None
    return [root / n for n in names]


def refusal(path: Path, root: Path) -> str | None:
    """Why ``path`` (in ``root``) must not be read, or None for a regular file inside."""
    try:
        if path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(root.resolve()):
                return "a symlink to outside the folder: refused"
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "a symlink to nothing" if path.is_symlink() else "missing"
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        return f"cannot read: {getattr(exc, 'strerror', None) or exc}"
    for test, what in _KINDS:
        if test(mode):
            return what
    return None if stat.S_ISREG(mode) else "not a regular file"
