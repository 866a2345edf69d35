"""identity = "database": the actor is the PostgreSQL session user, mapped through db_user."""

from __future__ import annotations

from pathlib import Path

import pytest

from kt_tui.core.clock import Clock
from kt_tui.core.errors import Refused, ValidationFailed
from kt_tui.core.identity import resolve_actor
from kt_tui.core.store import Store, open_store
from kt_tui.core.sync import sync
from tests.conftest import NO_PG, PG_URL
from tests.helpers import TEAM, write_tiny

DB_TEAM = TEAM.replace(
    "min_ready_per_system = 1", 'min_ready_per_system = 1\nidentity = "database"'
)


def database_team(tmp_path: Path, db_user: str) -> Path:
    team = DB_TEAM.replace(
        'role = "lead"\nsystems = ["api"]',
        f'role = "lead"\nsystems = ["api"]\ndb_user = "{db_user}"',
        1,
    )
    return write_tiny(tmp_path / "tiny", team=team)


def actor(store: Store, explicit: str | None = None):  # type: ignore[no-untyped-def]
    with store.read() as conn:
        return resolve_actor(store, conn, explicit)


@pytest.mark.skipif(not PG_URL, reason=NO_PG)
def test_the_session_user_is_the_actor(
    tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    url = _fresh_pg(request)
    store = open_store(url)
    sync(store, database_team(tmp_path, "postgres"), actor="t", login="t", clock=clock)
    assert actor(store).handle == "lea"
    assert actor(store, "lea").handle == "lea"
    assert actor(store, "LEA").handle == "lea"  # a handle in another case, as everywhere
    said = r'Identity is "database": you are lea \(database user postgres\), so you may not act'
    with pytest.raises(Refused, match=said + " as eve"):
        actor(store, "eve")
    monkeypatch.setenv("KT_USER", "lou")
    with pytest.raises(Refused, match="so you may not act as lou"):
        actor(store)
    store.dispose()


@pytest.mark.skipif(not PG_URL, reason=NO_PG)
def test_an_unmapped_session_user_is_read_only(
    tmp_path: Path, clock: Clock, request: pytest.FixtureRequest
) -> None:
    store = open_store(_fresh_pg(request))
    sync(store, database_team(tmp_path, "someone_else"), actor="t", login="t", clock=clock)
    assert actor(store).read_only
    store.dispose()


def test_database_identity_needs_postgresql(tmp_path: Path, clock: Clock) -> None:
    store = open_store(str(tmp_path / "kt.db"))
    with pytest.raises(
        ValidationFailed, match=r'handover\.identity: "database" needs a PostgreSQL'
    ):
        sync(store, database_team(tmp_path, "postgres"), actor="t", login="t", clock=clock)
    store.dispose()


def _fresh_pg(request: pytest.FixtureRequest) -> str:
    from tests.conftest import _reset_pg

    url: str = request.getfixturevalue("pg_database")
    _reset_pg(url)
    return url
