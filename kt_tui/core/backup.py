"""Consistent copies of a SQLite store (SQLite's online backup), and putting one back."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kt_tui.core.errors import BadInput, StoreError
from kt_tui.core.schema import SCHEMA_VERSION
from kt_tui.core.store import (
    RESTORE_HINT,
    Store,
    copy_sqlite,
    failure,
    is_store_file,
    quick_check,
)

if TYPE_CHECKING:
    from kt_tui.core.verify import VerifyResult


def _private_file(path: Path) -> None:
    """Create ``path`` readable by its owner only (0600), or make it so."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def backup_store(live: Path, dest: Path, *, force: bool = False) -> None:
    """``kt-tui backup``: refuse the store's own files, a missing folder, an existing
    file without ``force``, and a damaged store; then copy."""
    if is_store_file(dest, live):
        raise BadInput(f"{dest}: that is the store itself (or a file beside it); name another file")
    if not dest.parent.is_dir():
        raise BadInput(f"{dest.parent}: no such folder (backup creates none)")
    if dest.exists() or dest.is_symlink():
        if not dest.is_file():
            raise BadInput(f"{dest}: not a regular file; backup writes files only")
        if not force:
            raise BadInput(f"{dest}: exists; --force to replace it")
    damage = quick_check(live)
    if damage is not None:
        raise StoreError(f"{live}: store damaged ({damage[:120]}): backup refused; {RESTORE_HINT}")
    copy_sqlite(live, dest)


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


def restore_sqlite(
    backup: Path, live: Path, *, force: bool = False, stamp: Any = None, shown: Path | None = None
) -> Path:
    """Put ``backup`` in place of the live store; the store as it was is kept beside it.

    Each restore keeps its own copy (named with the time), so restoring twice
    never loses the original. A backup of another handover, or of nothing,
    is refused unless ``force``. ``shown``: the file the user named, when
    ``backup`` is a working copy of it.
    """
    shown = shown or backup
    if is_store_file(shown, live):
        raise BadInput(f"{shown}: that is the store itself")
    _version, name = check_backup(backup)
    current = _handover_of(live) if live.exists() else None
    if not force and name is None:
        raise BadInput(f"{shown}: holds no handover; --force to restore it anyway")
    if not force and current is not None and name != current:
        raise BadInput(
            f"{shown}: holds the handover {name!r}, not this store's {current!r}; "
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
        with closing(sqlite3.connect(backup)) as s, closing(sqlite3.connect(live)) as d:
            d.execute("PRAGMA busy_timeout=30000")
            s.backup(d)
    except (sqlite3.Error, OSError) as exc:
        raise failure(f"{live}: restore failed", exc) from None
    return kept


@contextmanager
def verified_copy(backup: Path, live: Path | None = None) -> Iterator[tuple[Path, VerifyResult]]:
    """A private working copy of ``backup``, brought to this schema, and what verify says of it.

    The backup itself is only read; the copy is what a restore puts in place.
    """
    from kt_tui.core.store import open_store
    from kt_tui.core.verify import verify

    if live is not None and is_store_file(backup, live):
        raise BadInput(f"{backup}: that is the store itself")
    check_backup(backup)
    with tempfile.TemporaryDirectory(prefix="kt-restore-") as folder:
        copy = Path(folder) / "backup.db"
        copy_sqlite(backup, copy)
        store = open_store(str(copy), create=False)
        try:
            with store.read() as conn:
                result = verify(conn)
        finally:
            store.dispose()
        yield copy, result


def record_restore(
    store: Store, *, actor: str, login: str, at: str, source: Path, head: str
) -> None:
    """The event that says a restore happened: from what file, by whom, at which head."""
    from kt_tui.core import audit

    with store.write() as conn:
        audit.record(
            conn,
            at=at,
            actor=actor,
            login=login,
            verb="restore",
            detail={"from": str(source), "backup_head": head},
        )
