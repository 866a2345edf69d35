"""after: an item waits on its prerequisites; done is refused while it waits."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, select

from kt_tui.core import actions, rules
from kt_tui.core.clock import Clock
from kt_tui.core.errors import Refused
from kt_tui.core.filters import parse_filter
from kt_tui.core.instances import get_instance, list_instances
from kt_tui.core.store import Store
from kt_tui.core.sync import sync
from kt_tui.core.tables import INSTANCE
from kt_tui.core.verify import verify
from kt_tui.core.waiting import Gate, waiting_on
from tests.conftest import actor_of
from tests.helpers import DOCS, KT, ONBOARD, write_tiny


def gates(conn: Connection, instance_id: int, today: date) -> list[Gate]:
    """What one instance waits on, its item's prerequisites read from its row."""
    row = get_instance(conn, instance_id, today, waiting=False)
    assert row is not None
    return waiting_on(conn, row.after, row.member_id, row.system_id, today)


DAY0 = Clock.fixed(datetime(2026, 11, 25, 9, 0, tzinfo=UTC), date(2026, 11, 25))
TODAY = DAY0.today()
KT_AFTER = KT.replace("weight = 3\n", 'weight = 3\nafter = ["read"]\n')
ONBOARD_AFTER = ONBOARD.replace('due = "T-100d"', 'due = "T-100d"\nafter = ["docs/runbook"]')
DOCS_LAPSING = DOCS.replace("weight = 2\n", 'weight = 2\nvalid_for = "1w"\n', 1)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_tiny(tmp_path / "waiting", kt=KT_AFTER, onboard=ONBOARD_AFTER, docs=DOCS_LAPSING)


@pytest.fixture
def waiting(store: Store, folder: Path) -> Store:
    sync(store, folder, actor="setup", login="setup", clock=DAY0)
    return store


def do(store: Store, who: str, verb: str, ref: str, clock: Clock = DAY0, **kw: str | None) -> None:
    member, system = kw.pop("member", None), kw.pop("system", None)
    actor = actor_of(store, who)
    with store.read() as conn:
        iid = actions.resolve_ref(conn, ref, actor, member, system)
    actions.act(store, actor, verb, iid, clock=clock, **kw)


def listed(store: Store, words: str, today: date = TODAY) -> list[str]:
    with store.read() as conn:
        return [r.label for r in list_instances(conn, parse_filter(words), None, today)]


def test_done_is_refused_while_waiting_naming_what_it_waits_on(waiting: Store) -> None:
    with pytest.raises(Refused, match=r"waits on kt/read \(eve, api\): todo"):
        do(waiting, "eve", "done", "kt/shadow", system="api")
    do(waiting, "eve", "done", "kt/read", system="api")
    with pytest.raises(Refused, match=r"waits on kt/read \(eve, api\): done"):
        do(waiting, "eve", "done", "kt/shadow", system="api")  # done is not complete yet
    do(waiting, "lea", "signoff", "kt/read", member="eve", system="api")
    do(waiting, "eve", "done", "kt/shadow", system="api")
    # the same item on eve's other system still waits on that system's read
    with pytest.raises(Refused, match=r"kt/read \(eve, db\): todo"):
        do(waiting, "eve", "done", "kt/shadow", system="db")


def test_scopes_sharing_no_binding_wait_on_every_instance(waiting: Store) -> None:
    # onboard/access (member) after docs/runbook (system): every runbook gates it
    with waiting.read() as conn:
        iid = actions.resolve_ref(conn, "onboard/access", actor_of(waiting, "eve"), "eve")
        found = gates(conn, iid, TODAY)
    assert [g.label for g in found] == ["docs/runbook (api): todo", "docs/runbook (db): todo"]
    do(waiting, "lou", "na", "docs/runbook", system="api", reason="no runbook here")
    do(waiting, "eve", "done", "docs/runbook", system="db")
    do(waiting, "lea", "signoff", "docs/runbook", system="db")
    do(waiting, "eve", "done", "onboard/access")  # n/a and complete: nothing to wait on
    # the runbook's sign-off lapses a week later: lea's access now waits on it again
    later = Clock.fixed(datetime(2026, 12, 3, 9, 0, tzinfo=UTC), date(2026, 12, 3))
    with pytest.raises(Refused, match=r"docs/runbook \(db\): lapsed"):
        do(waiting, "lea", "done", "onboard/access", later, member="lea")


def test_waiting_filter_and_rows(waiting: Store) -> None:
    shown = listed(waiting, "waiting")
    assert "kt/shadow --member eve --system api" in shown
    assert "onboard/access --member lou" in shown
    assert not any(s.startswith("kt/read") for s in shown)
    with waiting.read() as conn:
        rows = list_instances(conn, parse_filter("template:kt"), None, TODAY)
    shadow = next(r for r in rows if r.item == "shadow")
    assert (shadow.waiting_on, shadow.shown_state) == (["kt/read"], "waiting")
    assert shadow.to_json()["waiting_on"] == ["kt/read"]
    read = next(r for r in rows if r.item == "read")
    assert (read.waiting_on, read.shown_state, read.to_json()["lapsed"]) == ([], "todo", False)


