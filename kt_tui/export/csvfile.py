"""The readiness summary as CSV: one row per item instance (RFC 4180, UTF-8, header row).

The columns are the JSON items' fields, then per-item report flags, then the
report-wide values (handover header, go/no-go, forecast, chain head) repeated
on each row so that a filtered spreadsheet still says what it was cut from.
Cells a spreadsheet would run as a formula are neutralised with a leading ``'``.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from kt_tui.export.report import Report

ITEM_FIELDS = (
    "ref",
    "template",
    "item",
    "title",
    "kind",
    "scope",
    "member",
    "system",
    "stage",
    "weight",
    "state",
    "due",
    "done_by",
    "done_at",
    "signed_off_by",
    "signed_off_at",
    "evidence",
    "note",
    "reason",
    "id",
    "complete",
    "overdue",
)
ITEM_FLAGS = ("awaiting_signoff", "system_can_transfer", "changed_since")
REPORT_FIELDS = (
    "handover",
    "target_date",
    "generated_at",
    "generated_by",
    "go_no_go",
    "forecast",
    "chain_head",
)
COLUMNS = (*ITEM_FIELDS, *ITEM_FLAGS, *REPORT_FIELDS)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """One CSV cell: booleans as true/false, None as empty, formulas neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def render_csv(report: Report) -> str:
    can = {s.key: s.can_transfer for s in report.status.systems}
    changed: dict[int, list[str]] = {}
    if report.changes is not None:
        for _label, rows in report.changes_list():
            for c in rows:
                iid = c.instance_id
                if iid is not None and c.verb not in changed.get(iid, []):
                    changed.setdefault(iid, []).append(c.verb)
    fc = report.forecast
    forecast = fc.text + (f" ({fc.completion_date.isoformat()})" if fc.completion_date else "")
    report_values = {
        "handover": report.name,
        "target_date": report.target_date.isoformat(),
        "generated_at": report.generated_at,
        "generated_by": report.generated_by,
        "go_no_go": f"{report.verdict.level}: {report.verdict.summary}",
        "forecast": forecast,
        "chain_head": report.chain_head,
    }
    awaiting = {r.id for r in report.awaiting}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for r in report.items:
        row = r.to_json()
        row["awaiting_signoff"] = r.id in awaiting
        row["system_can_transfer"] = can.get(r.system) if r.system else None
        row["changed_since"] = " ".join(changed.get(r.id, [])) if report.changes else None
        row.update(report_values)
        writer.writerow([cell(row[c]) for c in COLUMNS])
    return out.getvalue()
