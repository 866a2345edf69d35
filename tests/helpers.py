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