def test_sql_and_python_forms_agree_as_states_move(waiting: Store) -> None:
    def agree(today: date) -> None:
        with waiting.read() as conn:
            flagged = {
                iid
                for (iid,) in conn.execute(select(INSTANCE.c.id).where(rules.waiting_sql(today)))
            }
            ids = [i for (i,) in conn.execute(select(INSTANCE.c.id))]
            by_python = {i for i in ids if gates(conn, i, today)}
        assert flagged == by_python
        assert flagged  # the check compares something

    agree(TODAY)
    do(waiting, "eve", "done", "kt/read", system="api")
    do(waiting, "lea", "signoff", "kt/read", member="eve", system="api")
    do(waiting, "eve", "done", "docs/runbook", system="db")
    do(waiting, "lea", "signoff", "docs/runbook", system="db")
    do(waiting, "lou", "na", "docs/runbook", system="api", reason="none")
    agree(TODAY)
    agree(date(2026, 12, 3))  # the runbook's completion has lapsed
    with waiting.read() as conn:
        assert verify(conn).ok


def test_retired_prerequisites_do_not_gate(waiting: Store, folder: Path) -> None:
    # eve leaves api: her api instances retire; lou's onboarding waits on db's only
    team = (folder / "team.toml").read_text()
    (folder / "team.toml").write_text(team.replace('systems = ["api", "db"]', 'systems = ["db"]'))
    sync(waiting, folder, actor="lea", login="lea", clock=DAY0)
    with waiting.read() as conn:
        iid = actions.resolve_ref(conn, "onboard/access", actor_of(waiting, "lou"), "lou")
        assert [g.ref for g in gates(conn, iid, TODAY)] == ["docs/runbook", "docs/runbook"]
    do(waiting, "lou", "na", "docs/runbook", system="db", reason="gone")
    do(waiting, "lou", "na", "docs/runbook", system="api", reason="gone")
    do(waiting, "lou", "done", "onboard/access")


def test_the_plan_counts_the_open_items_a_new_after_makes_wait_and_frees(
    store: Store, tmp_path: Path
) -> None:
    """A lead adding a prerequisite sees, before the sync, how many open items will wait
    (and removing it, how many stop waiting); the counts match what the listing's
    waiting filter shows once it is applied."""
    root = write_tiny(tmp_path / "plain")
    sync(store, root, actor="setup", login="setup", clock=DAY0)
    do(store, "eve", "done", "kt/read", system="api")
    do(store, "lea", "signoff", "kt/read", member="eve", system="api")  # eve@api's is complete
    do(store, "eve", "done", "kt/shadow", system="db")  # done: waits on nothing
    open_shadows = len(listed(store, "template:kt open"))
    assert not listed(store, "waiting")

    write_tiny(root, kt=KT_AFTER)
    dry = sync(store, root, actor="setup", login="setup", clock=DAY0, dry_run=True)
    kt = dry.plan.template("kt")
    # of the shadows still to do (lea@api, eve@api) lea's waits: eve's read is signed
    # off; eve@db's shadow is done already, nothing it may not do
    assert (kt.waiting, kt.unwaiting) == (1, 0)
    assert kt.summary()["waiting_by_new_after"] == 1
    from kt_tui.core.sync import describe

    assert "template kt: 1 open item waiting under the new after" in describe(dry.plan)
    sync(store, root, actor="setup", login="setup", clock=DAY0)
    assert listed(store, "waiting state:todo") == ["kt/shadow --member lea --system api"]
    assert len(listed(store, "template:kt open")) == open_shadows

    write_tiny(root, kt=KT)  # the prerequisite dropped again
    back = sync(store, root, actor="setup", login="setup", clock=DAY0)
    assert back.plan.template("kt").unwaiting == kt.waiting
    assert back.plan.template("kt").waiting == 0
    assert not listed(store, "waiting")


def test_the_plan_counts_items_freed_when_their_prerequisite_is_removed_with_its_after(
    store: Store, tmp_path: Path
) -> None:
    """Removing the prerequisite item and the after that named it frees every open
    shadow: the plan says how many (it judged the old after over the instances the
    sync keeps, where a retired prerequisite holds nothing, and saw no change)."""
    root = write_tiny(tmp_path / "plain", kt=KT_AFTER)
    sync(store, root, actor="setup", login="setup", clock=DAY0)
    held = listed(store, "waiting state:todo")
    assert held
    without_read = KT.replace(
        '[[items]]\nkey = "read"\ntitle = "Read the docs"\nstage = "documented"\n\n', ""
    )
    assert "read" not in without_read
    write_tiny(root, kt=without_read)
    plan = sync(store, root, actor="setup", login="setup", clock=DAY0).plan
    assert (plan.template("kt").waiting, plan.template("kt").unwaiting) == (0, len(held))
    assert not listed(store, "waiting")
