"""Rich renderings for the terminal: the ``status``, ``list`` and ``log`` commands.

User text (names, titles, refs, notes, evidence, actors) is data: it goes into a
``Text`` through :func:`shown`, so Rich never parses it as markup (``[/docs]``
would raise, ``[link=...]`` would become a link) and its control characters are
escaped (:func:`kt_tui.present.printable`), never sent to the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from rich.table import Table
from rich.text import Text

from kt_tui.core.audit import EventRow
from kt_tui.core.blockers import Blocker
from kt_tui.core.instances import InstanceRow
from kt_tui.core.item_text import LIST_COLUMNS
from kt_tui.core.readiness import Figures, Status
from kt_tui.core.rules import State
from kt_tui.present import CONTROL, band, bar, days_left, json_safe, level, pct, printable

STATE_STYLE: dict[str, str] = {
    State.TODO: "default",
    State.BLOCKED: "yellow",
    State.DONE: "cyan",
    State.SIGNED_OFF: "green",
    State.NA: "dim",
}


BAND_STYLE = {"none": "dim", "full": "green", "half": "yellow", "some": "red", "zero": "red"}


def shown(value: object, style: str = "") -> Text:
    """User text as a Rich cell: never markup, control characters escaped."""
    return Text(printable("" if value is None else str(value)), style=style)


def _colour(fraction: float | None) -> str:
    return BAND_STYLE[band(fraction)]


def bar_text(fraction: float | None, width: int = 12) -> Text:
    return Text(bar(fraction, width), style=_colour(fraction))


def _figure_cells(f: Figures) -> list[Any]:
    return [
        bar_text(f.readiness),
        pct(f.readiness),
        pct(f.progress),
        f"{f.complete}/{f.items}",
        Text(str(f.overdue), style="red" if f.overdue else "dim"),
        level(f.level),
    ]


def status_renderables(st: Status) -> list[Any]:
    head = Text()
    head.append(printable(st.name), style="bold")
    head.append(f"   target {st.target_date.isoformat()} ({days_left(st.days_left)})   ")
    head.append(bar(st.overall.readiness, 20), style=_colour(st.overall.readiness))
    head.append(f" {pct(st.overall.readiness)} ready, level {level(st.overall.level)}")
    o = st.overall
    head.append(f"\n{o.blocked} blocked   {o.awaiting} awaiting sign-off   {o.overdue} overdue")
    if o.lapsed:
        head.append(f"   {o.lapsed} lapsed")
    own = st.handover_items
    if own is not None and own.items:
        head.append("\nHandover-wide items ")
        head.append(bar(own.readiness, 20), style=_colour(own.readiness))
        head.append(f" {pct(own.readiness)} ready, {own.complete}/{own.items} complete")

    members = Table(title="Members", title_justify="left", expand=False)
    columns = ("handle", "name", "role", "side", "readiness", "", "progress", "items", "overdue")
    for col in (*columns, "level"):
        members.add_column(
            col, justify="right" if col in ("", "progress", "items", "overdue") else "left"
        )
    for m in st.members:
        members.add_row(shown(m.handle), shown(m.name), m.role, m.side, *_figure_cells(m.figures))

    systems = Table(title="Systems", title_justify="left")
    for col in ("key", "name", "tier", "readiness", "", "ready", "transfer", "overdue", "level"):
        systems.add_column(
            col, justify="right" if col in ("", "tier", "ready", "overdue") else "left"
        )
    for s in st.systems:
        f = s.figures
        systems.add_row(
            shown(s.key),
            shown(s.name),
            str(s.tier),
            bar_text(f.readiness),
            pct(f.readiness),
            f"{s.ready_receivers}/{s.min_ready}",
            _transfer_text(s.can_transfer),
            Text(str(f.overdue), style="red" if f.overdue else "dim"),
            level(f.level),
        )
    return [head, members, systems]


def _transfer_text(can: bool | None) -> Text:
    """yes, no, or a dash for a system with nothing counted (nothing to hand over)."""
    if can is None:
        return Text("-", style="dim")
    return Text("yes", style="bold green") if can else Text("no", style="red")


def instance_table(rows: Iterable[InstanceRow]) -> Table:
    t = Table(box=None, pad_edge=False)
    for col in (
        "REF",
        "title",
        "member",
        "system",
        "state",
        "stage",
        "w",
        "due",
        "done by",
        "signed by",
        "signing",
        "score",
    ):
        t.add_column(col, no_wrap=col == "REF")
    for r in rows:
        due = Text(r.due.isoformat() if r.due else "", style="red" if r.overdue else "")
        t.add_row(
            shown(r.ref),
            shown(r.title),
            shown(r.member),
            shown(r.system),
            shown(r.state_label, STATE_STYLE.get(r.state, "")),
            shown(r.stage),
            str(r.weight),
            due,
            shown(r.done_by),
            shown(r.signed_off_by),
            shown(r.signing),
            shown(r.score_label),
        )
    return t


def queue_table(rows: Iterable[InstanceRow]) -> Table:
    """``queue``: what waits for the actor's signature, with its evidence and detail."""
    t = Table(box=None, pad_edge=False)
    for col in ("REF", "member", "system", "title", "done by", "signing", "evidence", "detail"):
        t.add_column(col, no_wrap=col == "REF")
    for r in rows:
        t.add_row(
            shown(r.ref),
            shown(r.member),
            shown(r.system),
            shown(r.title),
            shown(r.done_by),
            shown(r.signing),
            shown(r.evidence),
            shown(r.detail),
        )
    return t


