"""Rows straight from the database driver, in batches: the exports' and listings' hot path.

SQLAlchemy makes a Row object of every row it hands back (with its processors):
about a microsecond each, a second at a million rows. Where a query already
returns text made in SQL (a CSV line, a JSON object) that second is the
largest cost left, so these queries are compiled once (values inline, as
literals) and run on the driver's own cursor: a server-side cursor on
PostgreSQL, SQLite's own stepping cursor, so memory stays flat.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import count
from typing import Any

from sqlalchemy import Connection

BATCH = 5000
_names = count()


def batches(conn: Connection, query: Any, size: int = BATCH) -> Iterator[Sequence[Any]]:
    """The rows of ``query`` as the driver returns them (tuples), ``size`` at a time.

    Binds are rendered as literals (SQLAlchemy quotes them), so the query must hold
    only values that have a literal form: text, numbers, dates, booleans.
    """
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    raw = conn.connection.dbapi_connection
    assert raw is not None
    pg = conn.dialect.name == "postgresql"
    # a named cursor streams from the server; SQLite's cursor steps as it is read
    cursor = raw.cursor(name=f"kt_stream_{next(_names)}") if pg else raw.cursor()
    try:
        if pg:  # the dialect doubled each % of a literal: given params, psycopg undoes it
            cursor.execute(sql, ())
        else:
            cursor.execute(sql)
        while rows := cursor.fetchmany(size):
            yield rows
    finally:
        cursor.close()
