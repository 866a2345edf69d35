"""The Service facade the TUI calls: one short transaction per question."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kt_tui.core.errors import BadInput, Refused
from kt_tui.core.service import Scope, open_service
from tests.tui.conftest import FIXED_CLOCK


def test_open_desk_syncs_an_empty_default_store_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KT_DB")  # the default store, in the test's own data folder
    first = open_service(None, "tomas", FIXED_CLOCK)
    assert first.synced_sample
    assert first.service.actor.handle == "tomas"
    first.service.store.dispose()
    again = open_service(None, "tomas", FIXED_CLOCK)
    assert not again.synced_sample
    again.service.store.dispose()


def test_a_named_empty_store_is_left_empty(tmp_path: Path) -> None:
    opened = open_service(str(tmp_path / "typo.db"), "tomas", FIXED_CLOCK)
    assert not opened.synced_sample
    assert opened.service.status() is None
    opened.service.store.dispose()


def test_pages_counts_and_figures(db_path: str) -> None:
    service = open_service(db_path, "tomas", FIXED_CLOCK).service
    scope = Scope(member="asha")
    total = service.count(scope)
    page = service.page(scope, "", 10, 5)
    assert page.total == total and len(page.rows) == 5
    assert page.rows[0].id == service.page(scope, "", 0, 20).rows[10].id
    figures = service.figures(scope)
    assert figures is not None and figures.items == total
    assert service.figures(Scope(member="nobody")) is None
    assert service.page(Scope("ben", "orders"), "", 0, 100).total > 0
    with pytest.raises(BadInput):
        service.page(scope, "colour:red", 0, 10)


def test_queue_never_offers_own_work(db_path: str) -> None:
    tomas = open_service(db_path, "tomas", FIXED_CLOCK).service
    asha = open_service(db_path, "asha", FIXED_CLOCK).service
    ben = open_service(db_path, "ben", FIXED_CLOCK).service
    mine = next(r for r in ben.page(Scope(member="ben"), "", 0, 50).rows if r.signoff)
    ben.act("done", mine.id, evidence="PR-9")
    tomas_item = next(r for r in tomas.page(Scope(member="tomas"), "", 0, 50).rows if r.signoff)
    tomas.act("done", tomas_item.id, evidence="PR-10")
    assert [r.id for r in tomas.queue()] == [mine.id]  # not his own item
    assert sorted(r.id for r in asha.queue()) == sorted([mine.id, tomas_item.id])
    assert ben.queue() == []
    result = asha.sign_off([mine.id, tomas_item.id])
    assert sorted(o.instance_id for o in result.done) == sorted([mine.id, tomas_item.id])
    assert result.refused == []
    with pytest.raises(Refused):
        ben.act("signoff", mine.id)
    again = ben.sign_off([mine.id, tomas_item.id])  # each refused for its own reason
    assert not again.done and len(again.refused) == 2
    assert again.labels == {mine.id: mine.label, tomas_item.id: tomas_item.label}
    groups = again.grouped_refusals()
    assert sum(len(items) for _why, items in groups) == 2


def test_sessions_and_attendance(db_path: str) -> None:
    service = open_service(db_path, "tomas", FIXED_CLOCK).service
    sessions = service.sessions()
    assert [s.at for s in sessions] == sorted(s.at for s in sessions)
    first = sessions[0]
    assert first.trainer and first.minutes and len(first.attendees) == 7
    assert first.is_past(FIXED_CLOCK.today())
    service.attend(first.attendees[2].instance_id)
    again = service.sessions()[0]
    assert again.attendees[2].state == "done" and again.attendees[2].complete


def test_detail_has_the_history(db_path: str) -> None:
    service = open_service(db_path, "tomas", FIXED_CLOCK).service
    row = service.page(Scope(member="asha"), "", 0, 1).rows[0]
    service.act("note", row.id, text="ask Priya")
    detail = service.detail(row.id)
    assert detail is not None and detail.row.note == "ask Priya"
    assert [e.verb for e in detail.history] == ["note"]
    marker = service.change_marker()
    service.act("done", row.id)
    assert service.change_marker() > marker


def test_desk_and_app_import_hygiene() -> None:
    code = "import sys, kt_tui.core.service; assert 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
    code = "import sys, kt_tui.tui.app; assert 'sqlalchemy' not in sys.modules, 'store too early'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_open_desk_falls_back_to_kt_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "from-env.db"
    monkeypatch.setenv("KT_DB", str(path))
    opened = open_service(None, "tomas", FIXED_CLOCK)
    opened.service.store.dispose()
    assert path.exists() and not opened.synced_sample


def test_history_burn_up_and_forecast(db_path: str) -> None:
    service = open_service(db_path, "tomas", FIXED_CLOCK).service
    h = service.trend()
    assert h is not None
    assert [p.day for p in h.points] == [FIXED_CLOCK.today()]
    assert h.points[-1].complete_weight == 0
    assert h.forecast.text == "not enough history (0 days)"
    status = service.status()
    assert status is not None and h.points[-1].total_weight > 0
    service.store.dispose()


@pytest.mark.parametrize("sort", [None, "due", "-title"])
def test_position_is_the_row_page_lists_an_instance_at(db_path: str, sort: str | None) -> None:
    """The checklist opened on an item (a blocker's) pages to it: position names the
    row the same scope, filter and order list it at; None where it is not listed."""
    service = open_service(db_path, "tomas", FIXED_CLOCK).service
    for scope, text in ((Scope(), ""), (Scope(member="ben"), ""), (Scope(), "state:todo")):
        rows = service.page(scope, text, 0, 1000, sort).rows
        for at in (0, len(rows) // 2, len(rows) - 1):
            assert service.position(scope, text, rows[at].id, sort) == at
    outside = service.page(Scope(member="asha"), "", 0, 1).rows[0]
    assert service.position(Scope(member="ben"), "", outside.id, sort) is None
    service.store.dispose()
