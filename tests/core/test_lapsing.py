"""valid_for: a completion lapses; figures as the days pass, done again, verify."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kt_tui.core import actions, readiness, rollup
from kt_tui.core.clock import Clock
from kt_tui.core.errors import Refused
from kt_tui.core.filters import parse_filter
from kt_tui.core.instances import list_instances
from kt_tui.core.store import Store
from kt_tui.core.sync import sync
from kt_tui.core.tables import INSTANCE, SIGNATURE
from kt_tui.core.verify import verify
from tests.conftest import actor_of
from tests.helpers import DOCS, ONBOARD, write_tiny

DAY0 = Clock.fixed(datetime(2026, 11, 25, 9, 0, tzinfo=UTC), date(2026, 11, 25))


def on(day: date) -> Clock:
    return Clock.fixed(datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC), day)


@pytest.fixture
def lapsing(store: Store, tmp_path: Path) -> Store:
    folder = write_tiny(
        tmp_path / "lapsing",
        onboard=ONBOARD.replace('due = "T-100d"', 'due = "T-100d"\nvalid_for = "30d"'),
        docs=DOCS.replace("weight = 2\n", 'weight = 2\nvalid_for = "2w"\n', 1),
    )
    sync(store, folder, actor="setup", login="setup", clock=DAY0)
    return store


def do(store: Store, who: str, verb: str, ref: str, clock: Clock, **kw: str | None) -> None:
    member, system = kw.pop("member", None), kw.pop("system", None)
    actor = actor_of(store, who)
    with store.read() as conn:
        iid = actions.resolve_ref(conn, ref, actor, member, system)
    actions.act(store, actor, verb, iid, clock=clock, **kw)


def status(store: Store, today: date) -> readiness.Status:
    with store.read() as conn:
        st = readiness.status(store, conn, today)
    assert st is not None
    return st


def eve(st: readiness.Status) -> readiness.Figures:
    return next(m.figures for m in st.members if m.handle == "eve")


def listed(store: Store, words: str, today: date) -> list[str]:
    with store.read() as conn:
        rows = list_instances(conn, parse_filter(words), None, today)
    return [r.label for r in rows]


def test_a_completion_lapses_after_valid_for(lapsing: Store) -> None:
    do(lapsing, "eve", "done", "onboard/access", DAY0)
    with lapsing.read() as conn:
        lapse = conn.execute(
            select(INSTANCE.c.lapses_on).where(INSTANCE.c.lapses_on.is_not(None))
        ).scalar()
    assert lapse == date(2026, 12, 25)  # the day it became complete + 30 days
    held = status(lapsing, date(2026, 12, 25))
    assert (eve(held).complete, eve(held).lapsed) == (1, 0)
    gone = status(lapsing, date(2026, 12, 26))
    assert (eve(gone).complete, eve(gone).lapsed) == (0, 1)
    # its due date (T-100d) is long past: a lapsed item is overdue again
    assert eve(gone).overdue == eve(held).overdue + 1
    assert gone.overall.lapsed == 1
    assert gone.overall.readiness is not None and held.overall.readiness is not None
    assert gone.overall.readiness < held.overall.readiness
    assert listed(lapsing, "lapsed", date(2026, 12, 26)) == ["onboard/access --member eve"]
    assert listed(lapsing, "lapsed", date(2026, 12, 25)) == []
    assert "onboard/access --member eve" in listed(lapsing, "overdue", date(2026, 12, 26))


def test_figures_of_one_action_agree_with_the_dashboard(lapsing: Store) -> None:
    do(lapsing, "eve", "done", "onboard/access", DAY0)
    later = date(2027, 1, 5)
    with lapsing.read() as conn:
        got = readiness.affected(lapsing, conn, later, actor_of(lapsing, "eve").member_id, None)
    st = status(lapsing, later)
    assert got.overall == st.overall
    assert got.member == eve(st)


def test_signed_off_lapses_out_of_progress_and_level(lapsing: Store) -> None:
    do(lapsing, "eve", "done", "docs/runbook", DAY0, system="db")
    do(lapsing, "lea", "signoff", "docs/runbook", DAY0, system="db")
    do(lapsing, "eve", "done", "kt/read", DAY0, system="db")  # db's other documented item
    do(lapsing, "lea", "signoff", "kt/read", DAY0, member="eve", system="db")
    db = next(s for s in status(lapsing, date(2026, 12, 9)).systems if s.key == "db")
    assert db.figures.level == "documented"
    lapsed = next(s for s in status(lapsing, date(2026, 12, 10)).systems if s.key == "db")
    assert lapsed.figures.level is None
    assert lapsed.figures.lapsed == 1
    assert (lapsed.figures.progress or 0) < (db.figures.progress or 0)


def test_done_again_once_lapsed_drops_signatures(lapsing: Store) -> None:
    do(lapsing, "eve", "done", "docs/runbook", DAY0, system="db")
    do(lapsing, "lea", "signoff", "docs/runbook", DAY0, system="db")
    with lapsing.read() as conn:  # the sign-off wrote the lead party's signature
        iid = conn.execute(
            select(INSTANCE.c.id).where(INSTANCE.c.state == "signed_off")
        ).scalar_one()
        assert conn.execute(select(func.count()).select_from(SIGNATURE)).scalar() == 1
    with pytest.raises(Refused, match="Wrong state: "):  # still valid: no done again
        do(lapsing, "eve", "done", "docs/runbook", on(date(2026, 12, 9)), system="db")
    later = on(date(2026, 12, 10))
    do(lapsing, "eve", "done", "docs/runbook", later, system="db")
    with lapsing.read() as conn:
        row = conn.execute(select(INSTANCE).where(INSTANCE.c.id == iid)).mappings().one()
        signatures = conn.execute(select(func.count()).select_from(SIGNATURE)).scalar()
    assert (row["state"], row["signed_off_by"], row["lapses_on"], signatures) == (
        "done",
        None,
        None,
        0,
    )
    assert listed(lapsing, "lapsed", date(2026, 12, 10)) == []
    with lapsing.read() as conn:
        assert verify(conn).ok, verify(conn).problem
        assert rollup.recount_difference(conn) == ""


def test_done_again_on_a_lapsed_done_item_moves_its_lapse_day(lapsing: Store) -> None:
    do(lapsing, "eve", "done", "onboard/access", DAY0)
    do(lapsing, "eve", "done", "onboard/access", on(date(2027, 1, 2)))
    st = status(lapsing, date(2027, 1, 2))
    assert (eve(st).complete, eve(st).lapsed) == (1, 0)
    with lapsing.read() as conn:
        lapse = conn.execute(
            select(INSTANCE.c.lapses_on).where(INSTANCE.c.lapses_on.is_not(None))
        ).scalar()
        assert verify(conn).ok
    assert lapse == date(2027, 2, 1)


def test_undo_and_reopen_clear_the_lapse_day(lapsing: Store) -> None:
    do(lapsing, "eve", "done", "onboard/access", DAY0)
    do(lapsing, "eve", "undo", "onboard/access", DAY0)
    do(lapsing, "eve", "done", "docs/runbook", DAY0, system="db")
    do(lapsing, "lea", "signoff", "docs/runbook", DAY0, system="db")
    do(lapsing, "lou", "reopen", "docs/runbook", DAY0, system="db")
    with lapsing.read() as conn:
        kept = conn.execute(select(func.count()).where(INSTANCE.c.lapses_on.is_not(None)))
        assert kept.scalar() == 0
        assert rollup.recount_difference(conn) == ""
        assert verify(conn).ok


def test_sync_adding_valid_for_sets_the_lapse_day_and_verify_holds(
    store: Store, tmp_path: Path
) -> None:
    folder = write_tiny(tmp_path / "t")
    sync(store, folder, actor="setup", login="setup", clock=DAY0)
    do(store, "eve", "done", "onboard/access", DAY0)
    write_tiny(
        folder, onboard=ONBOARD.replace('due = "T-100d"', 'due = "T-100d"\nvalid_for = "1w"')
    )
    sync(store, folder, actor="lea", login="lea", clock=DAY0)
    assert eve(status(store, date(2026, 12, 3))).lapsed == 1
    with store.read() as conn:
        assert verify(conn).ok, verify(conn).problem


def test_verify_names_a_forged_lapse_day_and_counter(lapsing: Store) -> None:
    do(lapsing, "eve", "done", "onboard/access", DAY0)
    with lapsing.write() as conn:
        conn.execute(
            INSTANCE.update()
            .values(lapses_on=date(2030, 1, 1))
            .where(INSTANCE.c.lapses_on.is_not(None))
        )
    with lapsing.read() as conn:
        result = verify(conn)
    assert not result.ok and "lapses_on" in result.problem


def test_the_burn_up_drops_a_completion_on_the_day_it_lapses_and_counts_it_again_when_redone(
    lapsing: Store,
) -> None:
    """30-day validity: complete on Nov 25 (lapses on Dec 25), out of the burn-up from Dec
    26, back when done again on Jan 2; the last point is the dashboard's readiness."""
    from kt_tui.core.burnup import burn_up

    do(lapsing, "eve", "done", "onboard/access", DAY0)

    def weights(today: date) -> dict[date, int]:
        with lapsing.read() as conn:
            points = burn_up(conn, today)
        last = points[-1]
        assert last.readiness == status(lapsing, today).overall.readiness
        return {p.day: p.complete_weight for p in points}

    held = weights(date(2026, 12, 31))
    w = held[date(2026, 11, 25)]
    assert w > 0 and held[date(2026, 12, 25)] == w
    assert held[date(2026, 12, 26)] == held[date(2026, 12, 31)] == 0
    do(lapsing, "eve", "done", "onboard/access", on(date(2027, 1, 2)))
    again = weights(date(2027, 1, 3))
    assert again[date(2027, 1, 1)] == 0 and again[date(2027, 1, 2)] == again[date(2027, 1, 3)] == w


