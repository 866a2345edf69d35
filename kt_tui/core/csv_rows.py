"""The CSV export's rows, streamed from SQL as text cells, and formula neutralising.

A cell a spreadsheet would run as a formula gets a leading ``'``: the rule is
written here once, in Python (for the report-wide cells) and in SQL (for the
item rows). A formula is a cell that starts with ``= + - @`` or their fullwidth
forms (U+FF1D, U+FF0B, U+FF0D, U+FF20), after any leading spaces, tabs and line breaks (which a
spreadsheet skips), and a cell that starts with a tab or a carriage return.
Control characters are escaped afterwards (:func:`kt_tui.present.printable`),
in Python: see :data:`TEXT_COLUMNS`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, String, and_, case, cast, func, literal, select

from kt_tui.core import rules
from kt_tui.core.instances import with_instance_joins
from kt_tui.core.tables import INSTANCE, ITEM, MEMBER, SYSTEM, TEMPLATE

FORMULA_CHARS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
SKIPPED = " \t\r\n"  # what a spreadsheet skips before a formula
ALWAYS = ("\t", "\r")  # a cell that starts with one is quoted whatever follows


def neutralise(text: str) -> str:
    """A text cell for a spreadsheet: a formula (after leading blanks) gets a quote."""
    if text.startswith(ALWAYS) or text.lstrip(SKIPPED)[:1] in FORMULA_CHARS:
        return "'" + text
    return text


def _text(col: Any, neutralised: bool) -> Any:
    """neutralise() in SQL, for a text column (ltrim(X, Y) is SQLite's and PostgreSQL's)."""
    if not neutralised:
        return col
    first = func.substr(col, 1, 1)
    blank_led = and_(  # ltrim only where a blank leads: most cells start with a letter
        first.in_((" ", "\n")), func.substr(func.ltrim(col, SKIPPED), 1, 1).in_(FORMULA_CHARS)
    )
    return case(
        (first.in_(FORMULA_CHARS + ALWAYS), literal("'") + col),
        (blank_led, literal("'") + col),
        else_=col,
    )


def _flag(cond: Any) -> Any:
    return case((cond, "true"), else_="false")


def export_rows(
    conn: Connection,
    today: date,
    *,
    can_transfer: dict[str, bool | None],
    constants: list[str],
    neutralise: bool = True,
) -> Any:
    """Every live instance as a row of text cells, streamed: the CSV export's hot path.

    Columns: the JSON items' fields, awaiting_signoff, system_can_transfer,
    then ``constants`` as given. Booleans are ``true``/``false``; text that a
    spreadsheet would run as a formula is neutralised in SQL, so no row passes
    through Python on its way from the store to the file.
    """
    systems = [
        (key, None if ok is None else ("true" if ok else "false"))
        for key, ok in can_transfer.items()
    ]
    can = (
        case(*((SYSTEM.c.key == key, value) for key, value in systems), else_=None)
        if systems
        else literal(None)
    )
    columns = [
        _text(TEMPLATE.c.key + "/" + ITEM.c.key, neutralise),
        TEMPLATE.c.key,
        ITEM.c.key,
        _text(ITEM.c.title, neutralise),
        TEMPLATE.c.kind,
        TEMPLATE.c.scope,
        MEMBER.c.handle,
        SYSTEM.c.key,
        ITEM.c.stage,
        INSTANCE.c.weight,
        INSTANCE.c.state,
        cast(INSTANCE.c.due, String),  # text as stored: no date object per row
        _text(INSTANCE.c.done_by, neutralise),
        INSTANCE.c.done_at,
        _text(INSTANCE.c.signed_off_by, neutralise),
        INSTANCE.c.signed_off_at,
        _text(INSTANCE.c.evidence, neutralise),
        _text(INSTANCE.c.note, neutralise),
        _text(INSTANCE.c.reason, neutralise),
        INSTANCE.c.id,
        _flag(rules.complete_sql()),
        _flag(rules.overdue_sql(today)),
        ITEM.c.owner,
        ITEM.c.parties,  # the JSON list as stored
        INSTANCE.c.score,
        _flag(INSTANCE.c.sent_back == True),  # noqa: E712
        _flag(rules.awaiting_sql()),
        case((INSTANCE.c.system_id.is_(None), None), else_=can),
        *(literal(c) for c in constants),
    ]
    q = (
        select(*columns)
        .select_from(with_instance_joins())
        .where(INSTANCE.c.retired == False)  # noqa: E712
        # the store's own order (template file, item, member, system as synced):
        # sorting a million wide rows into the report's grouping cost 7 s
        .order_by(INSTANCE.c.id)
    )
    return conn.execution_options(stream_results=True, yield_per=5000).execute(q)
