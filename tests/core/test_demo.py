"""The demo: the bundled sample mid-way, built through the normal action path."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kt_tui.core.clock import Clock
from kt_tui.core.errors import Refused
from kt_tui.core.service import Service, fill_demo, open_service
from kt_tui.core.store import open_store

TODAY = date(2026, 11, 25)
CLOCK = Clock.fixed(datetime(2026, 11, 25, 9, 0, tzinfo=UTC), TODAY)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("demo") / "demo.db")
    store = open_store(db)
    try:
        fill_demo(store, CLOCK)
    finally:
        store.dispose()
    return db


def service(db: str, handle: str = "asha") -> Service:
    return open_service(db, handle, CLOCK, fill_sample=False).service


def test_demo_verifies_with_weeks_of_history_and_a_forecast(demo_db: str) -> None:
    svc = service(demo_db)
    assert svc.verify().ok
    events = svc.events(10_000)
    days = {e.at[:10] for e in events}
    assert min(days) <= "2026-10-01" and max(days) < TODAY.isoformat()  # history up to yesterday
    assert len(days) >= 20
    trend = svc.trend()
    assert trend is not None and trend.forecast.status in ("on_track", "late")
    assert trend.forecast.completion_date is not None
    st = svc.require_status()
    assert st.overall.readiness is not None and 0 < st.overall.readiness < 1
    svc.store.dispose()


def test_demo_has_colour_blocked_na_awaiting_signed(demo_db: str) -> None:
    svc = service(demo_db)
    rows, _ = svc.listing("", None)
    states = [r.state for r in rows]
    assert states.count("blocked") >= 2 and all(r.reason for r in rows if r.state == "blocked")
    assert states.count("na") == 1
    assert states.count("signed_off") >= 20 and states.count("done") >= 5
    assert states.count("todo") > len(rows) // 2  # mid-way, not finished
    # provider-owned docs were done by the provider's people, as the log says
    arch = [r for r in rows if r.ref == "system-docs/architecture" and r.done_by]
    assert arch and {r.done_by for r in arch} <= {"lena", "rahul", "martin", "priya"}
    # a two-party acceptance under way: the provider's lead signed, the client's not yet
    admin = [r for r in rows if r.ref == "access-handover/admin-rights" and r.state == "done"]
    assert len(admin) == 1, admin
    assert [s.party for s in admin[0].signatures] == ["provider-lead"]
    assert admin[0].missing == ["client-lead"]
    svc.store.dispose()


def test_demo_is_the_same_every_time(demo_db: str, tmp_path: Path) -> None:
    again = str(tmp_path / "again.db")
    store = open_store(again)
    try:
        fill_demo(store, CLOCK)
    finally:
        store.dispose()
    one, two = service(demo_db), service(again)
    assert [(r.ref, r.member, r.system, r.state) for r in one.listing("", None)[0]] == [
        (r.ref, r.member, r.system, r.state) for r in two.listing("", None)[0]
    ]
    one.store.dispose()
    two.store.dispose()


def test_demo_goes_only_into_an_empty_store(demo_db: str) -> None:
    store = open_store(demo_db)
    try:
        with pytest.raises(Refused, match="no longer empty"):
            fill_demo(store, CLOCK)
    finally:
        store.dispose()


def test_a_demo_built_on_another_day_tells_the_same_story(tmp_path: Path) -> None:
    """Every date of the sample moves with the day the demo is built: the same items in
    the same states, the same figures, whatever the day (the README's examples rely on it)."""
    from kt_tui.core import instances
    from kt_tui.core.demo import ANCHOR
    from kt_tui.core.filters import Filter

    def story(day: date) -> tuple[list[tuple[object, ...]], float | None]:
        db = str(tmp_path / f"{day}.db")
        clock = Clock.fixed(datetime(day.year, day.month, day.day, 9, tzinfo=UTC), day)
        store = open_store(db)
        try:
            fill_demo(store, clock)
            with store.read() as conn:
                rows = instances.list_instances(conn, Filter(), None, day)
        finally:
            store.dispose()
        status = open_service(db, "asha", clock, fill_sample=False).service.status()
        assert status is not None
        shape = [(r.ref, r.member, r.system, r.state, r.score, r.overdue, r.lapsed) for r in rows]
        return shape, status.overall.readiness

    anchor, later = story(ANCHOR), story(date(2027, 2, 3))
    assert anchor == later
    assert {s for *_, s, _, _, _ in anchor[0]} >= {"todo", "done", "signed_off", "blocked", "na"}


def test_the_sample_copy_moves_dates_and_nothing_else(tmp_path: Path) -> None:
    from kt_tui.core.demo import ANCHOR, shifted_copy
    from kt_tui.paths import sample_dir

    out = shifted_copy(sample_dir(), tmp_path / "s", date(2026, 12, 6))  # ANCHOR + 10 days
    assert date(2026, 11, 26) == ANCHOR
    team = (out / "team.toml").read_text(encoding="utf-8")
    assert "target_date = 2027-04-10" in team and "start_date = 2026-10-11" in team
    training = (out / "training.toml").read_text(encoding="utf-8")
    assert "at = 2026-12-06T09:00:00" in training  # a time after the date is kept
    original = (sample_dir() / "training.toml").read_text(encoding="utf-8")
    assert len(training.splitlines()) == len(original.splitlines())
