"""Item instances as finished text made in SQL: a JSON object, a tab-separated line.

The full listing (``list --limit 0``) and ``export json`` write one line per
instance; building each in SQL and reading it from the driver's cursor
(:func:`kt_tui.core.streaming.batches`) skips a Python object per row: a
million rows in seconds. Control characters are left to the caller, which
escapes them a batch at a time (one C-speed search finds the rare line that
holds one).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import String, case, cast, func, literal, select

from kt_tui.core import rules
from kt_tui.core.filters import Filter, conditions
from kt_tui.core.identity import Actor
from kt_tui.core.instances import ITEM_JSON_FIELDS, ORDER, with_instance_joins
from kt_tui.core.tables import INSTANCE, ITEM, MEMBER, SYSTEM, TEMPLATE


def _printf(dialect: str, template: str, *args: Any) -> Any:
    """printf (SQLite) / format (PostgreSQL) with ``%s`` only: NULL is written as ''."""
    fn = func.format if dialect == "postgresql" else func.printf
    return fn(literal(template), *args, type_=String)


def _quote(col: Any, dialect: str) -> Any:
    """A value as JSON text in SQL (``null`` for NULL), escaped as json.dumps escapes."""
    if dialect == "postgresql":
        return func.coalesce(cast(func.to_json(col), String), "null")
    return func.json_quote(col)


def _bool(cond: Any) -> Any:
    return case((cond, "true"), else_="false")


def json_object(dialect: str, today: date) -> Any:
    """Each instance as one JSON object: the fields of ITEM_JSON_FIELDS, in order, laid
    out as ``json.dumps`` lays them out (``{"ref": "a/b", ...}``). Selects from
    :func:`kt_tui.core.instances.with_instance_joins`."""
    d = dialect
    values = {
        "ref": _quote(TEMPLATE.c.key + "/" + ITEM.c.key, d),
        "template": _quote(TEMPLATE.c.key, d),
        "item": _quote(ITEM.c.key, d),
        "title": _quote(ITEM.c.title, d),
        "kind": _quote(TEMPLATE.c.kind, d),
        "scope": _quote(TEMPLATE.c.scope, d),
        "member": _quote(MEMBER.c.handle, d),
        "system": _quote(SYSTEM.c.key, d),
        "stage": _quote(ITEM.c.stage, d),
        "weight": cast(INSTANCE.c.weight, String),
        "state": _quote(INSTANCE.c.state, d),
        "due": _quote(cast(INSTANCE.c.due, String), d),
        "done_by": _quote(INSTANCE.c.done_by, d),
        "done_at": _quote(INSTANCE.c.done_at, d),
        "signed_off_by": _quote(INSTANCE.c.signed_off_by, d),
        "signed_off_at": _quote(INSTANCE.c.signed_off_at, d),
        "evidence": _quote(INSTANCE.c.evidence, d),
        "note": _quote(INSTANCE.c.note, d),
        "reason": _quote(INSTANCE.c.reason, d),
        "id": cast(INSTANCE.c.id, String),
        "complete": _bool(rules.complete_sql()),
        "overdue": _bool(rules.overdue_sql(today)),
    }
    assert tuple(values) == ITEM_JSON_FIELDS
    template = "{" + ", ".join(f'"{k}": %s' for k in values) + "}"
    return _printf(d, template, *values.values())


def _tsv(col: Any) -> Any:
    """A text cell of a tab-separated line: a tab or a newline inside is written as
    ``\\t`` / ``\\n`` (the line keeps its columns), NULL as ''. Other control
    characters are the caller's (``printable``)."""
    return func.replace(func.replace(col, "\t", "\\t"), "\n", "\\n")


LIST_COLUMNS = ("ref", "member", "system", "state", "due", "title")


def list_line(dialect: str) -> Any:
    """Each instance as the full listing's line: LIST_COLUMNS, tab-separated."""
    cells = [
        _tsv(TEMPLATE.c.key + "/" + ITEM.c.key),
        _tsv(MEMBER.c.handle),
        _tsv(SYSTEM.c.key),
        INSTANCE.c.state,
        cast(INSTANCE.c.due, String),
        _tsv(ITEM.c.title),
    ]
    return _printf(dialect, "\t".join(["%s"] * len(cells)), *cells)


def listing_query(
    dialect: str, f: Filter, actor: Actor | None, today: date, *, as_json: bool
) -> Any:
    """The instances a filter picks, in the listing's order, one text column each (a
    JSON object or a tab-separated line): run it with ``streaming.batches``."""
    text = json_object(dialect, today) if as_json else list_line(dialect)
    return (
        select(text)
        .select_from(with_instance_joins())
        .where(*conditions(f, actor, today))
        .order_by(*ORDER)
    )
