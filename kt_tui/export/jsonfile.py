"""The readiness summary as JSON: every key of ``status --json``, plus the report's sections."""

from __future__ import annotations

import json
import re
from typing import Any

from kt_tui.core.instances import InstanceRow
from kt_tui.export.report import SCHEMA, MissingGroup, Report


def _brief(r: InstanceRow, *extra: str) -> dict[str, Any]:
    """A section's entry: enough to read on its own; ``id`` points into ``items``."""
    full = r.to_json()
    keys = ("id", "ref", "title", "member", "system", "state", "due", *extra)
    return {k: full[k] for k in keys}


def report_json(report: Report) -> dict[str, Any]:
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
            "items": [r.to_json() for r in report.items],
            "missing": [_missing(g) for g in report.missing],
            "overdue": [_brief(r) for r in report.overdue],
            "awaiting_signoff": [
                _brief(r, "done_by", "done_at", "evidence") for r in report.awaiting
            ],
            "not_applicable": [_brief(r, "reason") for r in report.not_applicable],
            "signoffs": [
                {
                    "id": r.id,
                    "ref": r.ref,
                    "title": r.title,
                    "member": r.member,
                    "system": r.system,
                    "done_by": r.done_by,
                    "done_at": r.done_at,
                    "signed_off_by": r.signed_off_by,
                    "signed_off_at": r.signed_off_at,
                    "evidence": r.evidence,
                }
                for r in report.signoffs
            ],
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
        "open_items": len(g.items),
        "open_weight": g.weight,
        "items": [_brief(r, "stage", "weight") for r in g.items],
    }


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


def render_json(report: Report) -> str:
    text = _layout(report_json(report))
    if _ANY_RAW.search(text):
        text = text.translate(_RAW_CONTROLS)
    return text + "\n"
