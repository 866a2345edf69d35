"""The store: engine, SQLite pragmas, transactions, meta values, schema version."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, SQLAlchemyError

from kt_tui.core.errors import StoreError
from kt_tui.core.models import SCHEMA_VERSION, Event, Meta, SQLModel

BUSY_TIMEOUT_MS = 30_000
WRITE_LOCK_KEY = 0x4B54  # 'KT'


def resolve_url(db: str | None) -> str:
    """A path or an SQLAlchemy URL (``--db``/``KT_DB``); the default file otherwise."""
    if not db:
        from kt_tui.paths import default_db_path

        return f"sqlite:///{default_db_path()}"
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def _sqlite_path(url: str) -> Path | None:
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


class Store:
    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"

    # -- transactions ------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction that takes the write lock up front.

        SQLite: BEGIN IMMEDIATE (a deferred transaction that reads then writes
        fails at once whatever the busy timeout). PostgreSQL: a transaction-level
        advisory lock, which serialises writers even before the first event
        exists (a FOR UPDATE on the chain head has no row to lock then).
        """
        with self.engine.connect() as conn:
            conn = conn.execution_options(kt_write=True)
            with conn.begin():
                if not self.is_sqlite:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})
                yield conn

    # -- meta ----------------------------------------------------------------

    def meta(self, conn: Connection) -> dict[str, str]:
        rows = conn.execute(select(Meta.key, Meta.value)).all()  # type: ignore[call-overload]
        return {k: v for k, v in rows}

    def set_meta(self, conn: Connection, values: dict[str, str]) -> None:
        from kt_tui.core.tables import META as table

        for key, value in values.items():
            updated = conn.execute(
                table.update().where(table.c.key == key).values(value=value)
            ).rowcount
            if not updated:
                conn.execute(table.insert().values(key=key, value=value))

    def settings(self, conn: Connection) -> Settings | None:
        meta = self.meta(conn)
        if "handover_name" not in meta:
            return None
        return Settings(
            name=meta["handover_name"],
            target_date=date.fromisoformat(meta["target_date"]),
            stages=json.loads(meta["stages"]),
            ready_threshold=float(meta["ready_threshold"]),
            min_ready_per_system=int(meta["min_ready_per_system"]),
            identity=meta.get("identity", "login"),
            sample=meta.get("sample") == "1",
        )

    def change_marker(self) -> int:
        """A cheap number that changes whenever anything is written (the newest event)."""
        with self.read() as conn:
            return int(conn.execute(select(func.max(Event.id))).scalar() or 0)

    def dispose(self) -> None:
        self.engine.dispose()


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # transactions are begun in _on_begin
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _on_begin(conn: Connection) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get("kt_write") else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def open_store(db: str | None = None, create: bool = True) -> Store:
    """Open (and on first use create) the store named by a path or URL."""
    url = resolve_url(db)
    path = _sqlite_path(url)
    if path is not None and not path.exists():
        if not create:
            raise StoreError(f"{path}: no store here: `kt-tui sync DIR` makes one")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        except OSError as exc:
            raise StoreError(f"{path}: cannot create the store: {exc.strerror}") from None
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
    shown = safe_url(url)
    try:
        engine = create_engine(url, **kwargs)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError(f"{shown}: cannot open the store: {type(exc).__name__}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_connect)
        event.listen(engine, "begin", _on_begin)
    store = Store(url, engine)
    try:
        _ensure_schema(store)
    except StoreError:
        engine.dispose()
        raise
    except DatabaseError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise StoreError(f"{shown}: cannot use this store: {reason}") from None
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
    return int(version) if version is not None else None


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
        path = _sqlite_path(store.url)
        if path is not None:
            from kt_tui.core.backup import copy_sqlite

            copy_sqlite(path, path.with_name(f"{path.name}.v{version}.bak"))
    with store.write() as conn:
        has_meta = store.engine.dialect.has_table(conn, "meta")
        now = store.meta(conn).get("schema_version") if has_meta else None
        if now is None:
            SQLModel.metadata.create_all(conn)
        elif int(now) < SCHEMA_VERSION:
            from kt_tui.core.migrations import upgrade

            upgrade(conn, int(now))
        store.set_meta(conn, {"schema_version": str(SCHEMA_VERSION)})


def store_text(store: Store) -> str:
    """A short human name for the store, for messages."""
    path = _sqlite_path(store.url)
    return str(path) if path else store.engine.url.render_as_string(hide_password=True)
