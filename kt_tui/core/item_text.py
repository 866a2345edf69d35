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

from sqlalchemy import String, and_, case, cast, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from kt_tui.core import labels, rules
from kt_tui.core.filters import Filter, conditions
from kt_tui.core.identity import Actor
from kt_tui.core.instances import ITEM_JSON_FIELDS, with_instance_joins
from kt_tui.core.sorting import DEFAULT_SORT, Sort
from kt_tui.core.tables import INSTANCE, ITEM, MEMBER, SIGNATURE, SYSTEM, TEMPLATE


def _printf(dialect: str, template: str, *args: Any) -> Any:
    """printf (SQLite) / format (PostgreSQL) with ``%s`` only: NULL is written as ''."""
    fn = func.format if dialect == "postgresql" else func.printf
    return fn(literal(template), *args, type_=String)


def _quote(col: Any, dialect: str) -> Any:
    """A value as JSON text in SQL (``null`` for NULL), escaped as json.dumps escapes."""
    if dialect == "postgresql":
        return func.coalesce(cast(func.to_json(col), String), "null")
    # most of an instance's text fields are NULL: a CASE skips the function call
    # (a fifth of the query's time at a million rows)
    return case((col.is_(None), "null"), else_=func.json_quote(col))


def _bool(cond: Any) -> Any:
    return case((cond, "true"), else_="false")


def _refs(joined: Any) -> Any:
    """waiting_refs_sql's space-separated refs as a JSON list: refs are slugs joined by
    "/" (no character JSON would escape), so the list is spliced, not encoded."""
    listed = literal('["') + func.replace(joined, " ", '", "') + literal('"]')
    return case((joined.is_(None), literal("[]")), else_=listed)


# the order signatures are listed in, everywhere: by time, then party (InstanceRow's)
SIGNATURE_ORDER = (SIGNATURE.c.at, SIGNATURE.c.party)


def signatures_given() -> Any:
    """An instance's signatures (party, by, at) as a subquery in SIGNATURE_ORDER, for
    SQLite, which aggregates rows in the order they come (else the primary key's index
    hands them over in the parties' alphabetical order)."""
    sig = SIGNATURE
    return (
        select(sig.c.party, sig.c.by, sig.c.at)
        .where(sig.c.instance_id == INSTANCE.c.id)
        .order_by(*SIGNATURE_ORDER)
        .correlate(INSTANCE)
        .subquery("given")
    )


def signatures_json(dialect: str) -> Any:
    """The instance's signatures as a JSON list of {party, by, at}, in the order given
    (by time, then party: InstanceRow's order); '[]' without a query where the state
    holds none (only done and signed_off do). The JSON items' ``signatures``, and the
    signatures the report's appendix names (:mod:`kt_tui.export.folding`)."""
    sig = SIGNATURE
    if dialect == "postgresql":
        obj = func.json_build_object("party", sig.c.party, "by", sig.c.by, "at", sig.c.at)
        in_order = aggregate_order_by(obj, *SIGNATURE_ORDER)
        agg = func.coalesce(cast(func.json_agg(in_order), String), "[]")
        listed = (
            select(agg).where(sig.c.instance_id == INSTANCE.c.id).correlate(INSTANCE)
        ).scalar_subquery()
    else:
        given = signatures_given()
        obj = func.json_object("party", given.c.party, "by", given.c.by, "at", given.c.at)
        listed = (
            select(func.json_group_array(func.json(obj))).select_from(given)
        ).scalar_subquery()
    held = INSTANCE.c.state.in_(rules.SIGNATURES_SHOWN_IN)
    return case((held, listed), else_=literal("[]"))


def _flags_and_parties(d: str, today: date, after: Any, owner: Any, parties: Any) -> dict[str, Any]:
    """The fields after ``id``: complete and overdue today, lapsed, waiting_on, owner,
    parties, score, sent_back, signatures (format 2). ``after``, ``owner``, ``parties``:
    the item's columns (the item table's, or a CTE's)."""
    return {
        "complete": _bool(rules.complete_on_sql(today)),
        "overdue": _bool(rules.overdue_on_sql(today)),
        "lapsed": _bool(rules.lapsed_sql(today)),
        "waiting_on": _refs(rules.waiting_refs_sql(today, after=after)),
        "owner": owner,
        "parties": parties,  # a JSON list as sync wrote it (slugs: nothing to escape)
        "score": case((INSTANCE.c.score.is_(None), "null"), else_=cast(INSTANCE.c.score, String)),
        "sent_back": _bool(INSTANCE.c.sent_back == True),  # noqa: E712
        "signatures": signatures_json(d),
    }


def _instance_values(d: str) -> dict[str, Any]:
    """An instance's own fields, weight to id, as JSON text (both item builders)."""
    return {
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
    }


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
        **_instance_values(d),
        **_flags_and_parties(d, today, ITEM.c.after, _quote(ITEM.c.owner, d), ITEM.c.parties),
    }
    assert tuple(values) == ITEM_JSON_FIELDS
    template = "{" + ", ".join(f'"{k}": %s' for k in values) + "}"
    return _printf(d, template, *values.values())


