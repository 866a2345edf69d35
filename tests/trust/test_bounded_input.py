"""Bounded input: no file, however pathological, costs more than 2 s or 200 MB to refuse.

Each case is a 5 MB-or-less TOML text that tomllib alone would take seconds or
gigabytes over (a 25,000-part dotted key took 11 s and 2.5 GB); each ends as a
validation error with exit 2, quickly. The folder checks: a folder that cannot
be listed, a team.toml that is not a file, symlinks that leave the folder.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from kt_tui.cli import cli
from kt_tui.core.errors import ValidationFailed
from kt_tui.core.templates import load_folder
from tests.helpers import write_tiny

SECONDS, BYTES = 2.0, 200 * 1024 * 1024

PATHOLOGICAL: dict[str, Callable[[], str]] = {
    "dotted key of 25,000 parts": lambda: "a" + ".a" * 24_999 + " = 1\n",
    "dotted table header": lambda: "[" + "a." * 20_000 + "a]\n",
    "arrays 50,000 deep": lambda: "x = " + "[" * 50_000 + "]" * 50_000 + "\n",
    "inline tables 30,000 deep": lambda: "x = " + "{a=" * 30_000 + "1" + "}" * 30_000 + "\n",
    "arrays 100,000 deep": lambda: "x = " + "[" * 100_000 + "]" * 100_000 + "\n",
    "300,000 tables": lambda: "".join(f"[t{i}]\n" for i in range(300_000)),
    "2,000,000 array values": lambda: "x = [" + "1," * 2_000_000 + "]\n",
    "800,000 escapes": lambda: 'x = "' + "\\u0041" * 800_000 + '"\n',
    "one line of 4 MB": lambda: 'x = "' + "a" * 4_000_000 + '"\n',
    "280,000 dotted keys": lambda: "".join(f"a{i}.b.c.d = 1\n" for i in range(280_000)),
}


def _refused(root: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as info:
        load_folder(root, "tiny")
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("case", PATHOLOGICAL)
def test_pathological_toml_is_refused_in_bounded_time_and_memory(tmp_path: Path, case: str) -> None:
    root = write_tiny(tmp_path / "tiny")
    text = PATHOLOGICAL[case]()
    assert len(text.encode()) <= 5 * 1024 * 1024
    (root / "evil.toml").write_text(text)
    started = time.perf_counter()
    problems = _refused(root)
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    try:
        _refused(root)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < SECONDS, (case, elapsed)
    assert peak < BYTES, (case, peak)
    assert problems and all(p.startswith("tiny/evil.toml: ") for p in problems), problems


def test_a_pathological_file_exits_2_through_the_cli(tmp_path: Path) -> None:
    root = write_tiny(tmp_path / "tiny")
    (root / "evil.toml").write_text("a" + ".a" * 24_999 + " = 1\n")
    started = time.perf_counter()
    r = CliRunner().invoke(cli, ["--db", str(tmp_path / "kt.db"), "sync", str(root)])
    assert time.perf_counter() - started < SECONDS
    assert r.exit_code == 2
    assert f"{root}/evil.toml: line 1: a dotted key of more than 32 parts" in r.output
    assert "Traceback" not in r.output


def test_real_sized_folders_stay_within_the_limits(tmp_path: Path) -> None:
    from bench.generate import size_for, write

    root = write(tmp_path / "big", size_for(1_000_000))
    assert len(load_folder(root).templates) == 4


def test_a_folder_that_cannot_be_listed_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """chmod 311: enterable, not listable (simulated: the tests run as root)."""
    root = write_tiny(tmp_path / "tiny")
    real = os.scandir

    def scandir(path: object = ".") -> object:
        if Path(str(path)) == root:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    assert _refused(root) == ["tiny: cannot list the folder: permission denied"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), "a folder, not a file"),
        (lambda p: os.mkfifo(p), "a FIFO (named pipe), not a file"),
        (lambda p: p.symlink_to("/dev/null"), "a symlink to outside the folder: refused"),
        (lambda p: os.mknod(p, 0o600 | 0o020000, os.makedev(1, 3)), "a device, not a file"),
    ],
)
def test_a_team_file_that_is_not_a_file_is_named(
    tmp_path: Path, make: Callable[[Path], None], message: str
) -> None:
    root = write_tiny(tmp_path / "tiny")
    (root / "team.toml").unlink()
    try:
        make(root / "team.toml")
    except PermissionError:
        pytest.skip("mknod needs root")
    assert f"tiny/team.toml: {message}" in _refused(root)


def test_symlinks_leaving_the_folder_are_refused_without_reading_them(tmp_path: Path) -> None:
    root = write_tiny(tmp_path / "tiny")
    secret = tmp_path / "secret.toml"
    secret.write_text('root:x:0:0:root:/root:/bin/bash = "leaked"\n')
    (root / "passwd.toml").symlink_to("/etc/passwd")
    (root / "secret.toml").symlink_to(secret)
    (root / "up.toml").symlink_to("../secret.toml")
    (root / "inside.toml").symlink_to("onboard.toml")  # inside: read, a duplicate key
    got = _refused(root)
    assert "tiny/passwd.toml: a symlink to outside the folder: refused" in got
    assert "tiny/secret.toml: a symlink to outside the folder: refused" in got
    assert "tiny/up.toml: a symlink to outside the folder: refused" in got
    assert any(p.startswith("tiny/onboard.toml: template.key: duplicate") for p in got)
    assert not any("root:" in p or "leaked" in p for p in got)
