"""Command output read by people and by programs: never cut to a width, colour on request."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.helpers import DOCS, kt, write_tiny

# an SGR sequence that sets a foreground or background colour
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])[;m]")
LONG = "A runbook title long enough to be cut by an eighty-column console " * 2


def synced(tmp_path: Path) -> Path:
    db = tmp_path / "kt.db"
    root = write_tiny(
        tmp_path / "tiny", docs=DOCS.replace('title = "Runbook"', f'title = "{LONG}"')
    )
    assert kt(db, "sync", str(root), user="lea").exit_code == 0
    return db


def test_list_to_a_pipe_is_never_cut(tmp_path: Path) -> None:
    db = synced(tmp_path)
    r = kt(db, "list", "system:api", user="lea")
    assert r.exit_code == 0
    assert LONG.strip() in r.output  # whole, on one line
    assert "…" not in r.output


def test_status_to_a_pipe_keeps_every_column(tmp_path: Path) -> None:
    db = synced(tmp_path)
    r = kt(db, "status", user="lea")
    header = next(line for line in r.output.splitlines() if " tier " in line)
    for column in ("ready", "transfer", "overdue", "level"):
        assert column in header  # on one line: nothing folded or cut


def run(db: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run(
        [sys.executable, "-m", "kt_tui", "--db", str(db), "--as", "lea", *args],
        capture_output=True,
        text=True,
        env={**full, **env},
        timeout=60,
    )


def test_no_color_is_honoured(tmp_path: Path) -> None:
    db = synced(tmp_path)
    coloured = run(db, "status", FORCE_COLOR="1")
    assert "\x1b[" in coloured.stdout  # forced: colour even to a pipe
    plain = run(db, "status", FORCE_COLOR="1", NO_COLOR="1")
    assert plain.returncode == 0 and "Members" in plain.stdout
    assert COLOUR.search(coloured.stdout)
    assert not COLOUR.search(plain.stdout)  # bold and italic may stay; no colour


def test_shell_completion_script_is_offered(tmp_path: Path) -> None:
    for shell in ("bash", "zsh", "fish"):
        r = subprocess.run(
            [sys.executable, "-c", "from kt_tui.cli import main; main()"],
            capture_output=True,
            text=True,
            env={**os.environ, "_KT_TUI_COMPLETE": f"{shell}_source"},
            timeout=60,
        )
        assert r.returncode == 0, r.stderr
        assert "_KT_TUI_COMPLETE" in r.stdout, shell
