"""The store: engine, SQLite pragmas, transactions, meta values, schema version."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, DBAPIError, IntegrityError, SQLAlchemyError

from kt_tui.core.errors import Refused, StoreError
from kt_tui.core.schema import EVENT, META, METADATA, SCHEMA_VERSION

BUSY_TIMEOUT_MS = 30_000
WRITE_LOCK_KEY = 0x4B54  # 'KT'


def named_store(db: str | None) -> str | None:
    """The store the user named: ``db`` (--db), else KT_DB, its env form (DESIGN); None
    for the default file. The one resolution every command, the app and serve use."""
    return db or os.environ.get("KT_DB") or None


def resolve_url(db: str | None) -> str:
    """A path or an SQLAlchemy URL (``--db``/``KT_DB``); the default file otherwise."""
    if not db:
        from kt_tui.paths import default_db_path

        return f"sqlite:///{default_db_path()}"
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def sqlite_path(url: str) -> Path | None:
    prefix = "sqlite:///"
    if url.startswith(prefix) and ":memory:" not in url:
        return Path(url[len(prefix) :])
    return None


@dataclass(frozen=True)
class Settings:
    """The handover-wide values the figures depend on."""

    name: str
    target_date: date
    stages: list[str]
    ready_threshold: float
    min_ready_per_system: int
    identity: str
    sample: bool
    start_date: date | None = None  # anchor of "S+<n>d" dues and of the burn-up


class Store:
    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self.path = sqlite_path(url)
        # set by a read-only view (`kt-tui serve` without --allow-writes): every write
        # is refused here, the one door every write goes through
        self.read_only = False

    # -- transactions ------------------------------------------------------

    @contextmanager
    def guarded(self) -> Iterator[None]:
        """Turn what the database says about a failed query into one plain StoreError."""
        try:
            yield
        except IntegrityError:
            raise  # a conflict between writers: the caller's to handle
        except DBAPIError as exc:
            raise failure(store_text(self), exc, self.path) from None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction that sees one snapshot throughout, as SQLite's does:
        on PostgreSQL, REPEATABLE READ (READ COMMITTED, its default, would let the
        figures of one screen mix states from before and after another's write).
        How each store begins it: _sqlite_begin, _pg_begin."""
        with self.guarded(), self.engine.connect() as conn:
            conn = conn.execution_options(kt_begin="read")
            with conn.begin():
                yield conn

    @contextmanager
    def write(self, *, keyed: bool = False) -> Iterator[Connection]:
        """A write transaction that takes the write lock up front.

        SQLite: BEGIN IMMEDIATE (a deferred transaction that reads then writes
        fails at once whatever the busy timeout). PostgreSQL: a transaction-level
        advisory lock, which serialises writers even before the first event
        exists (a FOR UPDATE on the chain head has no row to lock then).
        ``keyed``: an action's write, whose statements pick their rows by key (the
        figures read after it by member and system, today's date a parameter):
        PostgreSQL then plans each statement the driver prepared once (a generic
        plan), where it would plan it anew at each execution, its parameters in view
        (_pg_begin). Needs PostgreSQL 12 (plan_cache_mode; jit, every BEGIN: 11).
        """
        if self.read_only:
            raise Refused(
                "This view is read-only (--read-only, or kt-tui serve without "
                "--allow-writes): nothing was changed."
            )
        with self.guarded(), self.engine.connect() as conn:
            conn = conn.execution_options(kt_begin="keyed" if keyed else "write")
            with conn.begin():
                yield conn

    # -- meta ----------------------------------------------------------------

    def meta(self, conn: Connection) -> dict[str, str]:
        rows = conn.execute(select(META.c.key, META.c.value)).all()
        return {k: v for k, v in rows}

    def hold_settings(self, conn: Connection, meta: str | dict[str, str] | None) -> None:
        """What meta_column read, kept as this transaction's settings."""
        values = json.loads(meta) if isinstance(meta, str) else dict(meta or {})
        conn.info[_SETTINGS] = self._settings_of(values)

    def set_meta(self, conn: Connection, values: dict[str, str]) -> None:
        from kt_tui.core.tables import META as table

        conn.info.pop(_SETTINGS, None)
        for key, value in values.items():
            updated = conn.execute(
                table.update().where(table.c.key == key).values(value=value)
            ).rowcount
            if not updated:
                conn.execute(table.insert().values(key=key, value=value))

    def settings(self, conn: Connection) -> Settings | None:
        """The handover's settings (None: no handover yet), read once a transaction."""
        if _SETTINGS not in conn.info:
            conn.info[_SETTINGS] = self._settings_of(self.meta(conn))
        held: Settings | None = conn.info[_SETTINGS]
        return held

    def _settings_of(self, meta: dict[str, str]) -> Settings | None:
        if "handover_name" not in meta:
            return None
        key = ""
        try:
            key = "target_date"
            target = date.fromisoformat(meta[key])
            key = "stages"
            stages = json.loads(meta[key])
            if not isinstance(stages, list) or not all(isinstance(x, str) for x in stages):
                raise ValueError(key)
            key = "ready_threshold"
            threshold = float(meta[key])
            key = "min_ready_per_system"
            min_ready = int(meta[key])
            key = "start_date"
            start = date.fromisoformat(meta[key]) if meta.get(key) else None
        except (KeyError, ValueError, TypeError):
            held = meta.get(key)
            what = "is missing" if held is None else f"holds {held[:40]!r}"
            raise StoreError(
                f"{store_text(self)}: store damaged: the setting {key} {what}: "
                "restore from a backup (`kt-tui restore FILE`) or sync the folder again"
            ) from None
        return Settings(
            name=meta["handover_name"],
            target_date=target,
            stages=stages,
            ready_threshold=threshold,
            min_ready_per_system=min_ready,
            identity=meta.get("identity", "login"),
            sample=meta.get("sample") == "1",
            start_date=start,
        )

    def change_marker(self) -> int:
        """A cheap number that changes whenever anything is written (the newest event)."""
        with self.read() as conn:
            return int(conn.execute(select(func.max(EVENT.c.id))).scalar() or 0)

    def dispose(self) -> None:
        self.engine.dispose()


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # transactions are begun in _sqlite_begin
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    # a big sort (list --limit 0 of a million rows, in the listing's order) may use a
    # helper thread: 8% less time on 2 cores (bench: list --limit 0)
    cur.execute(f"PRAGMA threads={_sort_helpers()}")
    cur.close()


