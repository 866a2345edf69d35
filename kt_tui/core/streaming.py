"""Rows straight from the database driver, in batches: the exports' and listings' hot path.

SQLAlchemy makes a Row object of every row it hands back (with its processors):
about a microsecond each, a second at a million rows. Where a query already
returns text made in SQL (a CSV line, a JSON object) that second is the
largest cost left, so these queries are compiled once (values inline, as
literals) and run on the driver's own cursor: a server-side cursor on
PostgreSQL, SQLite's own stepping cursor, so memory stays flat.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable, Iterator, Sequence
from itertools import count
from typing import Any, TextIO

from sqlalchemy import Connection

BATCH = 5000
_names = count()


def batches(
    conn: Connection, query: Any, size: int = BATCH, *, as_bytes: bool = False
) -> Iterator[Sequence[Any]]:
    """The rows of ``query`` as the driver returns them (tuples), ``size`` at a time.

    Binds are rendered as literals (SQLAlchemy quotes them), so the query must hold
    only values that have a literal form: text, numbers, dates, booleans.
    With ``as_bytes``, SQLite hands text back as its UTF-8 bytes, undecoded (a writer
    that sends them to a file skips decoding and encoding each line); other drivers
    still give str: see :func:`utf8`.
    """
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    raw = conn.connection.dbapi_connection
    assert raw is not None
    pg = conn.dialect.name == "postgresql"
    # a named cursor streams from the server; SQLite's cursor steps as it is read
    cursor = raw.cursor(name=f"kt_stream_{next(_names)}") if pg else raw.cursor()
    factory = getattr(raw, "text_factory", None)
    if as_bytes and not pg:
        raw.text_factory = bytes
    try:
        if pg:  # the dialect doubled each % of a literal: given params, psycopg undoes it
            cursor.execute(sql, ())
        else:
            cursor.execute(sql)
        while rows := cursor.fetchmany(size):
            yield rows
    finally:
        cursor.close()
        if as_bytes and not pg:
            raw.text_factory = factory


def utf8(lines: list[Any]) -> list[bytes]:
    """A batch's text column as UTF-8 bytes, whichever the driver gave."""
    if lines and isinstance(lines[0], str):
        return [line.encode("utf-8") for line in lines]
    return lines


def byte_sink(out: TextIO) -> Callable[[bytes], object]:
    """Where UTF-8 bytes go on their way into ``out``: straight into its binary buffer
    where ``out`` is a UTF-8 file that translates no newline (POSIX), after flushing
    what was written to it as text; else decoded into ``out``."""
    buffer = getattr(out, "buffer", None)
    encoding = getattr(out, "encoding", None)
    utf8_file = encoding is not None and codecs.lookup(encoding).name == "utf-8"
    if buffer is not None and utf8_file and os.linesep == "\n":
        out.flush()
        return buffer.write
    return lambda data: out.write(data.decode("utf-8"))
