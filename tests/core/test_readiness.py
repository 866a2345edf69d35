"""The readiness arithmetic on the tiny fixture, computed by hand (tests/helpers.py)."""

from __future__ import annotations

from datetime import date

import pytest

from kt_tui.core import actions, readiness, rules
from kt_tui.core.clock import Clock
from kt_tui.core.store import Store
from tests.conftest import actor_of


def status(store: Store, today: date = date(2026, 11, 25)) -> readiness.Status:
    with store.read() as conn:
        st = readiness.status(store, conn, today)
    assert st is not None
    return st


def do(store: Store, who: str, verb: str, ref: str, clock: Clock, **kw: str | None) -> None:
    member, system = kw.pop("member", None), kw.pop("system", None)
    actor = actor_of(store, who)
    with store.read() as conn:
        iid = actions.resolve_ref(conn, ref, actor, member, system)
    actions.act(store, actor, verb, iid, clock=clock, **kw)


def member(st: readiness.Status, handle: str) -> readiness.Figures:
    return next(m.figures for m in st.members if m.handle == handle)


def system(st: readiness.Status, key: str) -> readiness.SystemStatus:
    return next(s for s in st.systems if s.key == key)


def test_fresh_figures(tiny: Store) -> None:
    st = status(tiny)
    assert st.overall == readiness.Figures(0.0, 0.0, 14, 0, 6, None)
    assert member(st, "eve") == readiness.Figures(0.0, 0.0, 5, 0, 3, None)
    assert member(st, "lou") == readiness.Figures(0.0, 0.0, 1, 0, 1, None)
    api = system(tiny_st := st, "api")
    assert (api.figures.items, api.figures.overdue, api.min_ready, api.can_transfer) == (
        7,
        2,
        1,
        False,
    )
    assert system(tiny_st, "db").figures.items == 4
    assert [(c.member, c.system) for c in st.cells] == [
        ("lea", "api"),
        ("eve", "api"),
        ("eve", "db"),
    ]


def test_done_counts_for_progress_signoff_for_readiness(tiny: Store, clock: Clock) -> None:
    do(tiny, "eve", "done", "kt/read", clock, system="api")
    st = status(tiny)
    assert member(st, "eve").progress == pytest.approx(1 / 9)
    assert member(st, "eve").readiness == 0.0
    do(tiny, "lea", "signoff", "kt/read", clock, member="eve", system="api")
    st = status(tiny)
    assert member(st, "eve").readiness == pytest.approx(1 / 9)
    cell = st.cell("eve", "api")
    assert cell is not None
    assert cell.figures.readiness == pytest.approx(1 / 4)
    assert cell.figures.level == "documented"
    assert member(st, "eve").level is None  # read@db not complete yet


def test_signoff_false_completes_on_done(tiny: Store, clock: Clock) -> None:
    do(tiny, "eve", "done", "onboard/access", clock)
    st = status(tiny)
    assert member(st, "eve").readiness == pytest.approx(1 / 9)
    assert member(st, "eve").complete == 1
    assert member(st, "eve").overdue == 2  # a complete item is not overdue


def test_na_leaves_every_figure(tiny: Store, clock: Clock) -> None:
    do(tiny, "lea", "na", "docs/dr", clock, system="api", reason="no DR for this API")
    st = status(tiny)
    assert system(st, "api").figures.items == 6
    assert st.overall.items == 13


def test_tiers_filter_generates_only_matching_systems(tiny: Store) -> None:
    with tiny.read() as conn:
        from kt_tui.core import filters, instances

        rows = instances.list_instances(
            conn, filters.parse_filter("template:docs"), None, date(2026, 11, 25)
        )
    assert sorted((r.item, r.system) for r in rows) == [
        ("dr", "api"),
        ("runbook", "api"),
        ("runbook", "db"),
        ("selfcheck", "api"),
        ("selfcheck", "db"),
    ]