def _sort_helpers() -> int:
    """The helper threads SQLite may sort with: one per CPU this process may use, up
    to four; none on a single CPU."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        cpus = os.cpu_count() or 1
    return min(4, cpus) if cpus > 1 else 0


def meta_column(sqlite: bool) -> Any:
    """The whole meta table as one JSON object, a column another read can carry (an
    action's rights read does: Store.hold_settings, and settings() costs no read)."""
    agg = func.json_group_object if sqlite else func.json_object_agg
    return select(agg(META.c.key, META.c.value)).scalar_subquery().label("meta")


# the settings read in the transaction under way (Store.settings), in the connection's
# info: each transaction begins without them (_sqlite_begin, _pg_begin)
_SETTINGS = "kt_settings"


def _sqlite_begin(conn: Connection) -> None:
    conn.info.pop(_SETTINGS, None)
    write = conn.get_execution_options().get("kt_begin") in ("write", "keyed")
    conn.exec_driver_sql(f"BEGIN {'IMMEDIATE' if write else 'DEFERRED'}")


# PostgreSQL's transactions, begun by us as SQLite's are (the driver in autocommit, so
# it sends no BEGIN of its own): each in one simple query, where psycopg would send
# its BEGIN, then our lock, as two round trips (an action is a dozen of them)
_NO_JIT = "SET LOCAL jit = off"
_PG_BEGIN = {
    None: "BEGIN",  # a transaction not begun by Store.read or Store.write (a test's)
    # JIT off: the exports' and listings' statements hold hundreds of expressions (the
    # rules in SQL), which PostgreSQL's JIT spent 10 s compiling for a CSV export of
    # fourteen items, where the query itself takes milliseconds
    "read": f"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; {_NO_JIT}",
    "write": f"BEGIN; {_NO_JIT}; SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})",
    # an action's statements read a few rows by key (its figures too: the counters of
    # one member and one system), the same plan whatever the key: planned each time
    # (a custom plan) they cost as much again as they take
    "keyed": (
        f"BEGIN; {_NO_JIT}; SET LOCAL plan_cache_mode = force_generic_plan; "
        f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})"
    ),
}


