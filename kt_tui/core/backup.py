"""Consistent copies of a SQLite store (SQLite's online backup), and putting one back."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kt_tui.core.errors import BadInput, StoreError
from kt_tui.core.models import SCHEMA_VERSION


def _private_file(path: Path) -> None:
    """Create ``path`` readable by its owner only (0600), or make it so."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def copy_sqlite(src: Path, dest: Path) -> None:
    """A consistent copy of a live SQLite database, even while others write."""
    if dest.exists() and dest.is_dir():
        raise BadInput(f"{dest}: is a folder")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    _private_file(tmp)
    try:
        with sqlite3.connect(src) as s, sqlite3.connect(tmp) as d:
            s.execute("PRAGMA busy_timeout=30000")
            s.backup(d)
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"{dest}: backup failed: {exc}") from None


def check_backup(path: Path) -> tuple[int, str | None]:
    """Check a file is an intact kt-tui store this version can open.

    Returns its schema version and the handover it holds (None: empty).
    """
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (result,) = conn.execute("PRAGMA integrity_check").fetchone()
            if result != "ok":
                raise BadInput(f"{path}: fails SQLite's integrity check: {result}")
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            name = conn.execute("SELECT value FROM meta WHERE key = 'handover_name'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BadInput(f"{path}: not a kt-tui store ({exc})") from None
    if row is None:
        raise BadInput(f"{path}: not a kt-tui store (no schema version)")
    version = int(row[0])
    if version > SCHEMA_VERSION:
        raise BadInput(
            f"{path}: schema version {version} is newer than this kt-tui's {SCHEMA_VERSION}"
        )
    return version, name[0] if name else None


def _handover_of(path: Path) -> str | None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'handover_name'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def restore_sqlite(backup: Path, live: Path, *, force: bool = False, stamp: Any = None) -> Path:
    """Put ``backup`` in place of the live store; the store as it was is kept beside it.

    Each restore keeps its own copy (named with the time), so restoring twice
    never loses the original. A backup of another handover, or of nothing,
    is refused unless ``force``.
    """
    if backup.exists() and live.exists() and backup.resolve() == live.resolve():
        raise BadInput(f"{backup}: that is the store itself")
    _version, name = check_backup(backup)
    current = _handover_of(live) if live.exists() else None
    if not force and name is None:
        raise BadInput(f"{backup}: holds no handover; --force to restore it anyway")
    if not force and current is not None and name != current:
        raise BadInput(
            f"{backup}: holds the handover {name!r}, not this store's {current!r}; "
            "--force to restore it anyway"
        )
    when = (stamp or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S")
    kept = live.with_name(f"{live.name}.before-restore-{when}")
    n = 1
    while kept.exists():
        n += 1
        kept = live.with_name(f"{live.name}.before-restore-{when}-{n}")
    if live.exists():
        copy_sqlite(live, kept)
    else:
        live.parent.mkdir(parents=True, exist_ok=True)
        _private_file(live)
    try:
        with sqlite3.connect(backup) as s, sqlite3.connect(live) as d:
            d.execute("PRAGMA busy_timeout=30000")
            s.backup(d)
    except sqlite3.Error as exc:
        raise StoreError(f"{live}: restore failed: {exc}") from None
    return kept
