"""Two-party sign-off in the md and html appendix: a partly signed item is listed as
awaiting with how far it is, in the listings' words, beside its evidence; the
sign-off record names every party's signature (party, who, when), not only the last
signer. On SQLite and PostgreSQL (the signatures are the JSON items' read)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kt_tui.core.actions import act, resolve_ref
from kt_tui.core.clock import Clock
from kt_tui.core.store import Store
from kt_tui.export.command import render
from kt_tui.export.folding import Entry, Folded
from tests import two_sides
from tests.conftest import FIXED, actor_of

EVIDENCE = "https://wiki.example/api/runbook"


def at(hour: int) -> Clock:
    when = datetime(2026, 11, 24, hour, 0, tzinfo=UTC)
    return Clock.fixed(when, when.date())


@pytest.fixture
def handed_over(store: Store, tmp_path: Path) -> Store:
    """The provider delivered the API runbook (signoff: provider-lead, client-lead)."""
    two_sides.synced(store, tmp_path / "two", at(8))
    pete = actor_of(store, "pete")
    with store.read() as conn:
        runbook = resolve_ref(conn, "handoff/runbook", pete, system="api")
    act(store, pete, "done", runbook, evidence=EVIDENCE, clock=at(9))
    return store


def sign(store: Store, handle: str, hour: int) -> None:
    who = actor_of(store, handle)
    with store.read() as conn:
        runbook = resolve_ref(conn, "handoff/runbook", who, system="api")
    act(store, who, "signoff", runbook, clock=at(hour))


def section(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_one_party_signed_is_awaiting_with_the_missing_party(handed_over: Store) -> None:
    sign(handed_over, "pia", 10)  # the provider's lead; the client's lead has not
    lea = actor_of(handed_over, "lea")
    md = render(handed_over, "md", actor=lea, clock=FIXED)
    awaiting = section(md, "## Awaiting sign-off (1)", "## Not applicable")
    assert (
        "| `handoff/runbook` | Runbook delivered | api | api: https://wiki.example/api/runbook "
        "| pete | 1 of 2 signed; missing client-lead | 2026-11-24 09:00 |"
    ) in awaiting
    assert "handoff/runbook" not in section(md, "## Sign-off record", "## ")
    html = render(handed_over, "html", actor=lea, clock=FIXED)
    awaiting = plain(section(html, "<h2>Awaiting sign-off (1)</h2>", "<h2>Not applicable"))
    assert "Runbook delivered handoff/runbook" in awaiting
    assert EVIDENCE in awaiting and "1 of 2 signed; missing client-lead" in awaiting


def test_the_record_names_every_party_who_signed(handed_over: Store) -> None:
    sign(handed_over, "pia", 10)
    sign(handed_over, "lea", 11)
    lea = actor_of(handed_over, "lea")
    both = "pia as provider-lead, 2026-11-24 10:00 and lea as client-lead, 2026-11-24 11:00"
    md = render(handed_over, "md", actor=lea, clock=FIXED)
    assert "## Awaiting sign-off (0)" in md
    record = section(md, "## Sign-off record (1)", "## ")
    assert f"| `handoff/runbook` | Runbook delivered | api | the system | {both} |" in record
    html = render(handed_over, "html", actor=lea, clock=FIXED)
    assert both in plain(section(html, "<h2>Sign-off record (1)</h2>", "</table>"))


def test_the_csv_lists_signatures_in_the_order_given(handed_over: Store) -> None:
    """provider-lead signed first: the CSV says so, as the JSON does (alphabetical order,
    which SQLite's index hands back, would put client-lead first)."""
    import csv
    import io
    import json

    sign(handed_over, "pia", 10)
    sign(handed_over, "lea", 11)
    lea = actor_of(handed_over, "lea")
    rows = list(csv.DictReader(io.StringIO(render(handed_over, "csv", actor=lea, clock=FIXED))))
    runbook = next(r for r in rows if r["ref"] == "handoff/runbook")
    assert [s.split(":", 1)[0] for s in runbook["signatures"].split("; ")] == [
        "provider-lead",
        "client-lead",
    ], runbook["signatures"]
    items = json.loads(render(handed_over, "json", actor=lea, clock=FIXED))["items"]
    item = next(i for i in items if i["ref"] == "handoff/runbook")
    assert [s["party"] for s in item["signatures"]] == ["provider-lead", "client-lead"]


def entry(system: str, signing: str) -> Entry:
    return Entry(None, system, "pete", None, None, None, None, None, (), signing)


def test_a_folded_line_says_how_far_each_system_is() -> None:
    line = Folded(
        ref="handoff/runbook",
        title="Runbook delivered",
        stage=None,
        count=3,
        weight=3,
        due=None,
        overdue=0,
        states={"done": 3},
        names=[],
        members=0,
        system_names=["api", "web", "db"],
        systems=3,
        entries=[
            entry("api", "1 of 2 signed; missing client-lead"),
            entry("web", "0 of 2 signed; missing provider-lead, client-lead"),
            entry("db", "1 of 2 signed; missing client-lead"),
        ],
    )
    assert line.signing_text == (
        "1 of 2 signed; missing client-lead (api, db); "
        "0 of 2 signed; missing provider-lead, client-lead (web)"
    )
    same = Folded(**{**vars(line), "entries": [line.entries[0], line.entries[2]], "count": 2})
    assert same.signing_text == "1 of 2 signed; missing client-lead"