def test_the_burn_up_of_a_signed_item_lapses_from_its_sign_off(lapsing: Store) -> None:
    """2-week validity on a signed item: counted from its sign-off, out 15 days later."""
    from kt_tui.core.burnup import burn_up

    do(lapsing, "eve", "done", "docs/runbook", DAY0, system="db")
    do(lapsing, "lea", "signoff", "docs/runbook", on(date(2026, 11, 26)), system="db")
    today = date(2026, 12, 12)
    with lapsing.read() as conn:
        points = {p.day: p.complete_weight for p in burn_up(conn, today)}
    assert points[date(2026, 11, 25)] == 0
    assert points[date(2026, 11, 26)] == points[date(2026, 12, 10)] > 0
    assert points[date(2026, 12, 11)] == points[today] == 0
    assert status(lapsing, today).overall.lapsed == 1


def test_the_report_counts_a_lapsed_past_due_item_as_overdue_and_still_missing(
    lapsing: Store,
) -> None:
    """The report asks the same rule as the dashboard: a completion past valid_for and
    past its due date is overdue again, and listed as missing (marked lapsed)."""
    from kt_tui.export.report import build_report

    do(lapsing, "eve", "done", "onboard/access", DAY0)
    later = on(date(2027, 1, 5))  # 30 days of validity are over; due long past
    report = build_report(lapsing, actor="lea", clock=later)
    assert report.overdue_count == status(lapsing, later.today()).overall.overdue
    lapsed = [o for o in report.open_items if o.states.get("lapsed")]
    assert [o.ref for o in lapsed] == ["onboard/access"]
    assert any(o.ref == "onboard/access" for o in report.overdue)


