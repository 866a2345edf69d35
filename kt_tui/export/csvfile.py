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

from sqlalchemy import Connection

from kt_tui.core.csv_rows import export_lines, neutralise
from kt_tui.core.instances import ITEM_JSON_FIELDS
from kt_tui.core.streaming import batches, byte_sink, utf8
from kt_tui.export.report import Report
from kt_tui.present import CONTROL, printable, utf8_has_controls

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


def _escaped(lines: list[bytes]) -> bytes:
    """UTF-8 lines with their control characters escaped (``printable``), each keeping
    its own CR LF: a C-speed pass or two per batch, a translate only of a line that
    holds one."""
    chunk = b"".join(lines)
    # every line ends in CR LF: a batch is clean when those are its only CRs and it
    # holds no other control (where a search per line took a second at 1M)
    if chunk.count(b"\r") == len(lines) and not utf8_has_controls(chunk, but_cr=True):
        return chunk
    end = len(LINE_END)
    out = []
    for raw in lines:
        line = raw.decode("utf-8")
        if CONTROL.search(line, 0, len(line) - end):
            line = printable(line[:-end]) + LINE_END
        out.append(line)
    return "".join(out).encode("utf-8")


def write_csv(conn: Connection, report: Report, out: TextIO) -> None:
    """Stream one row per live item instance from the store into ``out``, in the read
    ``report`` was built in (build_report's ``conn``).

    Each line is made in SQL (:func:`kt_tui.core.csv_rows.export_lines`: cells
    neutralised and quoted there) and goes to the file as the driver's UTF-8 bytes
    (:func:`kt_tui.core.streaming.byte_sink`), so no row becomes a Python object on
    its way; control characters are escaped a batch at a time (:func:`_escaped`).
    ``report`` gives the report-wide columns (on the first row), built without items.
    """
    can = {s.key: s.can_transfer for s in report.status.systems}
    head = io.StringIO(newline="")
    csv.writer(head, lineterminator=LINE_END, quoting=csv.QUOTE_MINIMAL).writerow(COLUMNS)
    write = byte_sink(out)
    write(head.getvalue().encode("utf-8"))
    changed = _changed(report) if report.changes is not None else None
    tail = "" if changed is not None else TAIL
    query = export_lines(
        conn.dialect.name,
        report.today,
        can_transfer=can,
        tail=tail,
        with_id=changed is not None,
    )
    first = True
    tail_bytes = TAIL[1:].encode()
    for part in batches(conn, query, as_bytes=True):
        if changed is None:
            lines = utf8([row[0] for row in part])
            if first:
                line = lines[0].decode("utf-8")
                lines[0] = (line[: -len(TAIL)] + "," + _first_tail("", report)).encode()
        else:
            ids = [iid for iid, _ in part]
            text = utf8([line for _, line in part])
            lines = [
                b"%s,%s%s" % (line, changed.get(iid, "").encode(), tail_bytes)
                for iid, line in zip(ids, text, strict=True)
            ]
            if first:
                line = text[0].decode("utf-8")
                lines[0] = (line + "," + _first_tail(changed.get(ids[0], ""), report)).encode()
        first = False
        write(_escaped(lines))


def _first_tail(changed: str, report: Report) -> str:
    """The first row's changed_since cell and the report-wide cells, as the csv module
    writes them."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator=LINE_END, quoting=csv.QUOTE_MINIMAL)
    writer.writerow([changed, *_report_values(report)])
    return buf.getvalue()
