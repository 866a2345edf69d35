"""The detail pane of one item: what it is, who did what, and its history."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.theme import Theme

from kt_tui.core.labels import NOT_NEEDED
from kt_tui.core.parties import owner_label
from kt_tui.present import printable, stamp
from kt_tui.tui.widgets.figures import evidence_wanted

if TYPE_CHECKING:
    from kt_tui.core.instances import InstanceRow
    from kt_tui.core.service import Detail


def item_detail_text(theme: Theme, row: InstanceRow, detail: Detail | None) -> Text:
    """An item's detail pane: its fields, then its history; user text as plain Text,
    control characters escaped."""
    t = Text()
    t.append(printable(row.title), style="bold")
    t.append(printable(f"   {row.ref}  {row.where}   state: "))
    t.append(row.state_label, style="bold")
    if row.overdue:
        t.append("   overdue", style=f"bold {theme.error}")
    t.append("\n")
    # what happened first (who did it and when, the evidence, the signing so far), which
    # a signer decides on; then what the item is; then its rules (who may do it, who
    # signs), the same for every instance of it
    facts = (
        ("Done by", f"{row.done_by} at {stamp(row.done_at)}" if row.done_by else None),
        ("Evidence", row.evidence or ("required" if evidence_wanted(row) else None)),
        ("Signing", (row.signing or None) if row.parties else None),  # Sign-off says whom
        *(
            (f"Signed as {s.party}", f"{s.by} at {stamp(s.at)}")
            for s in row.signatures
            if row.state == "done"
        ),
        (
            "Signed off",
            f"{row.signed_off_by} at {stamp(row.signed_off_at)}" if row.signed_off_by else None,
        ),
        ("Score", row.score_label or None),
        ("Waits on", ", ".join(row.waiting_on) or None),
        ("Note", row.note),
        ("Reason", row.reason),
        ("Due", row.due.isoformat() if row.due else None),
        ("Lapses after", row.lapses_on.isoformat() if row.lapses_on else None),
    )
    rules = (
        ("Stage", row.stage),
        ("Weight", str(row.weight)),
        # the rule, not the person: "Done by" above names who did it
        ("Who may do it", owner_label(row.owner)),
        ("Sign-off", ", ".join(row.parties) if row.parties else NOT_NEEDED),
        ("Valid for", f"{row.valid_days} days" if row.valid_days else None),
    )
    _fields(t, facts)
    if row.detail:
        t.append(printable(row.detail) + "\n")
    _fields(t, rules)
    if detail is not None:
        t.append("History\n", style=f"bold {theme.primary}")
        if not detail.history:
            t.append("  no changes yet\n")
        for e in detail.history:
            t.append(printable(f"  {stamp(e.at)}  {e.actor:<8} {e.verb:<8}"))
            if e.before != e.after:
                t.append(f" {e.before} -> {e.after}")
            if e.party:
                t.append(printable(f"  as {e.party}"))
            if e.score is not None:
                t.append(f"  score {e.score}")
            extra = e.note or e.evidence or (e.detail or {}).get("reason")
            if extra:
                t.append(f"  {printable(str(extra))}")
            t.append("\n")
    return t


def _fields(t: Text, fields: Iterable[tuple[str, str | None]]) -> None:
    """``label: value`` lines, the empty ones left out; the value as plain text."""
    for label, value in fields:
        if value:
            t.append(f"{label}: ", style="bold")
            t.append(f"{printable(value)}\n")
