"""Blockers: which items wait on a blocked item, not only how many."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from kt_tui.core import actions
from kt_tui.core.blockers import Blocker, blockers
from kt_tui.core.clock import Clock
from kt_tui.core.store import Store
from kt_tui.core.sync import sync
from tests.conftest import actor_of
from tests.helpers import KT, ONBOARD, write_tiny

DAY0 = Clock.fixed(datetime(2026, 11, 25, 9, 0, tzinfo=UTC), date(2026, 11, 25))
# kt/shadow waits on kt/read of the same member and system; onboard/access (a member
# item) on every kt/read of its member
KT_AFTER = KT.replace("weight = 3\n", 'weight = 3\nafter = ["read"]\n')
ONBOARD_AFTER = ONBOARD.replace('due = "T-100d"', 'due = "T-100d"\nafter = ["kt/read"]')


def do(store: Store, who: str, verb: str, ref: str, **kw: str | None) -> None:
    member, system = kw.pop("member", None), kw.pop("system", None)
    actor = actor_of(store, who)
    with store.read() as conn:
        iid = actions.resolve_ref(conn, ref, actor, member, system)
    actions.act(store, actor, verb, iid, clock=DAY0, **kw)


def found(store: Store) -> list[Blocker]:
    with store.read() as conn:
        return blockers(conn, DAY0.today())


def test_a_blocker_names_the_items_that_wait_on_it(store: Store, tmp_path: Path) -> None:
    folder = write_tiny(tmp_path / "tiny", kt=KT_AFTER, onboard=ONBOARD_AFTER)
    sync(store, folder, actor="setup", login="setup", clock=DAY0)
    do(store, "eve", "block", "kt/read", member="eve", system="api", reason="no VPN")

    (b,) = found(store)
    assert (b.ref, b.member, b.system) == ("kt/read", "eve", "api")
    # eve's shadow on api (same bindings) and eve's onboarding (it shares her); lou
    # has no kt/read of his own, so every kt/read gates his; lea's shadow on api waits
    # on lea's read, not on this one
    waits = ["kt/shadow (eve, api)", "onboard/access (eve)", "onboard/access (lou)"]
    assert b.waiting_on_it == waits and b.waiting == 3
    assert b.to_json()["waiting_on_it"] == waits and b.to_json()["waiting"] == 3

    # an item that no longer counts (n/a) no longer waits
    do(store, "lea", "na", "onboard/access", member="eve", reason="has access already")
    (b,) = found(store)
    assert b.waiting_on_it == ["kt/shadow (eve, api)", "onboard/access (lou)"]
    assert b.waiting == 2


def test_a_blocker_nothing_waits_on_lists_nothing(store: Store, tmp_path: Path) -> None:
    sync(store, write_tiny(tmp_path / "tiny"), actor="setup", login="setup", clock=DAY0)
    do(store, "eve", "block", "kt/read", member="eve", system="db", reason="later")
    (b,) = found(store)
    assert b.waiting_on_it == [] and b.waiting == 0
    assert b.to_json()["waiting_on_it"] == []
