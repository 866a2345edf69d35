"""No output path can destroy the store, follow a planted link, or leave a half-written file."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from tests.helpers import kt, kt_process, synced_tiny


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def aliases(db: Path, how: str) -> Path:
    """Another name for the store (or a file beside it) that an output could be given."""
    if how == "itself":
        return db
    if how in ("-wal", "-shm", "-journal"):
        return db.with_name(db.name + how)
    other = db.with_name("alias.db")
    if how == "symlink":
        other.symlink_to(db)
    elif how == "hardlink":
        os.link(db, other)
    elif how == "dotted":
        return db.parent / "." / db.name
    return other


WAYS = ["itself", "-wal", "-shm", "-journal", "symlink", "hardlink", "dotted"]


@pytest.mark.parametrize("how", WAYS)
@pytest.mark.parametrize("command", ["export", "backup"])
def test_no_output_path_overwrites_the_store(tmp_path: Path, how: str, command: str) -> None:
    db = synced_tiny(tmp_path)
    before = digest(db)
    target = aliases(db, how)
    args = ["export", "md", "-o", str(target)] if command == "export" else ["backup", str(target)]
    if command == "backup":
        args.append("--force")
    r = kt(db, *args)
    assert r.exit_code == 2, r.output
    assert "that is the store itself" in r.stderr
    assert digest(db) == before
    assert kt(db, "verify").exit_code == 0


@pytest.mark.parametrize(
    ("args", "name"), [(("export", "md", "-o"), "out.md"), (("backup",), "copy.db")]
)
def test_a_planted_link_beside_the_target_is_never_followed(
    tmp_path: Path, args: tuple[str, ...], name: str
) -> None:
    db = synced_tiny(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    victim.chmod(0o644)
    (tmp_path / f"{name}.part").symlink_to(victim)
    r = kt(db, *args, str(tmp_path / name))
    assert r.exit_code == 0, r.output
    assert victim.read_text() == "precious\n"
    assert stat.S_IMODE(victim.stat().st_mode) == 0o644
    assert (tmp_path / name).stat().st_size > 0


def test_export_keeps_a_files_mode_and_a_new_one_follows_the_umask(tmp_path: Path) -> None:
    db = synced_tiny(tmp_path)
    kept = tmp_path / "kept.md"
    kept.write_text("old\n")
    kept.chmod(0o640)
    assert kt(db, "export", "md", "-o", str(kept)).exit_code == 0
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    assert kept.read_text() != "old\n"
    old = os.umask(0o027)
    try:
        assert kt(db, "export", "csv", "-o", str(tmp_path / "new.csv")).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o640
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_a_failed_export_leaves_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    db = synced_tiny(tmp_path)
    target = tmp_path / "out.md"
    target.write_text("the old summary\n")

    def full(*_a: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("kt_tui.export.command.os.replace", full)
    r = kt(db, "export", "md", "-o", str(target))
    assert r.exit_code == 2
    assert "disk full" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert target.read_text() == "the old summary\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["kt.db", "out.md"]


def test_dash_writes_to_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = synced_tiny(tmp_path)
    monkeypatch.chdir(tmp_path)
    r = kt(db, "export", "json", "-o", "-")
    assert r.exit_code == 0 and r.stdout.lstrip().startswith("{")
    assert not (tmp_path / "-").exists()


def test_dev_stdout_writes_to_the_pipe(tmp_path: Path) -> None:
    db = synced_tiny(tmp_path)
    p = kt_process("--db", str(db), "export", "md", "-o", "/dev/stdout")
    assert p.returncode == 0, p.stderr
    assert "Tiny" in p.stdout


def test_folders_devices_and_pipes_are_refused(tmp_path: Path) -> None:
    db = synced_tiny(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (tmp_path / "folder").mkdir()
    for target in (tmp_path / "folder", fifo, Path("/dev/null")):
        r = kt(db, "export", "md", "-o", str(target))
        assert r.exit_code == 2, (target, r.output)
        assert "Traceback" not in r.output
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_backup_refuses_an_existing_file_without_force_and_a_missing_folder(
    tmp_path: Path,
) -> None:
    db = synced_tiny(tmp_path)
    target = tmp_path / "copy.db"
    target.write_text("an older copy\n")
    r = kt(db, "backup", str(target))
    assert r.exit_code == 2 and "exists; --force" in r.stderr
    assert target.read_text() == "an older copy\n"
    assert kt(db, "backup", str(target), "--force").exit_code == 0
    assert target.read_bytes().startswith(b"SQLite format 3")
    missing = tmp_path / "no" / "such" / "copy.db"
    r = kt(db, "backup", str(missing))
    assert r.exit_code == 2 and "no such folder" in r.stderr
    assert not (tmp_path / "no").exists()


# --- a new file the user asked for (the TUI's export): never over one made meanwhile -------


def _exclusive(target: Path, fill: object) -> Path | None:
    import io

    from kt_tui.export.command import write_output

    return write_output(str(target), fill, live=None, stdout=io.StringIO(), exclusive=True)  # type: ignore[arg-type]


def test_a_new_export_never_replaces_a_file_made_while_it_was_written(tmp_path: Path) -> None:
    from kt_tui.core.errors import BadInput

    target = tmp_path / "readiness.md"

    def fill(fh: object) -> None:
        fh.write("the export\n")  # type: ignore[attr-defined]
        target.write_text("someone else's file\n")  # made meanwhile, after any check

    with pytest.raises(BadInput, match=f"{target}: a file of that name appeared meanwhile"):
        _exclusive(target, fill)
    assert target.read_text() == "someone else's file\n"
    assert [p.name for p in tmp_path.iterdir()] == ["readiness.md"]  # no .part left


def test_a_new_export_never_follows_a_link_planted_under_its_name(tmp_path: Path) -> None:
    from kt_tui.core.errors import BadInput

    target, victim = tmp_path / "readiness.md", tmp_path / "victim.txt"

    def fill(fh: object) -> None:
        fh.write("the export\n")  # type: ignore[attr-defined]
        target.symlink_to(victim)  # a dangling link: exists() would say no

    with pytest.raises(BadInput, match="appeared meanwhile"):
        _exclusive(target, fill)
    assert target.is_symlink() and not victim.exists()


def test_a_new_export_is_written_where_nothing_is(tmp_path: Path) -> None:
    target = tmp_path / "readiness.md"
    old = os.umask(0o027)
    try:
        assert _exclusive(target, lambda fh: fh.write("the export\n")) == target
    finally:
        os.umask(old)
    assert target.read_text() == "the export\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["readiness.md"]


@pytest.mark.parametrize("meanwhile", [False, True])
def test_a_new_export_on_a_file_system_without_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meanwhile: bool
) -> None:
    import errno

    from kt_tui.core.errors import BadInput

    def no_links(*_a: object, **_k: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr("kt_tui.export.command.os.link", no_links)
    target = tmp_path / "readiness.md"

    def fill(fh: object) -> None:
        fh.write("the export\n")  # type: ignore[attr-defined]
        if meanwhile:
            target.write_text("someone else's file\n")

    if meanwhile:
        with pytest.raises(BadInput, match="appeared meanwhile"):
            _exclusive(target, fill)
        assert target.read_text() == "someone else's file\n"
    else:
        _exclusive(target, fill)
        assert target.read_text() == "the export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["readiness.md"]
