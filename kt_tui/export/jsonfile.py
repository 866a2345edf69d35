"""The readiness summary as JSON: every key of ``status --json``, plus the report's sections."""

from __future__ import annotations

import json
from typing import Any, TextIO

from sqlalchemy import Connection

from kt_tui.core.item_text import export_objects
from kt_tui.core.streaming import batches, byte_sink, utf8
from kt_tui.export.report import SCHEMA, MissingGroup, Report
from kt_tui.present import json_safe, json_safe_utf8

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
            "open_items": [o.to_json() for o in report.open_items],
            "overdue": [o.to_json() for o in report.overdue],
            "awaiting_signoff": [o.to_json() for o in report.awaiting],
            "not_applicable": [o.to_json() for o in report.not_applicable],
            "signoffs": [o.to_json() for o in report.signoffs],
            "blockers": [b.to_json() for b in report.blockers],
            "competency": [c.to_json() for c in report.competency],
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
        "scope": g.scope,
        "name": g.name,
        "can_transfer": g.can_transfer,
        "open_items": g.open,
        "open_weight": g.weight,
    }


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


def write_json(conn: Connection, report: Report, out: TextIO) -> None:
    """The report laid out, its ``items`` streamed from the store a batch at a time, as
    the driver's UTF-8 bytes (:func:`kt_tui.core.streaming.byte_sink`), in the read
    ``report`` was built in (build_report's ``conn``)."""
    text = _layout(report_json(report))
    head, tail = text.split(_compact(ITEMS), 1)
    write = byte_sink(out)
    write(json_safe(head).encode("utf-8"))
    pad = b"    "
    between = b",\n" + pad
    first = True
    query = export_objects(conn.dialect.name, report.today)
    for part in batches(conn, query, as_bytes=True):
        write(b"[\n" + pad if first else between)
        write(json_safe_utf8(between.join(utf8([row[0] for row in part]))))
        first = False
    write(b"[]" if first else b"\n  ]")
    write((json_safe(tail) + "\n").encode("utf-8"))
