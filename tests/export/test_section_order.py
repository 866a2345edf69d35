"""The markdown export reads like the HTML one: the one-page summary first (verdict with
its rule, key figures, systems and their gates, burn-up and forecast, heat map,
members, the chain head), then "Details" (what is still missing, blockers, overdue,
awaiting sign-off with evidence, n/a with reasons, the sign-off record, changes)."""

from __future__ import annotations

import re

from kt_tui.core.store import Store
from kt_tui.export.command import render
from tests.export import scenario

COUNT = re.compile(r" \(\d+\)$")


def md_headings(text: str) -> list[str]:
    """Every heading, its count left out: ``## Overdue (26)`` is ``Overdue``."""
    return [
        COUNT.sub("", line.lstrip("#").strip())
        for line in text.splitlines()
        if re.match(r"#{1,3} ", line)
    ]


def html_sections(text: str) -> list[str]:
    return [COUNT.sub("", h) for h in re.findall(r"<h2>([^<]*)</h2>", text)]


def test_markdown_puts_the_summary_first_then_the_details(sample_store: Store) -> None:
    who = scenario.actor(sample_store, "asha")
    md = render(sample_store, "md", actor=who, clock=scenario.NOW, since=scenario.SINCE)
    headings = md_headings(md)
    h2 = [h for h in headings if not h.startswith(("Handover readiness", "🔴"))]
    assert h2 == [
        # the summary
        "Key figures",
        "Systems",
        "Burn-up and forecast",
        "Heat map",
        "Members",
        "Event chain",
        # the appendix
        "Details",
        "Still missing",
        "Blockers",
        "Overdue",
        "Awaiting sign-off",
        "Not applicable",
        "Sign-off record",
        "Changes since 2026-11-20",
        "Completed",
        "Signed off",
        "Reopened",
    ]
    assert "# Details" in md.splitlines()  # one level up, as the HTML's page of its own
    assert headings[:2] == [
        "Handover readiness: Northwind order platform: transfer to client",
        "🔴 Go / no-go: **RED** (NO-GO)",
    ]


def test_markdown_has_the_html_sections_in_the_html_order(sample_store: Store) -> None:
    who = scenario.actor(sample_store, "asha")
    md = render(sample_store, "md", actor=who, clock=scenario.NOW, since=scenario.SINCE)
    html = render(sample_store, "html", actor=who, clock=scenario.NOW, since=scenario.SINCE)
    sections = html_sections(html)
    assert "Still missing" in sections and "Sign-off record" in sections
    assert [h for h in md_headings(md) if h in sections] == sections
