"""Format 1 keeps its meaning: the frozen format-1 sample syncs to the figures the previous
release (eb74c72, schema 2) gave after the same eight actions, and a store that release
wrote upgrades to schema 3 with every state and event kept, and verifies."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from kt_tui.core import readiness, verify
from kt_tui.core.actions import act, resolve_ref
from kt_tui.core.clock import Clock
from kt_tui.core.identity import resolve_actor
from kt_tui.core.models import SCHEMA_VERSION
from kt_tui.core.store import Store, open_store
from kt_tui.core.sync import sync
from tests.helpers import FORMAT1

FIXTURES = Path(__file__).with_name("fixtures")
# the sample synced, then ACTIONS, by eb74c72: its SQL dump (text, reviewable in git)
STORE_V2 = FIXTURES / "store_v2.sql"
STATUS_V2 = FIXTURES / "store_v2.status.json"  # its `status --json`, the same day
WRITTEN = date(2026, 11, 26)  # the day both were written (overdue depends on it)
CLOCK = Clock.fixed(datetime(2026, 11, 26, 22, 30, tzinfo=UTC), WRITTEN)
# The keys schema 3 adds to `status --json`; everything else must be equal.
NEW_KEYS = {"handover_items", "side", "blocked", "lapsed", "awaiting"}

# (actor, verb, ref, member, system, texts): the seven actions after the sync, as the
# store's own event log holds them.
ACTIONS: list[tuple[str, str, str, str | None, str | None, dict[str, str]]] = [
    ("ben", "done", "onboarding/repo-access", "ben", None, {"note": "got it"}),
    ("ben", "done", "onboarding/vpn-access", "ben", None, {}),
    ("ben", "block", "onboarding/ticketing", "ben", None, {"reason": "waiting on IT"}),
    ("asha", "na", "onboarding/on-call-tool", "chloe", None, {"reason": "not on call"}),
    ("asha", "done", "system-docs/architecture", None, "orders", {"evidence": "https://wiki/arch"}),
    ("tomas", "signoff", "system-docs/architecture", None, "orders", {}),
    ("ben", "evidence", "onboarding/vpn-access", "ben", None, {"text": "VPN-123"}),
]


def without_new_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_new_keys(v) for k, v in value.items() if k not in NEW_KEYS}
    if isinstance(value, list):
        return [without_new_keys(v) for v in value]
    return value


def status_json(store: Store) -> dict[str, Any]:
    with store.read() as conn:
        st = readiness.status(store, conn, WRITTEN)
    assert st is not None
    return json.loads(json.dumps(st.to_json()))  # as `status --json` prints it


def test_format1_fixture_syncs_to_the_previous_releases_figures(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "kt.db"))
    try:
        sync(store, FORMAT1, actor="root", login="root", clock=CLOCK)
        for handle, verb, ref, member, system, texts in ACTIONS:
            with store.read() as conn:
                who = resolve_actor(store, conn, handle)
                iid = resolve_ref(conn, ref, who, member=member, system=system)
            act(store, who, verb, iid, clock=CLOCK, **texts)
        ours = status_json(store)
    finally:
        store.dispose()
    expected = json.loads(STATUS_V2.read_text(encoding="utf-8"))
    assert without_new_keys(ours) == expected
    assert ours["handover_items"]["items"] == 0  # format 1 has no handover-scope item
    assert {m["side"] for m in ours["members"]} == {"client"}


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


INSTANCES = "SELECT id, state, done_by, done_at, evidence, note FROM instance ORDER BY id"
EVENTS = "SELECT id, at, actor, verb, instance_id, before, after, hash FROM event ORDER BY id"


def store_v2(db: Path) -> Path:
    """The previous release's store, as a file again (from its dump)."""
    with sqlite3.connect(db) as conn:
        conn.executescript(STORE_V2.read_text(encoding="utf-8"))
    return db


def test_store_of_the_previous_release_upgrades_with_everything_kept(tmp_path: Path) -> None:
    db = store_v2(tmp_path / "old.db")
    assert rows(db, "SELECT value FROM meta WHERE key = 'schema_version'") == [("2",)]
    states, events = rows(db, INSTANCES), rows(db, EVENTS)
    assert len(states) == 317 and len(events) == 8
    store = open_store(str(db))
    try:
        with store.read() as conn:
            assert store.meta(conn)["schema_version"] == str(SCHEMA_VERSION)
            result = verify.verify(conn)
            assert result.ok, result
        ours = status_json(store)
    finally:
        store.dispose()
    assert rows(db, INSTANCES) == states and rows(db, EVENTS) == events
    assert without_new_keys(ours) == json.loads(STATUS_V2.read_text(encoding="utf-8"))
    # the one signed-off item kept its signature, as the lead party
    signed = rows(db, "SELECT party, by FROM signature")
    assert signed == [("lead", "tomas")]


def test_an_upgraded_store_still_tells_an_edit_of_what_its_last_sync_recorded(
    tmp_path: Path,
) -> None:
    db = store_v2(tmp_path / "old.db")
    open_store(str(db)).dispose()  # upgraded
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE member SET name = 'Mallory' WHERE handle = 'ben'")
    store = open_store(str(db))
    try:
        with store.read() as conn:
            result = verify.verify(conn)
    finally:
        store.dispose()
    assert not result.ok
    assert "name is 'Mallory', the log says 'Ben Carter'" in (result.problem or "")
