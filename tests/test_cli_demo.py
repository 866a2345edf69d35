"""`kt-tui demo`: the sample mid-way, in a temporary store or one --db names."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kt_tui.cli import cli


def kt(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return r.exit_code, r.output


def test_demo_without_a_terminal_says_so_and_writes_nothing(tmp_path: Path) -> None:
    code, out = kt("--db", str(tmp_path / "d.db"), "demo")
    assert code == 2 and "no terminal for the app" in out
    assert not (tmp_path / "d.db").exists()


def test_demo_builds_a_named_store_that_verifies(tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    code, out = kt("--db", db, "demo", "--no-open")
    assert code == 0 and f"open it with `kt-tui --db {db}`" in out
    assert kt("--db", db, "verify")[0] == 0
    code, out = kt("--db", db, "status", "--json")
    st = json.loads(out)
    assert 0 < st["overall"]["readiness"] < 1 and st["overall"]["blocked"] >= 2


def test_demo_refuses_a_store_that_holds_a_handover(tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    assert kt("--db", db, "demo", "--no-open")[0] == 0
    code, out = kt("--db", db, "demo", "--no-open")
    assert code == 1 and "no longer empty" in out


def test_demo_no_open_needs_a_named_store(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("KT_DB")  # KT_DB names a store as --db does
    code, out = kt("demo", "--no-open")
    assert code == 2 and "--db" in out


def test_demo_opens_the_app_on_a_temporary_store_removed_after(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import kt_tui.cli_demo
    import kt_tui.tui.app
    from kt_tui.core.service import open_service

    opened: list[tuple[str, int]] = []

    def fake_app(db: str, as_handle: str | None) -> None:
        service = open_service(db, as_handle, fill_sample=False).service
        opened.append((db, len(service.events(10_000))))
        assert service.verify().ok
        service.store.dispose()

    monkeypatch.delenv("KT_DB")  # no store named: a temporary one
    monkeypatch.setattr(kt_tui.cli_demo, "has_terminal", lambda: True)
    monkeypatch.setattr(kt_tui.tui.app, "run_app", fake_app)
    assert kt("demo")[0] == 0
    [(db, events)] = opened
    assert events > 50 and "kt-tui-demo-" in db
    assert not Path(db).exists()  # the temporary store goes with the app
