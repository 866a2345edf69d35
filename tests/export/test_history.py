"""Burn-up replay from the event log, and the forecast on synthetic histories."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from kt_tui.core import burnup, changes, readiness
from kt_tui.core.actions import act, resolve_ref
from kt_tui.core.burnup import NO_PROGRESS, Point, forecast
from kt_tui.core.clock import Clock
from kt_tui.core.store import Store
from kt_tui.core.sync import sync
from tests.conftest import actor_of
from tests.helpers import DOCS, write_tiny


def day_clock(day: int, hour: int = 10) -> Clock:
    when = datetime(2026, 11, day, hour, tzinfo=UTC)
    return Clock.fixed(when, when.date())


def act_on(store: Store, who: str, verb: str, ref: str, day: int, **kw: str | None) -> None:
    member, system = kw.pop("member", None), kw.pop("system", None)
    a = actor_of(store, who)
    with store.read() as conn:
        iid = resolve_ref(conn, ref, a, member=member, system=system)
    act(store, a, verb, iid, clock=day_clock(day), **kw)


def curve(store: Store, today: date) -> dict[str, int]:
    with store.read() as conn:
        return {p.day.isoformat()[5:]: p.complete_weight for p in burnup.burn_up(conn, today)}


# --- forecast -------------------------------------------------------------------


def linear(first: date, days: int, per_day: int, total: int, start: int = 0) -> list[Point]:
    return [Point(first + timedelta(days=i), start + per_day * i, total) for i in range(days)]


def test_forecast_on_track_at_the_pace_of_the_last_28_days() -> None:
    # 2 weight a day for 28 days: 54 of 100 done on 28 Nov, 46 to go at 2/day
    points = linear(date(2026, 11, 1), 28, 2, 100)
    fc = forecast(points, date(2027, 1, 31), date(2026, 11, 28))
    assert fc.status == burnup.ON_TRACK and fc.text == "on track"
    assert (
        fc.rate_per_day == 2.0 and fc.window_days == 27
    )  # since the day before the first completion
    assert fc.remaining_weight == 46
    assert fc.completion_date == date(2026, 12, 21)
    assert fc.earliest_date == fc.latest_date == date(2026, 12, 21)  # an even pace
    assert fc.late_by_days is None


def test_forecast_late_by_n_days() -> None:
    points = linear(date(2026, 11, 1), 28, 2, 100)
    fc = forecast(points, date(2026, 12, 11), date(2026, 11, 28))
    assert fc.status == burnup.LATE
    assert fc.text == "late by 10 days"
    assert fc.late_by_days == 10
    one = forecast(points, date(2026, 12, 20), date(2026, 11, 28))
    assert one.text == "late by 1 day"


def test_forecast_pace_is_28_days_and_the_range_its_slowest_and_fastest_weeks() -> None:
    # 6 a day for 20 days, then 1 a day for 20 days: the last 28 days gained
    # 8 * 6 + 20 = 68 (2.43 a day); the fastest week 6 a day, the slowest 1
    fast = linear(date(2026, 10, 1), 20, 6, 1000, start=6)
    slow = linear(date(2026, 10, 21), 20, 1, 1000, start=121)
    fc = forecast(fast + slow, date(2027, 6, 30), date(2026, 11, 9))
    assert fc.window_days == 28
    assert round(fc.rate_per_day, 2) == 2.43
    assert fc.earliest_date is not None and fc.latest_date is not None
    assert fc.earliest_date < fc.completion_date < fc.latest_date  # type: ignore[operator]
    assert fc.latest_date == date(2026, 11, 9) + timedelta(days=1000 - 140)


def test_forecast_needs_a_week_of_history() -> None:
    points = linear(date(2026, 11, 1), 5, 10, 100, start=10)
    fc = forecast(points, date(2027, 1, 31), date(2026, 11, 5))
    assert fc.status == burnup.NOT_ENOUGH_HISTORY
    assert fc.text == "not enough history (4 days)"
    assert fc.completion_date is None
    week = forecast(linear(date(2026, 11, 1), 8, 10, 100, start=10), date(2027, 1, 31),
                    date(2026, 11, 8))  # fmt: skip
    assert week.status == burnup.ON_TRACK


def test_forecast_without_recent_progress_or_past_a_century_is_not_at_this_pace() -> None:
    fast = linear(date(2026, 9, 1), 10, 5, 100)
    flat = [Point(date(2026, 9, 11) + timedelta(days=i), 45, 100) for i in range(50)]
    fc = forecast(fast + flat, date(2027, 1, 31), date(2026, 10, 30))
    assert fc.status == NO_PROGRESS and fc.text == "not at this pace"
    assert fc.completion_date is None
    crawl = linear(date(2026, 1, 1), 300, 0, 10**9, start=1)  # 1 weight in 300 days
    crawl[-1] = Point(crawl[-1].day, 2, 10**9)
    century = forecast(crawl, date(2027, 1, 31), crawl[-1].day)
    assert century.text == "not at this pace" and century.completion_date is None


def test_forecast_edge_cases() -> None:
    target = date(2027, 1, 31)
    assert forecast([], target, date(2026, 11, 1)).status == burnup.NOT_ENOUGH_HISTORY
    done = linear(date(2026, 11, 1), 5, 25, 100)
    fc = forecast(done, target, date(2026, 11, 5))
    assert fc.text == "on track" and fc.remaining_weight == 0
    assert fc.completion_date == date(2026, 11, 5)
    empty = [Point(date(2026, 11, 1), 0, 0)]
    assert forecast(empty, target, date(2026, 11, 1)).status == burnup.NOT_ENOUGH_HISTORY


# --- burn-up from the log -------------------------------------------------------


def test_burn_up_replays_each_instance(store: Store, tiny_dir: Path) -> None:
    sync(store, tiny_dir, actor="setup", login="setup", clock=day_clock(1))
    act_on(store, "eve", "done", "onboard/access", 2)  # signoff = false: complete
    act_on(store, "eve", "done", "docs/selfcheck", 3, system="api")  # complete
    act_on(store, "eve", "done", "kt/read", 4, system="api")  # awaits sign-off
    act_on(store, "lea", "signoff", "kt/read", 5, member="eve", system="api")
    act_on(store, "lou", "reopen", "kt/read", 6, member="eve", system="api")
    act_on(store, "lea", "na", "onboard/access", 6, member="lou", reason="no access needed")
    got = curve(store, date(2026, 11, 7))
    assert got == {
        "11-01": 0,
        "11-02": 1,
        "11-03": 2,
        "11-04": 2,
        "11-05": 3,
        "11-06": 2,
        "11-07": 2,
    }
    today = date(2026, 11, 7)
    with store.read() as conn:
        points = burnup.burn_up(conn, today)
        st = readiness.status(store, conn, today)
    assert st is not None and st.overall.readiness is not None
    last = points[-1]
    # the last point is today's overall figure; na items leave the scope
    assert last.complete_weight / last.total_weight == st.overall.readiness


def test_the_burn_up_starts_at_the_handover_start_date(store: Store, tiny_dir: Path) -> None:
    """DESIGN: the burn-up runs from start_date (or the first event): a handover that
    began on 28 October and was first synced on 1 November shows flat days from the
    28th; the dashboard's trend and the report's history agree."""
    from tests.helpers import TEAM

    team = TEAM.replace(
        "min_ready_per_system = 1", "min_ready_per_system = 1\nstart_date = 2026-10-28"
    )
    write_tiny(tiny_dir, team=team)
    sync(store, tiny_dir, actor="setup", login="setup", clock=day_clock(1))
    act_on(store, "eve", "done", "onboard/access", 2)
    today = date(2026, 11, 3)
    with store.read() as conn:
        points = burnup.burn_up(conn, today, date(2026, 10, 28))
        assert burnup.burn_up(conn, today, date(2026, 12, 1))[0].day == date(2026, 11, 1)
        # a start after work began: the curve keeps that work where it happened, not
        # all gained on the start's day (the forecast would read it as pace)
        late = burnup.burn_up(conn, today, date(2026, 11, 3))
        assert [(p.day.day, p.complete_weight) for p in late] == [(1, 0), (2, 1), (3, 1)]
    assert [(p.day.isoformat()[5:], p.complete_weight) for p in points] == [
        ("10-28", 0), ("10-29", 0), ("10-30", 0), ("10-31", 0),
        ("11-01", 0), ("11-02", 1), ("11-03", 1),
    ]  # fmt: skip
    from kt_tui.export.report import build_report

    at = Clock.fixed(datetime(2026, 11, 3, 12, tzinfo=UTC), today)
    report = build_report(store, actor="setup", clock=at, items=False)
    assert [p.day for p in report.history] == [p.day for p in points]


def test_burn_up_sees_a_revision_reopen_by_sync(store: Store, tiny_dir: Path) -> None:
    sync(store, tiny_dir, actor="setup", login="setup", clock=day_clock(1))
    act_on(store, "eve", "done", "docs/selfcheck", 2, system="api")
    act_on(store, "eve", "done", "docs/selfcheck", 2, system="db")
    raised = DOCS.replace('title = "Self check"', 'title = "Self check"\nrevision = 2')
    write_tiny(tiny_dir, docs=raised)
    sync(store, tiny_dir, actor="setup", login="setup", clock=day_clock(4))
    assert curve(store, date(2026, 11, 5)) == {
        "11-01": 0,
        "11-02": 2,
        "11-03": 2,
        "11-04": 0,
        "11-05": 0,
    }


def test_burn_up_empty_store(store: Store) -> None:
    with store.read() as conn:
        assert burnup.burn_up(conn, date(2026, 11, 1)) == []


def test_changes_since(store: Store, tiny_dir: Path) -> None:
    sync(store, tiny_dir, actor="setup", login="setup", clock=day_clock(1))
    act_on(store, "eve", "done", "kt/read", 2, system="api")
    act_on(store, "eve", "done", "kt/read", 4, system="db")
    act_on(store, "lea", "signoff", "kt/read", 5, member="eve", system="db")
    act_on(store, "lou", "reopen", "kt/read", 6, member="eve", system="db")
    act_on(store, "eve", "undo", "kt/read", 6, system="api")
    act_on(store, "eve", "done", "onboard/access", 6)  # no sign-off needed: complete
    act_on(store, "eve", "done", "kt/shadow", 6, system="api")  # awaits its sign-off
    with store.read() as conn:
        ch = changes.changes_since(conn, date(2026, 11, 3))
    # complete now and completed since: not the item reopened since, nor the one
    # still awaiting its sign-off, nor the one undone
    assert [(c.ref, c.verb) for c in ch.completed] == [("onboard/access", "done")]
    assert [(c.actor, c.system) for c in ch.signed_off] == [("lea", "db")]
    assert [(c.verb, c.system) for c in ch.reopened] == [("reopen", "db"), ("undo", "api")]
    assert ch.to_json()["since"] == "2026-11-03"


def test_burn_up_infers_an_older_sync_reopen(store: Store, tiny_dir: Path) -> None:
    """A sync event without ``reopened_ids`` (older stores): inferred from the stored state."""
    import json

    from sqlalchemy import update

    from kt_tui.core.burnup import EVENT

    sync(store, tiny_dir, actor="setup", login="setup", clock=day_clock(1))
    act_on(store, "eve", "done", "docs/selfcheck", 2, system="api")
    raised = DOCS.replace('title = "Self check"', 'title = "Self check"\nrevision = 2')
    write_tiny(tiny_dir, docs=raised)
    sync(store, tiny_dir, actor="setup", login="setup", clock=day_clock(4))
    with store.write() as conn:
        for row in conn.execute(EVENT.select().where(EVENT.c.verb == "sync")).all():
            detail = json.loads(row.detail)
            detail.pop("reopened_ids", None)
            conn.execute(
                update(EVENT).where(EVENT.c.id == row.id).values(detail=json.dumps(detail))
            )
    assert curve(store, date(2026, 11, 5)) == {
        "11-01": 0,
        "11-02": 1,
        "11-03": 1,
        "11-04": 0,
        "11-05": 0,
    }
