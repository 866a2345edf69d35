"""`backup` and `restore`: a consistent private copy, checked before it is put back."""

from __future__ import annotations

import stat
from pathlib import Path

from click.testing import CliRunner

from kt_tui.cli import cli
from tests.helpers import write_tiny


def run(db: Path, *args: str) -> tuple[int, str]:
    r = CliRunner().invoke(cli, ["--db", str(db), *args], env={"KT_USER": "lea"})
    return r.exit_code, r.output


def test_backup_then_restore(tmp_path: Path) -> None:
    db = tmp_path / "kt.db"
    assert run(db, "sync", str(write_tiny(tmp_path / "tiny")))[0] == 0
    assert run(db, "done", "onboard/access")[0] == 0
    code, out = run(db, "backup", str(tmp_path / "copy.db"))
    assert code == 0 and "wrote" in out
    assert stat.S_IMODE((tmp_path / "copy.db").stat().st_mode) == 0o600
    assert run(db, "undo", "onboard/access")[0] == 0
    code, out = run(db, "restore", str(tmp_path / "copy.db"))
    assert code == 0, out
    code, out = run(db, "list", "state:done", "--json")
    assert '"ref": "onboard/access"' in out
    assert len(list(tmp_path.glob("kt.db.before-restore-*"))) == 1
    assert run(db, "verify")[0] == 0


def test_restoring_twice_keeps_every_earlier_store(tmp_path: Path) -> None:
    db = tmp_path / "kt.db"
    assert run(db, "sync", str(write_tiny(tmp_path / "tiny")))[0] == 0
    assert run(db, "backup", str(tmp_path / "copy.db"))[0] == 0
    for _ in range(3):
        assert run(db, "restore", str(tmp_path / "copy.db"))[0] == 0
    assert len(list(tmp_path.glob("kt.db.before-restore-*"))) == 3


def test_restore_refuses_another_handover_and_itself(tmp_path: Path) -> None:
    from tests.helpers import TEAM

    db, other = tmp_path / "kt.db", tmp_path / "other.db"
    assert run(db, "sync", str(write_tiny(tmp_path / "tiny")))[0] == 0
    team = TEAM.replace('name = "Tiny"', 'name = "Other"')
    assert run(other, "sync", str(write_tiny(tmp_path / "o", team=team)))[0] == 0
    code, out = run(db, "restore", str(other))
    assert code == 2 and "holds the handover 'Other', not this store's 'Tiny'" in out
    assert run(db, "restore", str(other), "--force")[0] == 0
    code, out = run(db, "restore", str(db))
    assert code == 2 and "that is the store itself" in out
    code, out = run(db, "backup", str(db))
    assert code == 2 and "that is the store itself" in out


def test_restore_refuses_what_is_not_a_store(tmp_path: Path) -> None:
    db = tmp_path / "kt.db"
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    code, out = run(db, "restore", str(junk))
    assert code == 2 and "not a kt-tui store" in out
    code, out = run(db, "restore", str(tmp_path / "missing.db"))
    assert code == 2 and "no such file" in out