def _pg_begin(conn: Connection) -> None:
    conn.info.pop(_SETTINGS, None)
    conn.exec_driver_sql(_PG_BEGIN[conn.get_execution_options().get("kt_begin")]).close()


def no_store(path: Path) -> str:
    """What a command that only reads says where no store is yet (a new machine, before
    the app was first opened, or a typo in --db): how to make one, and how to look."""
    return (
        f"{path}: no store here: `kt-tui sync DIR` makes one, "
        "or `kt-tui demo` shows the bundled sample mid-way"
    )


def open_store(db: str | None = None, create: bool = True) -> Store:
    """Open (and on first use create) the store named by a path or URL."""
    url = resolve_url(db)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        if not create:
            raise StoreError(no_store(path))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        except OSError as exc:
            raise StoreError(f"{path}: cannot create the store: {exc.strerror}") from None
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
    elif url.startswith("postgresql"):
        kwargs["isolation_level"] = "AUTOCOMMIT"  # transactions are begun in _pg_begin
    shown = safe_url(url)
    try:
        engine = create_engine(url, **kwargs)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError(f"{shown}: cannot open the store: {type(exc).__name__}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_connect)
        event.listen(engine, "begin", _sqlite_begin)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "begin", _pg_begin)
    store = Store(url, engine)
    try:
        _ensure_schema(store)
    except StoreError:
        engine.dispose()
        raise
    except DatabaseError as exc:
        engine.dispose()
        raise failure(shown, exc, path) from None
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"{shown}: cannot use this store: {type(exc).__name__}") from None
    return store


def safe_url(url: str) -> str:
    """A URL fit for a message: the password masked."""
    if url.startswith("sqlite"):
        return url.removeprefix("sqlite:///")
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (SQLAlchemyError, ValueError):
        return "(a database URL)"


def _recorded_version(store: Store) -> int | None:
    with store.read() as conn:
        if not store.engine.dialect.has_table(conn, "meta"):
            return None
        version = store.meta(conn).get("schema_version")
    if version is None:
        return None
    try:
        return int(version)
    except ValueError:
        raise StoreError(
            f"{store_text(store)}: store damaged: its schema version is {version[:20]!r}: "
            "restore from a backup (`kt-tui restore FILE`)"
        ) from None


def _ensure_schema(store: Store) -> None:
    version = _recorded_version(store)
    if version == SCHEMA_VERSION:
        return  # the usual case: one query
    if version is None:
        with store.read() as conn:
            tables = set(inspect(conn).get_table_names())
        if tables - {"meta"}:
            raise StoreError(
                f"{store_text(store)}: not a kt-tui store: it holds other tables "
                f"({', '.join(sorted(tables)[:5])}); name another file or database"
            )
    if version is not None and version > SCHEMA_VERSION:
        raise StoreError(
            f"{store_text(store)}: the store has schema version {version}, newer than this "
            f"kt-tui's {SCHEMA_VERSION}: upgrade kt-tui to open it"
        )
    if version is not None:
        path = sqlite_path(store.url)
        if path is not None:
            copy_sqlite(path, path.with_name(f"{path.name}.v{version}.bak"))
    with store.write() as conn:
        has_meta = store.engine.dialect.has_table(conn, "meta")
        now = store.meta(conn).get("schema_version") if has_meta else None
        if now is None:
            METADATA.create_all(conn)
        elif int(now) < SCHEMA_VERSION:
            from kt_tui.core.migrations import upgrade

            upgrade(conn, int(now))
        store.set_meta(conn, {"schema_version": str(SCHEMA_VERSION)})


