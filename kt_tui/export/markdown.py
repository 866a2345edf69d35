"""The readiness summary as GitHub-flavoured markdown, to paste into a PR or a wiki."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import timedelta

from kt_tui.core.burnup import Point
from kt_tui.core.instances import InstanceRow
from kt_tui.core.readiness import Figures
from kt_tui.export.report import Report, fold
from kt_tui.present import bar, level, pct

LIGHT = {"red": "🔴", "amber": "🟠", "green": "🟢"}
_SPECIALS = re.compile(r"([\\`*_\[\]|~#!])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_SAFE_CODE = re.compile(r"^[A-Za-z0-9_./:-]+$")


def md(value: object) -> str:
    """A user string made inert in markdown (and in a table cell): no markup, no HTML."""
    if value is None:
        return ""
    text = str(value)
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIALS.sub(r"\\\1", text)
    return " ".join(text.split())  # newlines and tabs would end a table row


def code(value: str | None) -> str:
    if not value:
        return ""
    return f"`{value}`" if _SAFE_CODE.match(value) else md(value)


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], align: str = "") -> list[str]:
    """A GFM table; ``align`` holds one of l, r, c per column (default left)."""
    marks = {"l": "---", "r": "---:", "c": ":---:"}
    spec = [marks[a] for a in (align or "l" * len(headers)).ljust(len(headers), "l")]
    out = ["| " + " | ".join(headers) + " |", "| " + " | ".join(spec) + " |"]
    out.extend("| " + " | ".join(cell or " " for cell in row) + " |" for row in rows)
    return out


def _bar(fraction: float | None, width: int = 10) -> str:
    return f"`{bar(fraction, width, empty='·')}`" if fraction is not None else ""


def _figures(f: Figures) -> list[str]:
    return [
        _bar(f.readiness),
        pct(f.readiness),
        pct(f.progress),
        f"{f.complete}/{f.items}",
        str(f.overdue),
        level(f.level),
    ]


def _where(r: InstanceRow) -> list[str]:
    return [md(r.member), md(r.system)]


def _day(stamp: str | None) -> str:
    return stamp[:16].replace("T", " ") if stamp else ""


def _sampled(points: list[Point], step: int = 7) -> list[Point]:
    """Weekly points (and the last one) for a table that stays short."""
    if not points:
        return []
    first = points[0].day
    picked = [p for p in points if (p.day - first).days % step == 0]
    if picked[-1] is not points[-1]:
        picked.append(points[-1])
    return picked


def render_markdown(report: Report) -> str:
    st = report.status
    v = report.verdict
    fc = report.forecast
    lines: list[str] = [
        f"# Handover readiness: {md(st.name)}",
        "",
        f"**Target date:** {st.target_date.isoformat()} ({st.days_left} days left)  ",
        f"**Generated:** {report.generated_at} by {md(report.generated_by)}",
        "",
        f"## {LIGHT[v.level]} Go / no-go: **{v.level.upper()}** ({v.label})",
        "",
        f"{md(v.summary)}.",
        "",
        f"> Rule: {v.rule}.",
        "",
        "## Overall",
        "",
        *table(
            ["Readiness", "", "Progress", "Complete", "Overdue", "Level"],
            [_figures(st.overall)],
            "lrrrrl",
        ),
        "",
        f"**Forecast:** {fc.text}"
        + (f", complete by {fc.completion_date.isoformat()}" if fc.completion_date else "")
        + f" (target {st.target_date.isoformat()}; {fc.rate_per_day:.2f} weight/day over the "
        f"last {fc.window_days} days, {fc.remaining_weight} of {fc.total_weight} weight to go).",
        "",
        "## Members",
        "",
        *table(
            ["Handle", "Name", "Role", "Readiness", "", "Progress", "Complete", "Overdue", "Level"],
            ([md(m.handle), md(m.name), m.role, *_figures(m.figures)] for m in st.members),
            "lllrrrrrl",
        ),
        "",
        "## Systems",
        "",
        *table(
            [
                "Key",
                "Name",
                "Tier",
                "Readiness",
                "",
                "Ready receivers",
                "Can transfer",
                "Overdue",
                "Level",
            ],
            (
                [
                    md(s.key),
                    md(s.name),
                    str(s.tier),
                    _bar(s.figures.readiness),
                    pct(s.figures.readiness),
                    f"{s.ready_receivers}/{s.min_ready}",
                    "✅ yes" if s.can_transfer else "❌ no",
                    str(s.figures.overdue),
                    level(s.figures.level),
                ]
                for s in st.systems
            ),
            "llrlrrcrl",
        ),
        "",
        "## Heat map",
        "",
        "Readiness of each receiver on each system they receive (✅ ready).",
        "",
    ]
    heat_rows = []
    for m in st.members:
        row = [md(m.handle)]
        for s in st.systems:
            c = st.cell(m.handle, s.key)
            if c is None:
                row.append("")
            else:
                mark = " ✅" if c.ready else ""
                row.append(f"{_bar(c.figures.readiness, 5)} {pct(c.figures.readiness)}{mark}")
        heat_rows.append(row)
    lines += table(["Member", *(md(s.key) for s in st.systems)], heat_rows)

    lines += ["", "## Still missing, per system", ""]
    for g in report.missing:
        if g.key is None:
            head = f"### {md(g.name)}: {len(g.items)} open (weight {g.weight})"
        else:
            can = "can transfer" if g.can_transfer else "cannot transfer yet"
            head = f"### {md(g.key)} ({md(g.name)}): {len(g.items)} open (weight {g.weight}), {can}"
        lines += [head, ""]
        if not g.items:
            lines += ["Nothing missing.", ""]
            continue
        lines += table(
            ["Item", "Title", "Stage", "Open for", "State", "Due"],
            (
                [
                    code(o.ref),
                    md(o.title),
                    md(o.stage),
                    ", ".join(md(m) for m in o.members) if o.members else "the system",
                    md(o.state_text),
                    (o.due.isoformat() if o.due else "")
                    + (f" ⚠ {o.overdue} overdue" if o.overdue else ""),
                ]
                for o in g.by_item()
            ),
        )
        lines.append("")

    lines += [f"## Overdue ({len(report.overdue)})", ""]
    lines += (
        table(
            ["Item", "Title", "System", "Overdue for", "State", "Due"],
            (
                [
                    code(o.ref),
                    md(o.title),
                    md(o.system),
                    ", ".join(md(m) for m in o.members) if o.members else "the system",
                    md(o.state_text),
                    o.due.isoformat() if o.due else "",
                ]
                for o in fold(report.overdue)
            ),
        )
        if report.overdue
        else ["None."]
    )
    lines += ["", f"## Awaiting sign-off ({len(report.awaiting)})", ""]
    lines += (
        table(
            ["Item", "Title", "Member", "System", "Done by", "Done at (UTC)", "Evidence"],
            (
                [
                    code(r.ref),
                    md(r.title),
                    *_where(r),
                    md(r.done_by),
                    _day(r.done_at),
                    md(r.evidence),
                ]
                for r in report.awaiting
            ),
        )
        if report.awaiting
        else ["None."]
    )
    lines += ["", f"## Not applicable ({len(report.not_applicable)})", ""]
    lines += (
        table(
            ["Item", "Title", "Member", "System", "Reason"],
            ([code(r.ref), md(r.title), *_where(r), md(r.reason)] for r in report.not_applicable),
        )
        if report.not_applicable
        else ["None."]
    )
    lines += ["", f"## Sign-off record ({len(report.signoffs)})", ""]
    lines += (
        table(
            ["Item", "Title", "Member", "System", "Done by", "Signed off by", "Signed off (UTC)"],
            (
                [
                    code(r.ref),
                    md(r.title),
                    *_where(r),
                    md(r.done_by),
                    md(r.signed_off_by),
                    _day(r.signed_off_at),
                ]
                for r in report.signoffs
            ),
        )
        if report.signoffs
        else ["None yet."]
    )
    if report.changes is not None:
        lines += ["", f"## Changes since {report.changes.since.isoformat()}", ""]
        for label, changes in report.changes_list():
            lines += [f"### {label} ({len(changes)})", ""]
            if not changes:
                lines += ["None.", ""]
                continue
            lines += table(
                ["When (UTC)", "Item", "Title", "Member", "System", "By", "Change"],
                (
                    [
                        _day(c.at),
                        code(c.ref) if c.ref else md(c.note),
                        md(c.title),
                        md(c.member),
                        md(c.system),
                        md(c.actor),
                        f"{c.before} → {c.after}" if c.before or c.after else c.verb,
                    ]
                    for c in changes
                ),
            )
            lines.append("")
        lines.pop()

    lines += ["", "## Burn-up", ""]
    if report.history:
        total = report.history[-1].total_weight
        lines += table(
            ["Date", "Complete weight", "", "Readiness"],
            (
                [
                    p.day.isoformat(),
                    f"{p.complete_weight}/{total}",
                    _bar(p.readiness, 20),
                    pct(p.readiness),
                ]
                for p in _sampled(report.history)
            ),
            "lrll",
        )
        start = report.history[-1].day - timedelta(days=fc.window_days)
        lines += [
            "",
            f"Weekly from the first event; forecast from the rate since {start.isoformat()}: "
            f"**{fc.text}**.",
        ]
    else:
        lines.append("No events yet.")
    lines += [
        "",
        "## Event chain",
        "",
        f"Head: `{report.chain_head or '(empty)'}`  ",
        "Check later that this history was not rewritten: "
        f"`kt-tui verify --head {report.chain_head or 'HASH'}`",
        "",
    ]
    return "\n".join(lines)