def export_objects(dialect: str, today: date) -> Any:
    """Every live instance as its JSON object (as :func:`json_object` makes it), in the
    store's order: ``export json``'s items. The text of an item, a member and a system
    is made once each (materialised CTEs, as for the CSV lines), not once per instance:
    per instance only its own fields are quoted."""
    d = dialect
    per_item = (
        select(
            ITEM.c.id.label("id"),
            _printf(
                d,
                '{"ref": %s, "template": %s, "item": %s, "title": %s, "kind": %s, "scope": %s, ',
                _quote(TEMPLATE.c.key + "/" + ITEM.c.key, d),
                _quote(TEMPLATE.c.key, d),
                _quote(ITEM.c.key, d),
                _quote(ITEM.c.title, d),
                _quote(TEMPLATE.c.kind, d),
                _quote(TEMPLATE.c.scope, d),
            ).label("head"),
            _quote(ITEM.c.stage, d).label("stage"),
            ITEM.c.after.label("after"),
            _quote(ITEM.c.owner, d).label("owner"),
            ITEM.c.parties.label("parties"),
        )
        .select_from(ITEM.join(TEMPLATE, TEMPLATE.c.id == ITEM.c.template_id))
        .cte("item_json")
        .prefix_with("MATERIALIZED")
    )
    per_member = (
        select(MEMBER.c.id.label("id"), _quote(MEMBER.c.handle, d).label("handle"))
        .cte("member_json")
        .prefix_with("MATERIALIZED")
    )
    per_system = (
        select(SYSTEM.c.id.label("id"), _quote(SYSTEM.c.key, d).label("key"))
        .cte("system_json")
        .prefix_with("MATERIALIZED")
    )
    values = {
        "member": func.coalesce(per_member.c.handle, "null"),
        "system": func.coalesce(per_system.c.key, "null"),
        "stage": per_item.c.stage,
        **_instance_values(d),
        **_flags_and_parties(d, today, per_item.c.after, per_item.c.owner, per_item.c.parties),
    }
    assert ("ref", "template", "item", "title", "kind", "scope", *values) == ITEM_JSON_FIELDS
    template = "%s" + ", ".join(f'"{k}": %s' for k in values) + "}"
    source = (
        INSTANCE.join(per_item, per_item.c.id == INSTANCE.c.item_id)
        .outerjoin(per_member, per_member.c.id == INSTANCE.c.member_id)
        .outerjoin(per_system, per_system.c.id == INSTANCE.c.system_id)
    )
    return (
        select(_printf(d, template, per_item.c.head, *values.values()))
        .select_from(source)
        .where(INSTANCE.c.retired == False)  # noqa: E712
        .order_by(INSTANCE.c.id)
    )


def _tsv(col: Any) -> Any:
    """A text cell of a tab-separated line: a tab or a newline inside is written as
    ``\\t`` / ``\\n`` (the line keeps its columns), NULL as ''. Other control
    characters are the caller's (``printable``)."""
    return func.replace(func.replace(col, "\t", "\\t"), "\n", "\\n")


LIST_COLUMNS = ("ref", "member", "system", "state", "due", "title", "signing", "score")


def _state_label(today: date) -> Any:
    """The state as ``list`` shows it (core/labels.py): waiting is asked only of items
    with an ``after``, and only where the state can show it."""
    waiting = and_(ITEM.c.after.is_not(None), rules.waiting_sql(today))
    return labels.state_label_sql(rules.lapsed_sql(today), waiting)


def list_line(dialect: str, today: date) -> Any:
    """Each instance as the full listing's line: LIST_COLUMNS, tab-separated."""
    cells = [
        _tsv(TEMPLATE.c.key + "/" + ITEM.c.key),
        _tsv(MEMBER.c.handle),
        _tsv(SYSTEM.c.key),
        _state_label(today),
        cast(INSTANCE.c.due, String),
        _tsv(ITEM.c.title),
        labels.signing_sql(dialect),
        labels.score_label_sql(),
    ]
    return _printf(dialect, "\t".join(["%s"] * len(cells)), *cells)


def listing_query(
    dialect: str,
    f: Filter,
    actor: Actor | None,
    today: date,
    *,
    as_json: bool,
    sort: Sort = DEFAULT_SORT,
) -> Any:
    """The instances a filter picks, in the listing's order (``sort``), one text column
    each (a JSON object or a tab-separated line): run it with ``streaming.batches``."""
    text = json_object(dialect, today) if as_json else list_line(dialect, today)
    return (
        select(text)
        .select_from(with_instance_joins())
        .where(*conditions(f, actor, today))
        .order_by(*sort.order_by())
    )