def test_the_plan_counts_what_a_new_valid_for_lapses_or_brings_back(
    store: Store, tmp_path: Path
) -> None:
    """F9: a changed valid_for lapses completions (or makes them hold again) the moment
    it is synced: the plan says how many, before they leave the figures."""
    from kt_tui.core.sync import describe

    folder = tmp_path / "f"
    sync(store, write_tiny(folder), actor="setup", login="setup", clock=DAY0)
    do(store, "eve", "done", "onboard/access", DAY0)
    later = on(date(2027, 1, 10))

    def with_valid_for(days: str) -> Path:
        return write_tiny(
            folder,
            onboard=ONBOARD.replace('due = "T-100d"', f'due = "T-100d"\nvalid_for = "{days}"'),
        )

    dry = sync(
        store, with_valid_for("30d"), actor="setup", login="setup", clock=later, dry_run=True
    )
    assert (dry.plan.template("onboard").lapsed, dry.plan.template("onboard").unlapsed) == (1, 0)
    assert "1 completion lapsed by the new valid_for" in "\n".join(describe(dry.plan))
    sync(store, with_valid_for("30d"), actor="setup", login="setup", clock=later)
    assert eve(status(store, later.today())).lapsed == 1
    back = sync(store, with_valid_for("90d"), actor="setup", login="setup", clock=later)
    assert (back.plan.template("onboard").lapsed, back.plan.template("onboard").unlapsed) == (0, 1)
    assert eve(status(store, later.today())).lapsed == 0
    with store.read() as conn:
        assert verify(conn).ok


def test_done_again_on_a_lapsed_item_that_needs_evidence_needs_new_evidence(
    store: Store, tmp_path: Path
) -> None:
    """The last drill's change ticket is not proof of this one: done on a lapsed item
    with ``evidence = true`` asks for --evidence again (it took the stored one)."""
    folder = write_tiny(
        tmp_path / "drill",
        docs=DOCS.replace("evidence = true\n", 'evidence = true\nvalid_for = "30d"\n'),
    )
    sync(store, folder, actor="setup", login="setup", clock=DAY0)
    do(store, "eve", "done", "docs/dr", DAY0, system="api", evidence="CHG-1001")
    do(store, "lea", "signoff", "docs/dr", DAY0, system="api")
    later = on(date(2026, 12, 26))
    with pytest.raises(Refused, match="needs evidence of its own"):
        do(store, "eve", "done", "docs/dr", later, system="api")
    do(store, "eve", "done", "docs/dr", later, system="api", evidence="CHG-2002")
    with store.read() as conn:
        row = conn.execute(select(INSTANCE).where(INSTANCE.c.evidence.is_not(None))).mappings()
        assert [(r["state"], r["evidence"]) for r in row] == [("done", "CHG-2002")]
        assert verify(conn).ok
