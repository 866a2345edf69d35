"""The readiness summary as JSON: every key of ``status --json``, plus the report's sections."""

from __future__ import annotations

import json
import re
from typing import Any, TextIO

from sqlalchemy import String, case, cast, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from kt_tui.core import rules
from kt_tui.core.instances import ITEM_JSON_FIELDS, with_instance_joins
from kt_tui.core.store import Store
from kt_tui.core.streaming import batches
from kt_tui.core.tables import INSTANCE, ITEM, MEMBER, SIGNATURE, SYSTEM, TEMPLATE
from kt_tui.export.report import SCHEMA, MissingGroup, Report

ITEMS = "@@kt-tui items@@"  # where the streamed items go in the laid-out document


def report_json(report: Report, items: Any = ITEMS) -> dict[str, Any]:
    """Every key of ``status --json``, the report's sections (folded per item, as in
    md and html), and ``items`` (``ITEMS`` stands for the items that
    :func:`write_json` streams from the store)."""
    st = report.status
    out: dict[str, Any] = {"schema": SCHEMA}
    out.update(st.to_json())
    out.update(
        {
            "generated": {
                "at": report.generated_at,
                "by": report.generated_by,
                "today": report.today.isoformat(),
                "days_left": st.days_left,
            },
            "go_no_go": report.verdict.to_json(),
            "items": items,
            "missing": [_missing(g) for g in report.missing],
            "overdue": [o.to_json() for o in report.overdue],
            "awaiting_signoff": [o.to_json() for o in report.awaiting],
            "not_applicable": [o.to_json() for o in report.not_applicable],
            "signoffs": [o.to_json() for o in report.signoffs],
            "changes": report.changes.to_json() if report.changes else None,
            "history": [p.to_json() for p in report.history],
            "forecast": report.forecast.to_json(),
            "chain_head": report.chain_head,
        }
    )
    return out


def _missing(g: MissingGroup) -> dict[str, Any]:
    return {
        "system": g.key,
        "name": g.name,
        "can_transfer": g.can_transfer,
        "open_items": g.open,
        "open_weight": g.weight,
        "items": [o.to_json() for o in g.items],
    }


def _quote(col: Any, dialect: str) -> Any:
    """A value as JSON text in SQL (``null`` for NULL), escaped as json.dumps escapes."""
    if dialect == "postgresql":
        return func.coalesce(cast(func.to_json(col), String), "null")
    return func.json_quote(col)


def _bool(cond: Any) -> Any:
    return case((cond, "true"), else_="false")


def _refs(joined: Any) -> Any:
    """waiting_refs_sql's space-separated refs as a JSON list: refs are slugs joined by
    "/" (no character JSON would escape), so the list is spliced, not encoded."""
    listed = literal('["') + func.replace(joined, " ", '", "') + literal('"]')
    return case((joined.is_(None), literal("[]")), else_=listed)


def _signatures(dialect: str) -> Any:
    """The instance's signatures as a JSON list of {party, by, at}, in the order given;
    '[]' without a query where the state holds none (only done and signed_off do)."""
    sig = SIGNATURE
    if dialect == "postgresql":
        obj = func.json_build_object("party", sig.c.party, "by", sig.c.by, "at", sig.c.at)
        agg = func.coalesce(cast(func.json_agg(aggregate_order_by(obj, sig.c.at)), String), "[]")
        listed = (
            select(agg).where(sig.c.instance_id == INSTANCE.c.id).correlate(INSTANCE)
        ).scalar_subquery()
    else:  # SQLite aggregates in rowid order: the order the signatures were given
        obj = func.json_object("party", sig.c.party, "by", sig.c.by, "at", sig.c.at)
        listed = (
            select(func.json_group_array(func.json(obj)))
            .where(sig.c.instance_id == INSTANCE.c.id)
            .correlate(INSTANCE)
        ).scalar_subquery()
    held = INSTANCE.c.state.in_((rules.State.DONE, rules.State.SIGNED_OFF))
    return case((held, listed), else_=literal("[]"))


def items_query(dialect: str, today: Any) -> Any:
    """Each live instance as one JSON object (the fields of ITEM_JSON_FIELDS, in order),
    made in SQL: a million in a few seconds, where dumping dicts took forty."""
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
        "complete": _bool(rules.complete_on_sql(today)),
        "overdue": _bool(rules.overdue_on_sql(today)),
        "lapsed": _bool(rules.lapsed_sql(today)),
        "waiting_on": _refs(rules.waiting_refs_sql(today, after=ITEM.c.after)),
        "owner": _quote(ITEM.c.owner, d),
        "parties": ITEM.c.parties,  # a JSON list as sync wrote it (slugs: nothing to escape)
        "score": case((INSTANCE.c.score.is_(None), "null"), else_=cast(INSTANCE.c.score, String)),
        "sent_back": _bool(INSTANCE.c.sent_back == True),  # noqa: E712
        "signatures": _signatures(d),
    }
    assert tuple(values) == ITEM_JSON_FIELDS
    template = "{" + ", ".join(f'"{k}": %s' for k in values) + "}"
    fn = func.format if d == "postgresql" else func.printf
    obj = fn(literal(template), *values.values(), type_=String)
    return (
        select(obj)
        .select_from(with_instance_joins())
        .where(INSTANCE.c.retired == False)  # noqa: E712
        .order_by(INSTANCE.c.id)
    )


# json.dumps escapes C0 controls as \u00XX but writes DEL and C1 raw (ensure_ascii
# is off for readable names): they become escapes too; the values stay as they are
_RAW_CONTROLS = {c: f"\\u{c:04x}" for c in (0x7F, *range(0x80, 0xA0))}
_ANY_RAW = re.compile("[\x7f-\x9f]")  # a search is ten times faster than translate


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _layout(value: Any, depth: int = 0) -> str:
    """Readable and fast: nested objects open up to two levels, each list element on
    a line of its own. (json.dumps with ``indent`` falls back to the pure-Python
    encoder: 40 s for a million items, where this takes a few.)"""
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, dict) and value and depth < 2:
        body = ",\n".join(
            f"{inner}{_compact(k)}: {_layout(v, depth + 1)}" for k, v in value.items()
        )
        return "{\n" + body + "\n" + pad + "}"
    if isinstance(value, list) and value:
        body = ",\n".join(inner + _compact(v) for v in value)
        return "[\n" + body + "\n" + pad + "]"
    return _compact(value)


def _escaped(text: str) -> str:
    return text.translate(_RAW_CONTROLS) if _ANY_RAW.search(text) else text


def write_json(store: Store, report: Report, out: TextIO) -> None:
    """The report laid out, its ``items`` streamed from the store a batch at a time."""
    text = _layout(report_json(report))
    head, tail = text.split(_compact(ITEMS), 1)
    out.write(_escaped(head))
    pad = "    "
    first = True
    with store.read() as conn:
        for part in batches(conn, items_query(conn.dialect.name, report.today)):
            chunk = (",\n" + pad).join(row[0] for row in part)
            out.write(("[\n" + pad if first else ",\n" + pad) + _escaped(chunk))
            first = False
    out.write("[]" if first else "\n  ]")
    out.write(_escaped(tail) + "\n")
