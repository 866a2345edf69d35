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

from sqlalchemy import String, and_, case, cast, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from kt_tui.core import rules
from kt_tui.core.item_text import SIGNATURE_ORDER, signatures_given
from kt_tui.core.tables import INSTANCE, ITEM, MEMBER, SIGNATURE, SYSTEM, TEMPLATE

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


QUOTED = ('"', ",", "\r", "\n")  # what makes the csv module quote a cell (QUOTE_MINIMAL)


def csv_cell(text: str) -> str:
    """One text cell as the csv module writes it: quoted (quotes doubled) where it holds
    a quote, a comma or a line break. The Python twin of :func:`_quoted`."""
    if any(c in text for c in QUOTED):
        return '"' + text.replace('"', '""') + '"'
    return text


def _quoted(col: Any, dialect: str) -> Any:
    """csv_cell() in SQL: one C-speed pattern test per cell, a replace only where it matches."""
    pg = dialect == "postgresql"
    needs = col.op("~")('[",\r\n]') if pg else col.op("GLOB")('*[",\r\n]*')
    return case((needs, literal('"') + func.replace(col, '"', '""') + '"'), else_=col)


def _cell(col: Any, dialect: str, *, neutralised: bool = False, text: bool = True) -> Any:
    """A CSV cell in SQL: NULL stays NULL (printf and format write it as nothing)."""
    if not text:
        return col
    return case((col.is_(None), None), else_=_quoted(_text(col, neutralised), dialect))


def _printf(dialect: str, template: str, *args: Any) -> Any:
    """printf (SQLite) / format (PostgreSQL) with ``%s`` only: one string per row, NULL as ''."""
    fn = func.format if dialect == "postgresql" else func.printf
    return fn(literal(template), *args, type_=String)


def _signatures(dialect: str) -> Any:
    """The signatures as ``party:by@at; ...`` in the order given (by time, then party, as
    the JSON items list them); NULL where the state holds none (no subquery there)."""
    sig = SIGNATURE
    if dialect == "postgresql":
        one = sig.c.party + ":" + sig.c.by + "@" + sig.c.at
        joined = func.string_agg(one, aggregate_order_by(literal("; "), *SIGNATURE_ORDER))
        listed = (
            select(joined).where(sig.c.instance_id == INSTANCE.c.id).correlate(INSTANCE)
        ).scalar_subquery()
    else:
        given = signatures_given()
        one = given.c.party + ":" + given.c.by + "@" + given.c.at
        listed = (select(func.group_concat(one, "; ")).select_from(given)).scalar_subquery()
    held = INSTANCE.c.state.in_(rules.SIGNATURES_SHOWN_IN)
    return case((held, listed), else_=None)


LINE_END = "\r\n"


def export_lines(
    dialect: str,
    today: date,
    *,
    can_transfer: dict[str, bool | None],
    tail: str,
    with_id: bool = False,
) -> Any:
    """Every live instance as one CSV line, made in SQL and streamed: the CSV export's
    hot path (a million lines in about two seconds on SQLite, where fetching the cells
    and joining them in Python took five).

    Columns: the JSON items' fields, awaiting_signoff, system_can_transfer, then
    ``tail`` as it is (``",,\r\n"``: the remaining columns, empty). Booleans are
    ``true``/``false``; text is neutralised (a formula gets a ``'``) and quoted as the
    csv module quotes. Control characters are left to the caller (they are escaped in
    Python, where one search per batch finds them). The query's rows are
    ``(line,)``, or ``(id, line)`` with ``with_id``; run it with
    :func:`kt_tui.core.streaming.batches`. The cells of an item, member or system
    are made once each (materialised CTEs), not once per instance.
    """
    d = dialect
    systems = [
        (key, None if ok is None else ("true" if ok else "false"))
        for key, ok in can_transfer.items()
    ]
    can = (
        case(*((SYSTEM.c.key == key, value) for key, value in systems), else_=None)
        if systems
        else literal(None, String)
    )
    per_system = (
        select(SYSTEM.c.id.label("id"), _cell(SYSTEM.c.key, d).label("key"), can.label("can"))
        .cte("system_cells")
        .prefix_with("MATERIALIZED")
    )
    per_member = (
        select(MEMBER.c.id.label("id"), _cell(MEMBER.c.handle, d).label("handle"))
        .cte("member_cells")
        .prefix_with("MATERIALIZED")
    )
    per_item = (
        select(
            ITEM.c.id.label("id"),
            _printf(
                d,
                "%s,%s,%s,%s,%s,%s,",
                _cell(TEMPLATE.c.key + "/" + ITEM.c.key, d, neutralised=True),
                _cell(TEMPLATE.c.key, d),
                _cell(ITEM.c.key, d),
                _cell(ITEM.c.title, d, neutralised=True),
                _cell(TEMPLATE.c.kind, d),
                _cell(TEMPLATE.c.scope, d),
            ).label("head"),
            _cell(ITEM.c.stage, d).label("stage"),
            ITEM.c.after.label("after"),
            ITEM.c.owner.label("owner"),
            ITEM.c.parties.label("parties"),
        )
        .select_from(ITEM.join(TEMPLATE, TEMPLATE.c.id == ITEM.c.template_id))
        .cte("item_cells")
        .prefix_with("MATERIALIZED")
    )
    cells = [
        per_member.c.handle,
        per_system.c.key,
        per_item.c.stage,
        cast(INSTANCE.c.weight, String),
        _cell(INSTANCE.c.state, d),
        cast(INSTANCE.c.due, String),
        _cell(INSTANCE.c.done_by, d, neutralised=True),
        _cell(INSTANCE.c.done_at, d),
        _cell(INSTANCE.c.signed_off_by, d, neutralised=True),
        _cell(INSTANCE.c.signed_off_at, d),
        _cell(INSTANCE.c.evidence, d, neutralised=True),
        _cell(INSTANCE.c.note, d, neutralised=True),
        _cell(INSTANCE.c.reason, d, neutralised=True),
        cast(INSTANCE.c.id, String),
        _flag(rules.complete_on_sql(today)),
        _flag(rules.overdue_on_sql(today)),
        _flag(rules.lapsed_sql(today)),
        _cell(rules.waiting_refs_sql(today, after=per_item.c.after), d, neutralised=True),
        _cell(per_item.c.owner, d),
        _cell(per_item.c.parties, d),  # the JSON list as stored
        cast(INSTANCE.c.score, String),
        _flag(INSTANCE.c.sent_back == True),  # noqa: E712
        _cell(_signatures(d), d),
        _flag(rules.awaiting_sql()),
        per_system.c.can,
    ]
    template = "%s" + ",".join(["%s"] * len(cells)) + tail.replace("%", "%%")
    line = _printf(d, template, per_item.c.head, *cells)
    columns = [INSTANCE.c.id, line] if with_id else [line]
    source = (
        INSTANCE.join(per_item, per_item.c.id == INSTANCE.c.item_id)
        .outerjoin(per_member, per_member.c.id == INSTANCE.c.member_id)
        .outerjoin(per_system, per_system.c.id == INSTANCE.c.system_id)
    )
    return (
        select(*columns)
        .select_from(source)
        .where(INSTANCE.c.retired == False)  # noqa: E712
        # the store's own order (template file, item, member, system as synced):
        # sorting a million wide rows into the report's grouping cost 7 s
        .order_by(INSTANCE.c.id)
    )
