"""Sync on PostgreSQL: the new instances by COPY, on the transaction's own connection.

The rows go as COPY text built a chunk at a time (psycopg's ``write_row`` per row
cost about as much Python as the rest of the insert). Into an empty table, the
table's secondary indexes and foreign keys are dropped first and made again after
the load, with the definitions the catalog held: a foreign key checks each row by a
query of its own as it is copied (about two thirds of a COPY into the table), while
adding it back checks every row in one join, and an index is built faster from
sorted rows than grown a row at a time. Nothing is weakened: the constraints are
checked over the whole table before the transaction commits.

That needs the tables locked exclusively (instance and those its keys reference)
until the sync commits, so readers wait for the first sync instead of seeing an
empty store meanwhile. The lock is taken with NOWAIT: when another transaction
holds one of the tables, or the role may not alter them, the load takes the plain
COPY with its per-row checks instead of waiting (which could deadlock with a reader).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

# Fewer new rows than this into an empty table take the plain COPY: dropping and
# making again the indexes and keys costs some milliseconds, the checks it saves
# about 20 microseconds a row.
EMPTY_LOAD_MIN = 5_000
CHUNK_CHARS = 1 << 20  # written to the server a megabyte at a time

_KEYS = text(
    "SELECT quote_ident(c.conname), pg_get_constraintdef(c.oid), c.confrelid::regclass::text "
    "FROM pg_constraint c WHERE c.conrelid = CAST(:t AS regclass) AND c.contype = 'f' "
    "ORDER BY c.conname"
)
# indexes of the table that back no constraint (the primary key stays: other
# tables' keys reference it)
_INDEXES = text(
    "SELECT x.indexrelid::regclass::text, pg_get_indexdef(x.indexrelid) FROM pg_index x "
    "WHERE x.indrelid = CAST(:t AS regclass) "
    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
    "ORDER BY 1"
)


def text_value(value: Any) -> str:
    """One value in COPY's text format: NULL as \\N, booleans as t/f, dates ISO. Only
    for values that need no escaping (numbers, dates, fixed words)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def copy_rows(
    conn: Connection,
    table: str,
    columns: tuple[str, ...],
    blocks: Iterable[str],
    *,
    rows: int,
    empty: bool,
) -> None:
    """COPY ``rows`` rows into ``table``, given as text ``blocks`` of whole lines (each
    ending in a newline); ``empty``: the table holds no row yet (in this transaction)."""
    rebuild = _drop_for_load(conn, table) if empty and rows >= EMPTY_LOAD_MIN else None
    driver: Any = conn.connection.driver_connection
    with (
        driver.cursor() as cur,
        cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for chunk in _chunks(blocks, CHUNK_CHARS):
            copy.write("".join(chunk).encode())
    for statement in rebuild or ():
        conn.exec_driver_sql(statement)


def analyze(conn: Connection) -> None:
    """Give the planner statistics of the tables a big sync filled, as PostgreSQL's
    manual advises after a bulk load: until autovacuum gets to them it plans the first
    screens' queries on guesses. (About 0.2 s at a million instances; the slow first
    actions seen after such a sync were the server writing the load out, not this.)"""
    conn.exec_driver_sql("ANALYZE instance, rollup, pending, lapsing, event, signature")


def _chunks(blocks: Iterable[str], size: int) -> Iterator[list[str]]:
    """The blocks in lists of about ``size`` characters."""
    chunk: list[str] = []
    held = 0
    for block in blocks:
        chunk.append(block)
        held += len(block)
        if held >= size:
            yield chunk
            chunk, held = [], 0
    if chunk:
        yield chunk


def _drop_for_load(conn: Connection, table: str) -> list[str] | None:
    """Drop the table's foreign keys and secondary indexes; the statements that make
    them again, or None (nothing dropped) when the tables cannot be had at once."""
    keys = conn.execute(_KEYS, {"t": table}).all()
    indexes = conn.execute(_INDEXES, {"t": table}).all()
    locked = sorted({table, *(referenced for _n, _d, referenced in keys)})
    savepoint = conn.begin_nested()
    try:
        conn.exec_driver_sql(f"LOCK TABLE {', '.join(locked)} IN ACCESS EXCLUSIVE MODE NOWAIT")
        for name, _definition, _referenced in keys:
            conn.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        for name, _definition in indexes:
            conn.exec_driver_sql(f"DROP INDEX {name}")
    except DBAPIError:
        savepoint.rollback()
        return None
    savepoint.commit()
    return [
        *(definition for _name, definition in indexes),
        *(
            f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
            for name, definition, _referenced in keys
        ),
    ]