def event_table(events: Iterable[EventRow]) -> Table:
    t = Table(box=None, pad_edge=False)
    for col in ("#", "at (UTC)", "actor", "verb", "item", "change", "reason / note / evidence"):
        t.add_column(col)
    for e in events:
        change = f"{e.before} -> {e.after}" if e.before or e.after else ""
        if e.party:
            change += f" as {e.party}"
        if e.score is not None:
            change += f" score {e.score}"
        item = e.ref or ""
        if isinstance(e.detail, dict):
            where = " ".join(
                v for v in (e.detail.get("member"), e.detail.get("system")) if isinstance(v, str)
            )
            item = f"{item} {where}".strip()
            if e.verb == "sync":
                c = e.detail.get("counts", {})
                change = f"+{c.get('added', 0)} -{c.get('retired', 0)} ~{c.get('reopened', 0)}"
        reason = e.detail.get("reason") if isinstance(e.detail, dict) else None
        said = f"why: {reason}" if isinstance(reason, str) else None
        extra = " / ".join(x for x in (said, e.note, e.evidence) if x)
        t.add_row(
            str(e.id),
            shown(e.at[:19].replace("T", " ")),
            shown(e.actor),
            shown(e.verb),
            shown(item),
            shown(change),
            shown(extra),
        )
    return t


def stream_lines(batches: Iterable[list[str]], as_json: bool, out: TextIO) -> None:
    """``list --limit 0``: JSON one item a line, or tab-separated lines, never cut. The
    lines come made in SQL (:mod:`kt_tui.core.item_text`); control characters are
    escaped here, one C-speed search a batch."""
    if as_json:
        out.write("[")
        first = True
        for lines in batches:
            out.write(("\n" if first else ",\n") + json_safe(",\n".join(lines)))
            first = False
        out.write("\n]\n")
        return
    out.write("\t".join(LIST_COLUMNS) + "\n")
    for lines in batches:
        chunk = "\n".join(lines) + "\n"
        out.write(printable(chunk) if CONTROL.search(chunk) else chunk)


def blocker_table(found: Iterable[Blocker]) -> Table:
    """The blockers, for escalation: every text cell escaped, never markup."""
    table = Table(title="Blocked", title_justify="left")
    for col in ("REF", "member", "system", "reason", "blocked by", "since", "days", "waiting"):
        table.add_column(col, justify="right" if col in ("days", "waiting") else "left")
    for b in found:
        table.add_row(
            shown(b.ref),
            shown(b.member or ""),
            shown(b.system or ""),
            shown(b.reason or ""),
            shown(b.by or ""),
            (b.since or "")[:10],
            "" if b.days is None else str(b.days),
            str(b.waiting) if b.waiting else "",
        )
    return table
