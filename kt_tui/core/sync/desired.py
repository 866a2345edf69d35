"""Sync, part 1: what the folder asks for (the wanted roster, items and instances)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from kt_tui.core.templates import Folder

# instance identity: (template key, item key, member handle, system key)
Ident = tuple[str, str, str | None, str | None]
ITEM_FIELDS = ("title", "detail", "weight", "stage", "due", "signoff", "evidence")
INSERT_CHUNK = 20_000
T = TypeVar("T")

# --- what the files ask for -------------------------------------------------


@dataclass(frozen=True)
class WantedItem:
    template: str
    key: str
    title: str
    detail: str
    stage: str | None
    stage_idx: int | None
    weight: int
    signoff: bool
    evidence: bool
    due: date | None
    due_spec: str | None
    tiers: str | None
    revision: int
    session_at: str | None
    session_minutes: int | None
    session_trainer: str | None
    position: int


@dataclass
class Wanted:
    settings: dict[str, str]
    members: dict[str, dict[str, Any]]
    systems: dict[str, dict[str, Any]]
    receivers: set[tuple[str, str]]
    templates: dict[str, dict[str, Any]]
    items: dict[tuple[str, str], WantedItem]
    instances: dict[Ident, None]  # an ordered set: roster and file order


def wanted_from(folder: Folder, sample: bool) -> Wanted:
    team = folder.team
    h = team.handover
    settings = {
        "handover_name": h.name,
        "target_date": h.target_date.isoformat(),
        "stages": json.dumps(list(h.stages)),
        "ready_threshold": repr(float(h.ready_threshold)),
        "min_ready_per_system": str(h.min_ready_per_system),
        "identity": h.identity,
        "sample": "1" if sample else "0",
    }
    members = {
        m.handle: {"name": m.name, "role": m.role, "db_user": m.db_user, "position": i}
        for i, m in enumerate(team.members)
    }
    systems = {
        s.key: {"name": s.name, "tier": s.tier, "min_ready": s.min_ready, "position": i}
        for i, s in enumerate(team.systems)
    }
    tiers = {s.key: s.tier for s in team.systems}
    receivers = {(m.handle, key) for m in team.members for key in m.systems}
    stage_index = {s: i for i, s in enumerate(h.stages)}
    templates: dict[str, dict[str, Any]] = {}
    items: dict[tuple[str, str], WantedItem] = {}
    instances: dict[Ident, None] = {}
    pairs = [(m.handle, key) for m in team.members for key in dict.fromkeys(m.systems)]
    for tf in folder.templates:
        head = tf.spec.template
        templates[head.key] = {
            "title": head.title,
            "kind": head.kind,
            "scope": head.scope,
            "path": Path(tf.path).name,
        }
        for pos, it in enumerate(tf.spec.items):
            session = it.session
            items[(head.key, it.key)] = WantedItem(
                template=head.key,
                key=it.key,
                title=it.title,
                detail=it.detail,
                stage=it.stage,
                stage_idx=stage_index[it.stage] if it.stage is not None else None,
                weight=it.weight,
                signoff=it.signoff,
                evidence=it.evidence,
                due=folder.due_date(it),
                due_spec=str(it.due) if it.due is not None else None,
                tiers=json.dumps(sorted(it.tiers)) if it.tiers is not None else None,
                revision=it.revision,
                session_at=session.at.isoformat() if session else None,
                session_minutes=session.minutes if session else None,
                session_trainer=session.trainer if session else None,
                position=pos,
            )
            allowed = set(it.tiers) if it.tiers is not None else None

            def fits(system: str, allowed: set[int] | None = allowed) -> bool:
                return allowed is None or tiers[system] in allowed

            if head.scope == "member":
                instances.update(((head.key, it.key, m, None), None) for m in members)
            elif head.scope == "system":
                instances.update(((head.key, it.key, None, s), None) for s in systems if fits(s))
            else:
                instances.update(((head.key, it.key, m, s), None) for m, s in pairs if fits(s))
    return Wanted(settings, members, systems, receivers, templates, items, instances)
