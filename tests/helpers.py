"""A tiny handover whose figures can be computed by hand."""

from __future__ import annotations

from pathlib import Path

TEAM = """\
[handover]
name = "Tiny"
target_date = 2027-01-31
stages = ["documented", "shadowed"]
ready_threshold = 1.0
min_ready_per_system = 1

[[members]]
handle = "lea"
name = "Lea Lead"
role = "lead"
systems = ["api"]

[[members]]
handle = "lou"
name = "Lou Lead"
role = "lead"

[[members]]
handle = "eve"
name = "Eve Engineer"
role = "engineer"
systems = ["api", "db"]

[[systems]]
key = "api"
name = "API"
tier = 1

[[systems]]
key = "db"
name = "Database"
tier = 2
"""

DOCS = """\
[template]
key = "docs"
title = "System docs"
kind = "documentation"
scope = "system"

[[items]]
key = "runbook"
title = "Runbook"
stage = "documented"
weight = 2

[[items]]
key = "dr"
title = "DR plan"
stage = "shadowed"
tiers = [1]
evidence = true

[[items]]
key = "selfcheck"
title = "Self check"
signoff = false
"""

KT = """\
[template]
key = "kt"
title = "System KT"
kind = "training"
scope = "member_system"

[[items]]
key = "read"
title = "Read the docs"
stage = "documented"

[[items]]
key = "shadow"
title = "Shadow a release"
stage = "shadowed"
weight = 3
due = 2026-11-01
"""

ONBOARD = """\
[template]
key = "onboard"
title = "Onboarding"
kind = "documentation"
scope = "member"

[[items]]
key = "access"
title = "Access granted"
signoff = false
due = "T-100d"
"""


def write_tiny(root: Path, **overrides: str) -> Path:
    """Write the tiny folder; ``overrides`` replaces files by name (without .toml)."""
    root.mkdir(parents=True, exist_ok=True)
    files = {"team": TEAM, "docs": DOCS, "kt": KT, "onboard": ONBOARD, **overrides}
    for old in root.glob("*.toml"):
        old.unlink()
    for name, body in files.items():
        if body:
            (root / f"{name}.toml").write_text(body, encoding="utf-8")
    return root


def kt(db: Path | str, *args: str, user: str | None = None):  # -> click.testing.Result
    """Run the command line in-process on store ``db``: a click Result (stdout, stderr apart)."""
    from click.testing import CliRunner

    from kt_tui.cli import cli

    env = {"KT_USER": user} if user else {}
    return CliRunner().invoke(cli, ["--db", str(db), *args], env=env)


def kt_process(
    *args: str, env: dict[str, str] | None = None, prefix: tuple[str, ...] = (), timeout: int = 60
):  # -> subprocess.CompletedProcess[str]
    """Run ``python -m kt_tui ARGS`` in a child process, stdin and stdout pipes (no terminal)."""
    import os
    import subprocess
    import sys

    root = str(Path(__file__).resolve().parent.parent)
    full = {**os.environ, "PYTHONPATH": root, **(env or {})}
    return subprocess.run(
        [*prefix, sys.executable, "-m", "kt_tui", *args],
        capture_output=True,
        stdin=subprocess.PIPE,
        text=True,
        env=full,
        timeout=timeout,
    )


def synced_tiny(tmp_path: Path, name: str = "kt.db") -> Path:
    """A SQLite store at ``tmp_path/name`` holding the tiny handover."""
    db = tmp_path / name
    result = kt(db, "sync", str(write_tiny(tmp_path / "tiny")))
    assert result.exit_code == 0, result.output
    return db


# The format-1 sample as it was at 5a1a7b6 ("Format 2 foundation"), frozen: the tests
# that depend on its exact figures and layout (snapshots, golden exports, counts) use
# it, so the bundled sample (checklists/) can change without rewriting them.
FORMAT1 = Path(__file__).resolve().parent / "fixtures" / "format1"
