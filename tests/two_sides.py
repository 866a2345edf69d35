"""A small two-sided handover: provider-owned items, two-party sign-off, an assessment."""

from __future__ import annotations

from pathlib import Path

from kt_tui.core.clock import Clock
from kt_tui.core.store import Store
from kt_tui.core.sync import sync

TEAM = """\
[handover]
name = "Two sides"
target_date = 2027-01-31
stages = ["documented"]
min_ready_per_system = 1

[[members]]
handle = "lea"
name = "Lea Client-Lead"
role = "lead"
systems = ["api"]

[[members]]
handle = "lou"
name = "Lou Client-Lead"
role = "lead"

[[members]]
handle = "pia"
name = "Pia Provider-Lead"
role = "lead"
side = "provider"
systems = ["api"]

[[members]]
handle = "eve"
name = "Eve Receiver"
role = "engineer"
systems = ["api"]

[[members]]
handle = "cal"
name = "Cal Receiver"
role = "engineer"
systems = ["api"]

[[members]]
handle = "pete"
name = "Pete Provider"
role = "engineer"
side = "provider"
systems = ["api"]

[[systems]]
key = "api"
name = "API"
tier = 1
"""

HANDOFF = """\
[template]
key = "handoff"
title = "Handoff"
kind = "handover"
scope = "system"

[[items]]
key = "runbook"
title = "Runbook delivered"
detail = "Every alert has a runbook section."
owner = "provider"
signoff = ["provider-lead", "client-lead"]
evidence = true

[[items]]
key = "walkthrough"
title = "Walkthrough given"
owner = "provider"
signoff = ["receiver", "lead"]
"""

QUIZ = """\
[template]
key = "quiz"
title = "Teach-back"
kind = "assessment"
scope = "member"
members = ["eve", "cal"]

[[items]]
key = "teachback"
title = "Teach back the failover"
pass = 3
scale = 4
signoff = ["lead"]
"""


def write(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, body in (("team", TEAM), ("handoff", HANDOFF), ("quiz", QUIZ)):
        (root / f"{name}.toml").write_text(body, encoding="utf-8")
    return root


def synced(store: Store, root: Path, clock: Clock) -> Store:
    sync(store, write(root), actor="lea", login="lea", clock=clock)
    return store
