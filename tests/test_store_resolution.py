"""One resolution of the store for every command and the app: --db, else KT_DB, else the
default file; and `serve` hands the store to its children through the environment,
never their command line (a PostgreSQL password would show in `ps`)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kt_tui.cli import cli


def kt(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def test_demo_no_open_builds_the_store_kt_db_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "from-env.db"
    monkeypatch.setenv("KT_DB", str(db))
    built = kt("demo", "--no-open")
    assert built.exit_code == 0, built.output
    assert "open it with `kt-tui`" in built.output
    assert db.exists()
    status = kt("status", "--json")  # the same store, named the same way
    assert status.exit_code == 0 and 0 < json.loads(status.output)["overall"]["readiness"] < 1
    # a second demo into it is refused: the env var never makes a demo land on a team
    again = kt("demo", "--no-open")
    assert again.exit_code == 1 and "KT_DB names that store" in again.stderr


def test_demo_never_fills_the_database_only_kt_db_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A team's KT_DB names its shared database, empty before the first sync: a demo's
    invented history must not land there (review); --db naming it is a choice."""
    monkeypatch.setenv("KT_DB", "postgresql+psycopg://kt:secret@127.0.0.1:1/team")
    r = kt("demo", "--no-open")
    assert r.exit_code == 1 and "KT_DB names a database" in r.stderr
    assert "secret" not in r.stderr  # the password masked


def test_demo_no_open_without_db_or_kt_db_needs_a_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KT_DB", raising=False)
    r = kt("demo", "--no-open")
    assert r.exit_code == 2 and "--db PATH (or KT_DB)" in r.stderr


def test_db_wins_over_kt_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KT_DB", str(tmp_path / "env.db"))
    r = kt("--db", str(tmp_path / "opt.db"), "demo", "--no-open")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "opt.db").exists() and not (tmp_path / "env.db").exists()


def test_demo_opens_the_app_on_the_store_kt_db_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kt_tui.cli_demo
    import kt_tui.tui.app

    db = tmp_path / "kept.db"
    monkeypatch.setenv("KT_DB", str(db))
    opened: list[str] = []
    monkeypatch.setattr(kt_tui.cli_demo, "has_terminal", lambda: True)
    monkeypatch.setattr(kt_tui.tui.app, "run_app", lambda db, _as: opened.append(db))
    assert kt("demo").exit_code == 0
    assert opened == [str(db)] and db.exists()  # kept, not a temporary store


def test_the_app_opens_the_store_kt_db_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kt_tui.tui.app

    db = tmp_path / "team.db"
    monkeypatch.setenv("KT_DB", str(db))
    opened: list[str | None] = []
    # no terminal here: the app runs as under `serve` (its web driver)
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.web_driver:WebDriver")
    monkeypatch.setattr(
        kt_tui.tui.app, "run_app", lambda db, _as, read_only=False: opened.append(db)
    )
    assert kt().exit_code == 0
    assert opened == [str(db)]


SECRET_URL = "postgresql+psycopg://kt:s3cr3t-pw@127.0.0.1:5999/handover"


def test_serve_passes_the_store_by_the_environment_not_argv(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import textual_serve.server

    seen: dict[str, Any] = {}

    class FakeServer:
        def __init__(self, command: str, host: str, port: int) -> None:
            seen["argv"] = shlex.split(command)

        def serve(self) -> None:
            import os

            seen["env"] = dict(os.environ)  # textual-serve copies it for each child

    monkeypatch.setattr(textual_serve.server, "Server", FakeServer)
    monkeypatch.setenv("KT_DB", "unused.db")  # restored after the test
    r = kt("--db", SECRET_URL, "--as", "lea", "serve", "--port", "8123")
    assert r.exit_code == 0, r.output + r.stderr
    argv = seen["argv"]
    assert not any("s3cr3t" in a or "postgresql" in a for a in argv), argv
    assert "--db" not in argv and argv[-3:] == ["--as", "lea", "--read-only"]
    assert seen["env"]["KT_DB"] == SECRET_URL
