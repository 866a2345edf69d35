"""The Desk facade the TUI calls: one short transaction per question."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kt_tui.core.desk import Scope, open_desk
from kt_tui.core.errors import BadInput, Refused
from tests.tui.conftest import FIXED_CLOCK


def test_open_desk_syncs_an_empty_default_store_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KT_DB")  # the default store, in the test's own data folder
    first = open_desk(None, "tomas", FIXED_CLOCK)
    assert first.synced_sample
    assert first.desk.actor.handle == "tomas"
    first.desk.store.dispose()
    again = open_desk(None, "tomas", FIXED_CLOCK)
    assert not again.synced_sample
    again.desk.store.dispose()


def test_a_named_empty_store_is_left_empty(tmp_path: Path) -> None:
    opened = open_desk(str(tmp_path / "typo.db"), "tomas", FIXED_CLOCK)
    assert not opened.synced_sample
    assert opened.desk.status() is None
    opened.desk.store.dispose()


def test_pages_counts_and_figures(db_path: str) -> None:
    desk = open_desk(db_path, "tomas", FIXED_CLOCK).desk
    scope = Scope(member="asha")
    total = desk.count(scope)
    page = desk.page(scope, "", 10, 5)
    assert page.total == total and len(page.rows) == 5
    assert page.rows[0].id == desk.page(scope, "", 0, 20).rows[10].id
    figures = desk.figures(scope)
    assert figures is not None and figures.items == total
    assert desk.figures(Scope(member="nobody")) is None
    assert desk.page(Scope("ben", "orders"), "", 0, 100).total > 0
    with pytest.raises(BadInput):
        desk.page(scope, "colour:red", 0, 10)


def test_queue_never_offers_own_work(db_path: str) -> None:
    tomas = open_desk(db_path, "tomas", FIXED_CLOCK).desk
    asha = open_desk(db_path, "asha", FIXED_CLOCK).desk
    ben = open_desk(db_path, "ben", FIXED_CLOCK).desk
    mine = next(r for r in ben.page(Scope(member="ben"), "", 0, 50).rows if r.signoff)
    ben.act("done", mine.id, evidence="PR-9")
    tomas_item = next(r for r in tomas.page(Scope(member="tomas"), "", 0, 50).rows if r.signoff)
    tomas.act("done", tomas_item.id, evidence="PR-10")
    assert [r.id for r in tomas.queue()] == [mine.id]  # not his own item
    assert sorted(r.id for r in asha.queue()) == sorted([mine.id, tomas_item.id])
    assert ben.queue() == []
    signed, refused = asha.sign_off([mine.id, tomas_item.id])
    assert sorted(signed) == sorted([mine.id, tomas_item.id]) and refused == []
    with pytest.raises(Refused):
        ben.act("signoff", mine.id)


def test_sessions_and_attendance(db_path: str) -> None:
    desk = open_desk(db_path, "tomas", FIXED_CLOCK).desk
    sessions = desk.sessions()
    assert [s.at for s in sessions] == sorted(s.at for s in sessions)
    first = sessions[0]
    assert first.trainer and first.minutes and len(first.attendees) == 7
    assert first.is_past(FIXED_CLOCK.today())
    desk.attend(first.attendees[2].instance_id)
    again = desk.sessions()[0]
    assert again.attendees[2].state == "done" and again.attendees[2].complete


def test_detail_has_the_history(db_path: str) -> None:
    desk = open_desk(db_path, "tomas", FIXED_CLOCK).desk
    row = desk.page(Scope(member="asha"), "", 0, 1).rows[0]
    desk.act("note", row.id, text="ask Priya")
    detail = desk.detail(row.id)
    assert detail is not None and detail.row.note == "ask Priya"
    assert [e.verb for e in detail.history] == ["note"]
    marker = desk.change_marker()
    desk.act("done", row.id)
    assert desk.change_marker() > marker


def test_desk_and_app_import_hygiene() -> None:
    code = "import sys, kt_tui.core.desk; assert 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
    code = "import sys, kt_tui.tui.app; assert 'sqlalchemy' not in sys.modules, 'store too early'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_open_desk_falls_back_to_kt_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "from-env.db"
    monkeypatch.setenv("KT_DB", str(path))
    opened = open_desk(None, "tomas", FIXED_CLOCK)
    opened.desk.store.dispose()
    assert path.exists() and not opened.synced_sample


def test_history_burn_up_and_forecast(db_path: str) -> None:
    desk = open_desk(db_path, "tomas", FIXED_CLOCK).desk
    h = desk.history()
    assert h is not None
    assert [p.day for p in h.points] == [FIXED_CLOCK.today()]
    assert h.points[-1].complete_weight == 0
    assert h.forecast.text == "not enough progress to forecast"
    status = desk.status()
    assert status is not None and h.points[-1].total_weight > 0
    desk.store.dispose()