def store_text(store: Store) -> str:
    """A short human name for the store, for messages."""
    path = sqlite_path(store.url)
    return str(path) if path else store.engine.url.render_as_string(hide_password=True)


# -- what went wrong, in one line ---------------------------------------------------

RESTORE_HINT = "restore from a backup (`kt-tui restore FILE`)"
COMPANIONS = ("", "-wal", "-shm", "-journal")  # the store file and SQLite's files beside it


def quick_check(path: Path) -> str | None:
    """SQLite's ``PRAGMA quick_check`` on a store file: None if it passes (or cannot tell)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            rows = conn.execute("PRAGMA quick_check(3)").fetchall()
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return None  # cannot open or busy: that says nothing about the pages
    except sqlite3.DatabaseError as exc:
        return str(exc)
    found = " ".join(" ".join(str(r[0]) for r in rows).split())  # one line
    return None if found == "ok" else found


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    if isinstance(orig, OSError) and orig.strerror:
        return orig.strerror
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__


def failure(shown: str, exc: BaseException, path: Path | None = None) -> StoreError:
    """One plain StoreError (exit 2) that says what is wrong with the store and what to do."""
    reason = _reason(exc)
    low = reason.lower()
    code = exc.errno if isinstance(exc, OSError) else None
    if code in (errno.EACCES, errno.EPERM, errno.EROFS) or "readonly" in low or "read-only" in low:
        return StoreError(
            f"{shown}: store is read-only: ask for write access to the file and its folder"
        )
    if code == errno.ENOSPC or "disk is full" in low or "no space" in low:
        return StoreError(f"{shown}: disk full: free some space, then run the command again")
    if "nul" in low and ("0x00" in low or "character" in low):
        return StoreError(f"{shown}: text holds a NUL character, which it refuses: remove it")
    if "locked" in low or "busy" in low:
        return StoreError(f"{shown}: store is busy: another kt-tui is writing; try again")
    if "not a database" in low:
        return StoreError(
            f"{shown}: cannot use this store: file is not a database "
            f"(name the right file, or if it was a store: {RESTORE_HINT})"
        )
    damage = quick_check(path) if path is not None else None
    if damage is None and "malformed" in low:
        damage = reason
    if damage is None and ("no such table" in low or "no such column" in low):
        damage = reason
    if damage is not None:
        return StoreError(f"{shown}: store damaged ({damage[:120]}): {RESTORE_HINT}")
    if "unable to open" in low:
        return StoreError(f"{shown}: cannot open the store: check the path and its permissions")
    return StoreError(f"{shown}: cannot use this store: {reason[:200]}")


def companion_files(live: Path) -> list[Path]:
    """The store file and the ``-wal``, ``-shm`` and ``-journal`` files SQLite keeps beside it."""
    return [live.with_name(live.name + suffix) for suffix in COMPANIONS]


def is_store_file(target: Path, live: Path) -> bool:
    """Whether writing ``target`` would overwrite the store or a file SQLite keeps beside it.

    By name (symlinks resolved) and by inode, so a hard link is caught too.
    """
    files = companion_files(live)
    resolved = target.resolve()
    if any(resolved == f.resolve() for f in files):
        return True
    try:
        st = os.stat(target)
    except OSError:
        return False
    for f in files:
        try:
            other = os.stat(f)
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
            return True
    return False


def copy_sqlite(src: Path, dest: Path) -> None:
    """A consistent copy of a live SQLite database, even while others write.

    Written to a private temporary file created exclusively beside ``dest``
    (never through a planted link), then moved over it; no folder is created.
    """
    try:
        fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    except OSError as exc:
        raise failure(str(dest), exc) from None
    os.close(fd)
    tmp = Path(name)
    try:
        with closing(sqlite3.connect(src)) as s, closing(sqlite3.connect(tmp)) as d:
            s.execute("PRAGMA busy_timeout=30000")
            s.backup(d)
        os.replace(tmp, dest)
    except (sqlite3.Error, OSError) as exc:
        raise failure(str(dest), exc) from None
    finally:
        tmp.unlink(missing_ok=True)
