"""Sync, part 1: what the folder asks for (the wanted roster, items and instances)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from kt_tui.core.templates import Folder

# instance identity: (template key, item key, member handle, system key)
Ident = tuple[str, str, str | None, str | None]
ITEM_FIELDS = ("title", "detail", "weight", "stage", "due", "signoff", "evidence")
# format 2 attributes, compared and copied as stored (JSON text for lists)
ITEM_V2_FIELDS = (
    "owner", "parties", "audience", "after", "valid_days", "pass_score", "scale", "sessions",
)  # fmt: skip
AUDIENCE_KEYS = ("tiers", "systems", "sides", "roles", "tracks", "members")
INSERT_CHUNK = 20_000
T = TypeVar("T")
# an instance's (member handle, system key), as Ident ends
Pair = tuple[str | None, str | None]


class ByPair(dict[Pair, T]):
    """(member, system) -> what ``make`` gives for them, made on first asking and kept:
    a sync asks the same few pairs for a million instances."""

    def __init__(self, make: Callable[[str | None, str | None], T]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: Pair) -> T:
        value = self[key] = self.make(*key)
        return value


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
    owner: str = "receiver"
    parties: str = '["lead"]'
    audience: str | None = None
    after: str | None = None
    valid_days: int | None = None
    pass_score: int | None = None
    scale: int | None = None
    sessions: str | None = None
    renamed_from: tuple[str, ...] = ()  # earlier item keys (the template's own, too)


@dataclass
class Wanted:
    settings: dict[str, str]
    members: dict[str, dict[str, Any]]
    systems: dict[str, dict[str, Any]]
    receivers: set[tuple[str, str]]
    templates: dict[str, dict[str, Any]]
    items: dict[tuple[str, str], WantedItem]
    instances: dict[Ident, None]  # an ordered set: roster and file order
    # template key -> its earlier keys (renamed_from), for sync/renames.py
    template_renamed_from: dict[str, tuple[str, ...]] = field(default_factory=dict)


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
        "start_date": h.start_date.isoformat() if h.start_date else "",
    }
    members = {
        m.handle: {
            "name": m.name,
            "role": m.role,
            "side": m.side,
            "tracks": json.dumps(sorted(set(m.tracks))) if m.tracks else None,
            "db_user": m.db_user,
            "position": i,
        }
        for i, m in enumerate(team.members)
    }
    by_handle = {m.handle: m for m in team.members}
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
            parts = it.all_sessions
            session = parts[0] if parts else None
            audience = {k: getattr(it, k) for k in AUDIENCE_KEYS if getattr(it, k) is not None}
            items[(head.key, it.key)] = WantedItem(
                template=head.key,
                key=it.key,
                title=it.title,
                detail=it.detail,
                stage=it.stage,
                stage_idx=stage_index[it.stage] if it.stage is not None else None,
                weight=it.weight,
                signoff=bool(it.parties),
                evidence=it.evidence,
                due=folder.due_date(it),
                due_spec=str(it.due) if it.due is not None else None,
                tiers=json.dumps(sorted(it.tiers)) if it.tiers is not None else None,
                revision=it.revision,
                session_at=session.at.isoformat() if session else None,
                session_minutes=session.minutes if session else None,
                session_trainer=session.trainer if session else None,
                position=pos,
                owner=it.owner,
                parties=json.dumps(it.parties),
                audience=json.dumps(audience, sort_keys=True) if audience else None,
                after=json.dumps([_qualified(head.key, a) for a in it.after]) if it.after else None,
                valid_days=it.valid_days,
                pass_score=it.pass_ if head.kind == "assessment" else None,
                scale=it.scale if head.kind == "assessment" else None,
                sessions=json.dumps([_session(p) for p in parts]) if parts else None,
                renamed_from=tuple(it.renamed_from),
            )

            def fits_system(s: str, it: Any = it) -> bool:
                return (it.tiers is None or tiers[s] in it.tiers) and (
                    it.systems is None or s in it.systems
                )

            def fits_member(h: str, it: Any = it) -> bool:
                m = by_handle[h]
                return (
                    (it.sides is None or m.side in it.sides)
                    and (it.roles is None or m.role in it.roles)
                    and (it.tracks is None or bool(set(it.tracks) & set(m.tracks)))
                    and (it.members is None or h in it.members)
                )

            t, i = head.key, it.key
            if head.scope == "member":
                instances.update(((t, i, m, None), None) for m in members if fits_member(m))
            elif head.scope == "system":
                instances.update(((t, i, None, s), None) for s in systems if fits_system(s))
            elif head.scope == "handover":
                instances[(t, i, None, None)] = None
            else:  # each member and system asked once, not once per pair of them
                ms = {m for m in members if fits_member(m)}
                ss = {s for s in systems if fits_system(s)}
                instances.update(((t, i, m, s), None) for m, s in pairs if m in ms and s in ss)
    renamed = {
        tf.spec.template.key: tuple(tf.spec.template.renamed_from)
        for tf in folder.templates
        if tf.spec.template.renamed_from
    }
    return Wanted(settings, members, systems, receivers, templates, items, instances, renamed)


def _qualified(template: str, ref: str) -> str:
    """A prerequisite as ``template/item``: a bare key is an item of the same template."""
    return ref if "/" in ref else f"{template}/{ref}"


def _session(s: Any) -> dict[str, Any]:
    return {
        "at": s.at.isoformat(),
        "minutes": s.minutes,
        "trainer": s.trainer,
        "location": s.location,
    }
