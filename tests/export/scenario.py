"""A scripted handover on the frozen format-1 sample (tests/fixtures/format1), a fixed
clock per action.

Every event's time and login are fixed, so the event chain (and its head) is
the same on every machine: golden files can hold it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from kt_tui.core.actions import act, resolve_ref
from kt_tui.core.clock import Clock
from kt_tui.core.identity import Actor, resolve_actor
from kt_tui.core.store import Store, open_store
from kt_tui.core.sync import sync
from tests.helpers import FORMAT1

LOGIN = "tester"
TODAY = date(2026, 11, 25)
NOW = Clock.fixed(datetime(2026, 11, 25, 9, 30, tzinfo=UTC), TODAY)
SINCE = date(2026, 11, 20)
MEMBERS = ("asha", "tomas", "ben", "chloe", "dev", "elif", "femi")


def at(day: int, hour: int = 10) -> Clock:
    when = datetime(2026, 11, day, hour, 0, tzinfo=UTC)
    return Clock.fixed(when, when.date())


def actor(store: Store, handle: str) -> Actor:
    with store.read() as conn:
        return replace(resolve_actor(store, conn, handle), login=LOGIN)


def do(
    store: Store,
    handle: str,
    verb: str,
    ref: str,
    clock: Clock,
    *,
    member: str | None = None,
    system: str | None = None,
    **kw: str,
) -> None:
    who = actor(store, handle)
    with store.read() as conn:
        iid = resolve_ref(conn, ref, who, member=member, system=system)
    act(store, who, verb, iid, clock=clock, **kw)


def build(path: Path) -> Store:
    """The sample, synced on 1 Nov 2026, then three weeks of work."""
    store = open_store(str(path))
    sync(store, FORMAT1, actor="setup", login=LOGIN, clock=at(1, 8))
    for i, m in enumerate(MEMBERS):
        do(store, m, "done", "onboarding/repo-access", at(2, 9 + i))
        do(store, m, "done", "onboarding/vpn-access", at(3, 9 + i))
        if m not in ("femi", "dev"):
            do(store, m, "done", "onboarding/ticketing", at(5 + i, 11))
    ev = {"evidence": "https://wiki.example/orders/notes"}
    do(store, "ben", "done", "system-kt/read-docs", at(10), system="orders", **ev)
    do(store, "asha", "signoff", "system-kt/read-docs", at(11), member="ben", system="orders")
    do(store, "chloe", "done", "system-kt/read-docs", at(12), system="orders", **ev)
    do(store, "tomas", "signoff", "system-kt/read-docs", at(13), member="chloe", system="orders")
    do(
        store,
        "dev",
        "done",
        "system-docs/architecture",
        at(14),
        system="orders",
        evidence="DOC-42",
    )
    do(store, "tomas", "signoff", "system-docs/architecture", at(15), system="orders")
    do(
        store,
        "elif",
        "done",
        "system-kt/read-docs",
        at(18),
        system="billing",
        evidence="https://wiki.example/billing_notes",
    )
    do(
        store,
        "asha",
        "na",
        "onboarding/on-call-tool",
        at(19),
        member="femi",
        reason="Femi is already on the *PagerDuty* rota | since 2025",
    )
    do(
        store,
        "ben",
        "block",
        "system-kt/teach-back",
        at(20),
        system="orders",
        reason="waiting for the architecture review <ARCH-7>",
    )
    do(
        store,
        "tomas",
        "reopen",
        "system-kt/read-docs",
        at(21),
        member="chloe",
        system="orders",
        note="evidence link is broken",
    )
    do(store, "femi", "done", "training/security-briefing", at(22))
    do(store, "ben", "done", "onboarding/on-call-tool", at(22, 14), evidence="OPS-12")
    do(store, "chloe", "done", "onboarding/on-call-tool", at(23), evidence="OPS-13")
    do(store, "asha", "signoff", "onboarding/on-call-tool", at(24), member="ben")
    do(store, "dev", "done", "onboarding/ticketing", at(24, 15))
    return store
