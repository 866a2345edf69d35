"""An action and its figures in few statements (on PostgreSQL each is a round trip, and
issue 13 wants an action within 2x of SQLite's), with the same rules and figures."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, delete, event, func, select

from kt_tui.core import actions, readiness, rollup, rules, verify
from kt_tui.core.clock import Clock
from kt_tui.core.instances import InstanceRow
from kt_tui.core.store import Store, open_store
from kt_tui.core.tables import EVENT, ROLLUP, SIGNATURE
from tests import two_sides
from tests.conftest import _reset_pg, actor_of


@pytest.fixture
def two(store: Store, tmp_path: Path, clock: Clock) -> Store:
    return two_sides.synced(store, tmp_path / "two", clock)


def act(store: Store, clock: Clock, who: str, verb: str, ref: str, **kw: str) -> None:
    with store.read() as conn:
        target = actions.resolve_ref(conn, ref, actor_of(store, "lea"), None, "api", verb="x")
    actions.act(store, actor_of(store, who), verb, target, clock=clock, **kw)


def signatures(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(SIGNATURE)).scalar() or 0)


@contextmanager
def statements(store: Store) -> Iterator[list[str]]:
    """What the store is sent, a BEGIN included (on PostgreSQL each is a round trip; a
    COMMIT is one more, not counted)."""
    seen: list[str] = []

    def note(_c: object, _cur: object, sql: str, *_a: object) -> None:
        seen.append(sql.split("\n")[0][:80])

    event.listen(store.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", note)


def test_signatures_live_only_in_the_states_the_transitions_allow() -> None:
    """Derived from TRANSITIONS and DROPS_SIGNATURES: signoff leads to done or signed
    off, and na keeps a partial sign-off; todo and blocked are reached only by verbs
    that drop them."""
    assert {"done", "signed_off", "na"} == rules.STATES_WITH_SIGNATURES


def test_a_partial_sign_off_survives_na_and_goes_on_reopen(two: Store, clock: Clock) -> None:
    act(two, clock, "pete", "done", "handoff/walkthrough")
    act(two, clock, "eve", "signoff", "handoff/walkthrough")  # receiver: 1 of 2
    assert signatures(two) == 1
    act(two, clock, "lea", "na", "handoff/walkthrough", reason="the vendor runs it")
    assert signatures(two) == 1
    act(two, clock, "lea", "reopen", "handoff/walkthrough")
    assert signatures(two) == 0
    act(two, clock, "pete", "done", "handoff/walkthrough")
    act(two, clock, "eve", "signoff", "handoff/walkthrough")
    act(two, clock, "pete", "undo", "handoff/walkthrough")  # read, found, deleted
    assert signatures(two) == 0
    with two.read() as conn:
        assert verify.verify(conn).ok


def test_an_action_and_its_figures_take_few_statements(two: Store, clock: Clock) -> None:
    """done and undo of an item with no signature, and the figures it changed read in
    its transaction (as the checklist does): the BEGIN with the write lock, the target
    (and its signatures, when done: undo), the rights with the event chain's head and
    the settings, the update, one counter update, the event; then the counters (rows,
    overdue, lapsed) with the system's receivers. No signature delete where none can
    be, no read of prerequisites where the item has none. The figures are those a read
    of their own gives. (There were 14 round trips on PostgreSQL, the two BEGINs and
    COMMITs included; now 8.)"""
    with two.read() as conn:
        target = actions.resolve_ref(conn, "handoff/walkthrough", actor_of(two, "lea"), None, "api")

    def figures(conn: Connection, t: InstanceRow) -> readiness.Affected:
        return readiness.affected(two, conn, clock.today(), t.member_id, t.system_id)

    def read_apart() -> readiness.Affected:
        with two.read() as conn:
            return figures(conn, actions.load_target(conn, target, clock.today()))

    pete = actor_of(two, "pete")
    for verb in ("done", "undo"):
        before = read_apart()
        with statements(two) as seen:
            shown = actions.act(two, pete, verb, target, clock=clock, then=figures).shown
        assert seen[0].startswith("BEGIN"), seen
        assert not any("DELETE FROM signature" in s for s in seen), seen
        assert len(seen) <= (8 if verb == "undo" else 7), seen  # undo reads signatures
        assert shown == read_apart() != before  # the figures the write made
    with two.read() as conn:
        assert verify.verify(conn).ok


def test_a_counter_row_and_its_totals_move_together(store: Store) -> None:
    key = {"member_id": 5, "system_id": 0, "stage_idx": 1}

    def counts() -> dict[tuple[int, int, int], tuple[int, int]]:
        with store.read() as conn:
            rows = conn.execute(
                select(
                    ROLLUP.c.member_id,
                    ROLLUP.c.system_id,
                    ROLLUP.c.stage_idx,
                    ROLLUP.c["items"],
                    ROLLUP.c.weight,
                )
            )
            return {(m, s, st): (i, w) for m, s, st, i, w in rows}

    with store.write() as conn:
        conn.execute(delete(ROLLUP))
        rollup._bump_with_totals(conn, ROLLUP, key, {"items": 1, "weight": 2})  # both new
    assert counts() == {(5, 0, 1): (1, 2), (0, 0, 1): (1, 2)}
    with store.write() as conn:
        rollup._bump_with_totals(conn, ROLLUP, key, {"items": 1, "weight": 2})  # both there
    assert counts() == {(5, 0, 1): (2, 4), (0, 0, 1): (2, 4)}
    with store.write() as conn:
        conn.execute(delete(ROLLUP).where(ROLLUP.c.member_id == 0))
        rollup._bump_with_totals(conn, ROLLUP, key, {"items": -1, "weight": -2})  # one there
    assert counts() == {(5, 0, 1): (1, 2), (0, 0, 1): (-1, -2)}


def test_a_read_sees_one_snapshot(tiny: Store, clock: Clock) -> None:
    """The figures of one screen come from one moment: a write committed while a read
    is open does not show halfway through it (PostgreSQL: REPEATABLE READ)."""

    def events(conn: object) -> int:
        return int(conn.execute(select(func.count()).select_from(EVENT)).scalar() or 0)  # type: ignore[attr-defined]

    with tiny.read() as conn:
        before = events(conn)
        with tiny.read() as target_conn:
            target = actions.resolve_ref(target_conn, "kt/read", actor_of(tiny, "eve"), None, "api")
        actions.act(tiny, actor_of(tiny, "eve"), "done", target, clock=clock)
        assert events(conn) == before
    with tiny.read() as conn:
        assert events(conn) == before + 1


def test_writers_take_turns(store: Store) -> None:
    """A write waits for the one in progress (PostgreSQL: the advisory lock its BEGIN
    takes; SQLite: BEGIN IMMEDIATE), whether or not either has written yet."""
    order: list[str] = []
    inside = threading.Event()

    def first() -> None:
        with store.write(keyed=True):
            inside.set()
            time.sleep(0.3)
            order.append("first ends")

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(10)
    with store.write():
        order.append("second begins")
    thread.join()
    assert order == ["first ends", "second begins"]


def test_postgres_transactions_set_their_planner_options(pg_database: str) -> None:
    """Only a keyed write (an action) plans its statements once for all keys: a read
    after it on the same connection plans a listing's filter for its values again.
    (PostgreSQL's setting: SQLite's planner sees every statement's values.) No
    transaction of ours has JIT compiling its expressions."""
    _reset_pg(pg_database)
    store = open_store(pg_database)

    def mode(conn: Connection) -> str:
        return str(conn.exec_driver_sql("SHOW plan_cache_mode").scalar())

    def jit(conn: Connection) -> str:
        return str(conn.exec_driver_sql("SHOW jit").scalar())

    with store.write(keyed=True) as conn:
        assert mode(conn) == "force_generic_plan"
        assert jit(conn) == "off"
    with store.read() as conn:
        assert mode(conn) == "auto"
        assert jit(conn) == "off"  # a CSV export of 14 items spent 10 s in JIT compiling
    with store.write() as conn:
        assert mode(conn) == "auto"
        assert jit(conn) == "off"
    assert store.engine.pool.checkedin() == 1  # all three on one connection
    store.dispose()


def test_settings_are_read_once_a_transaction_and_never_kept_past_it(
    tiny: Store, clock: Clock
) -> None:
    """An action's figures take the settings its rights read carried; the next
    transaction on the same connection reads them again (a sync may have changed them)."""
    with tiny.read() as conn:
        target = actions.resolve_ref(conn, "kt/read", actor_of(tiny, "eve"), None, "api")
        assert tiny.settings(conn) is tiny.settings(conn)  # once
        with statements(tiny) as seen:
            tiny.settings(conn)
        assert seen == []
    with tiny.write() as conn:
        before = tiny.settings(conn)
        assert before is not None and before.ready_threshold != 0.5
        tiny.set_meta(conn, {"ready_threshold": "0.5"})
        held = tiny.settings(conn)
        assert held is not None and held.ready_threshold == 0.5  # not what it held before
    with tiny.read() as conn:
        now = tiny.settings(conn)
        assert now is not None and now.ready_threshold == 0.5
    with tiny.write() as conn:
        tiny.set_meta(conn, {"ready_threshold": "0.75"})

    def settings_read(conn: Connection, _t: InstanceRow) -> float:
        with statements(tiny) as seen:
            got = tiny.settings(conn)
        assert seen == [] and got is not None  # the rights read brought them
        return got.ready_threshold

    shown = actions.act(
        tiny, actor_of(tiny, "eve"), "done", target, clock=clock, then=settings_read
    ).shown
    assert shown == 0.75