def test_levels_ready_receivers_and_can_transfer(tiny: Store, clock: Clock) -> None:
    do(tiny, "lea", "done", "docs/runbook", clock, system="db")
    do(tiny, "lou", "signoff", "docs/runbook", clock, system="db")
    do(tiny, "eve", "done", "docs/selfcheck", clock, system="db")
    do(tiny, "eve", "done", "kt/read", clock, system="db")
    do(tiny, "lea", "signoff", "kt/read", clock, member="eve", system="db")
    st = status(tiny)
    db = system(st, "db")
    assert db.figures.level == "documented"
    assert (db.ready_receivers, db.can_transfer) == (0, False)
    do(tiny, "eve", "done", "kt/shadow", clock, system="db")
    do(tiny, "lea", "signoff", "kt/shadow", clock, member="eve", system="db")
    st = status(tiny)
    db = system(st, "db")
    assert db.figures == readiness.Figures(1.0, 1.0, 4, 4, 0, "shadowed")
    assert (db.ready_receivers, db.can_transfer) == (1, True)
    assert not system(st, "api").can_transfer


def test_threshold_and_min_ready(tiny: Store, tiny_dir, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    from kt_tui.core.sync import sync
    from tests.helpers import TEAM, write_tiny

    # db needs 2 ready receivers now: one is not enough even when complete
    write_tiny(tiny_dir, team=TEAM.replace("tier = 2", "tier = 2\nmin_ready = 2"))
    sync(tiny, tiny_dir, actor="t", login="t", clock=clock)
    for verb, who, ref, kw in [
        ("done", "lea", "docs/runbook", {}),
        ("signoff", "lou", "docs/runbook", {}),
        ("done", "eve", "docs/selfcheck", {}),
        ("done", "eve", "kt/read", {}),
        ("signoff", "lea", "kt/read", {"member": "eve"}),
        ("done", "eve", "kt/shadow", {}),
        ("signoff", "lea", "kt/shadow", {"member": "eve"}),
    ]:
        do(tiny, who, verb, ref, clock, system="db", **kw)
    db = system(status(tiny), "db")
    assert (db.figures.readiness, db.ready_receivers, db.min_ready, db.can_transfer) == (
        1.0,
        1,
        2,
        False,
    )


def test_no_counted_items_is_none(tiny: Store, clock: Clock) -> None:
    do(tiny, "lea", "na", "onboard/access", clock, member="lou", reason="joined late")
    st = status(tiny)
    assert member(st, "lou") == readiness.Figures(None, None, 0, 0, 0, None)


def test_overdue_follows_the_date(tiny: Store) -> None:
    assert status(tiny, date(2026, 10, 1)).overall.overdue == 0
    assert status(tiny, date(2026, 11, 1)).overall.overdue == 3  # access only: shadow is due today
    assert status(tiny, date(2026, 11, 2)).overall.overdue == 6


def test_level_skips_stages_without_items() -> None:
    # a stage with no items neither stops the level nor earns it
    assert rules.level({1: (2, 2)}, ["documented", "shadowed", "independent"]) == "shadowed"
    assert rules.level({0: (1, 1), 2: (1, 1)}, ["a", "b", "c"]) == "c"
    assert rules.level({0: (1, 1), 2: (1, 0)}, ["a", "b", "c"]) == "a"
    assert rules.level({0: (1, 0), 1: (2, 2)}, ["documented", "shadowed"]) is None
    assert rules.level({}, ["documented"]) is None


def test_affected_figures_equal_the_dashboards(tiny: Store, clock: Clock) -> None:
    """The quick figures of one action equal the whole dashboard's, entry by entry."""
    do(tiny, "eve", "done", "kt/read", clock, system="db")
    do(tiny, "lea", "signoff", "kt/read", clock, member="eve", system="db")
    do(tiny, "lea", "done", "docs/runbook", clock, system="db")
    do(tiny, "lou", "signoff", "docs/runbook", clock, system="db")
    do(tiny, "eve", "done", "docs/selfcheck", clock, system="db")
    do(tiny, "eve", "done", "kt/shadow", clock, system="db")
    do(tiny, "lea", "signoff", "kt/shadow", clock, member="eve", system="db")
    today = date(2026, 11, 25)
    st = status(tiny, today)
    with tiny.read() as conn:
        for m in st.members:
            for s in st.systems:
                a = readiness.affected(tiny, conn, today, m.id, s.id)
                assert a.overall == st.overall
                assert a.member == m.figures
                assert a.system == s.figures
                assert (a.ready_receivers, a.can_transfer) == (s.ready_receivers, s.can_transfer)
                cell = st.cell(m.handle, s.key)
                if cell is not None:
                    assert a.cell == cell.figures
        only_member = readiness.affected(tiny, conn, today, st.members[2].id, None)
    assert only_member.member == st.members[2].figures and only_member.system is None
    assert system(st, "db").can_transfer
