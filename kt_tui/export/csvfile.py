"""The readiness summary as CSV: one row per item instance (RFC 4180, UTF-8, header row).

The columns are the JSON items' fields, then per-item report flags, then the
report-wide values (handover header, go/no-go, forecast, chain head), given
once, on the first row: repeated on every row they made a million-item file
1.1 GB, nine tenths of it the same go/no-go sentence.
Cells a spreadsheet would run as a formula are neutralised with a leading ``'``;
control characters in text are escaped (``\\x1b``), never written raw.
"""

from __future__ import annotations

import csv
import io
from typing import Any, TextIO

from kt_tui.core.csv_rows import export_lines, neutralise
from kt_tui.core.instances import ITEM_JSON_FIELDS
from kt_tui.core.store import Store
from kt_tui.core.streaming import batches
from kt_tui.export.report import Report
from kt_tui.present import CONTROL, CONTROL_BUT_CR, printable

ITEM_FIELDS = ITEM_JSON_FIELDS
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
LINE_END = "\r\n"


def cell(value: Any) -> str:
    """One CSV cell: booleans as true/false, None as empty, formulas neutralised,
    control characters escaped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return printable(neutralise(str(value)))


def _report_values(report: Report) -> list[str]:
    fc = report.forecast
    forecast = fc.text + (f" ({fc.completion_date.isoformat()})" if fc.completion_date else "")
    values = {
        "handover": report.name,
        "target_date": report.target_date.isoformat(),
        "generated_at": report.generated_at,
        "generated_by": report.generated_by,
        "go_no_go": f"{report.verdict.level}: {report.verdict.summary}",
        "forecast": forecast,
        "chain_head": report.chain_head,
    }
    return [cell(values[c]) for c in REPORT_FIELDS]


def _changed(report: Report) -> dict[int, str]:
    verbs: dict[int, list[str]] = {}
    for _label, rows in report.changes_list():
        for c in rows:
            iid = c.instance_id
            if iid is not None and c.verb not in verbs.get(iid, []):
                verbs.setdefault(iid, []).append(c.verb)
    return {iid: " ".join(v) for iid, v in verbs.items()}


TAIL = "," * (1 + len(REPORT_FIELDS)) + LINE_END  # changed_since and the report's cells


def _escaped(lines: list[str]) -> str:
    """Lines with their control characters escaped (``printable``), each keeping its own
    CR LF: one C-speed search per batch, a translate only of a line that holds one."""
    chunk = "".join(lines)
    # every line ends in CR LF: a batch is clean when those are its only CRs and it
    # holds no other control (two C-speed passes, where a search per line took 1M)
    if chunk.count("\r") == len(lines) and not CONTROL_BUT_CR.search(chunk):
        return chunk
    end = len(LINE_END)
    return "".join(
        printable(line[:-end]) + LINE_END if CONTROL.search(line, 0, len(line) - end) else line
        for line in lines
    )


def write_csv(store: Store, report: Report, out: TextIO) -> None:
    """Stream one row per live item instance from the store into ``out``.

    Each line is made in SQL (:func:`kt_tui.core.csv_rows.export_lines`: cells
    neutralised and quoted there), so no row becomes a Python object on its way
    to the file; control characters are escaped a batch at a time (:func:`_escaped`).
    ``report`` gives the report-wide columns (on the first row), built without items.
    """
    can = {s.key: s.can_transfer for s in report.status.systems}
    head = io.StringIO(newline="")
    csv.writer(head, lineterminator=LINE_END, quoting=csv.QUOTE_MINIMAL).writerow(COLUMNS)
    out.write(head.getvalue())
    changed = _changed(report) if report.changes is not None else None
    tail = "" if changed is not None else TAIL
    with store.read() as conn:
        query = export_lines(
            conn.dialect.name,
            report.today,
            can_transfer=can,
            tail=tail,
            with_id=changed is not None,
        )
        first = True
        for part in batches(conn, query):
            if changed is None:
                lines = [row[0] for row in part]
                if first:
                    lines[0] = lines[0][: -len(TAIL)] + "," + _first_tail("", report)
            else:
                lines = [f"{line},{changed.get(iid, '')}{TAIL[1:]}" for iid, line in part]
                if first:
                    iid, line = part[0]
                    lines[0] = line + "," + _first_tail(changed.get(iid, ""), report)
            first = False
            out.write(_escaped(lines))


def _first_tail(changed: str, report: Report) -> str:
    """The first row's changed_since cell and the report-wide cells, as the csv module
    writes them."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator=LINE_END, quoting=csv.QUOTE_MINIMAL)
    writer.writerow([changed, *_report_values(report)])
    return buf.getvalue()
