"""Sync, part 3: the plan, a pure diff of wanted against stored, and its description."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kt_tui.core import rules
from kt_tui.core.sync.desired import ITEM_FIELDS, ITEM_V2_FIELDS, Ident, Wanted, WantedItem
from kt_tui.core.sync.party_changes import PartyChanges
from kt_tui.core.sync.renames import Renames, find, renamed_view
from kt_tui.core.sync.renames import summary as renames_summary
from kt_tui.core.sync.stored import Current

# an item's fields its instances' lapse days follow (rules.lapses_on's inputs)
LAPSE_INPUTS = frozenset({"valid_days", "signoff", "parties"})


@dataclass
class TemplatePlan:
    key: str
    new: bool = False
    removed: bool = False
    items_added: list[str] = field(default_factory=list)
    items_removed: list[str] = field(default_factory=list)
    items_changed: dict[str, list[str]] = field(default_factory=dict)
    added: int = 0
    retired: int = 0
    retired_work: int = 0  # of those retired, the done or signed-off (scored) ones
    revived: int = 0
    reopened: int = 0
    settled: int = 0  # partly signed, now signed off: the parties left have all signed
    unsigned: int = 0  # signatures of parties the item no longer lists
    below_pass: int = 0  # signed-off assessments below a raised pass mark, reopened
    lapsed: int = 0  # completions a new valid_for lapses today
    unlapsed: int = 0  # lapsed completions a new valid_for makes hold again
    waiting: int = 0  # open instances a new after makes wait (waiting_changes.py)
    unwaiting: int = 0  # open instances a changed after stops making wait

    def is_empty(self) -> bool:
        return not (
            self.new
            or self.removed
            or self.items_added
            or self.items_removed
            or self.items_changed
            or self.added
            or self.retired
            or self.revived
            or self.reopened
            or self.settled
            or self.unsigned
            or self.below_pass
            or self.lapsed
            or self.unlapsed
            or self.waiting
            or self.unwaiting
        )

    def summary(self) -> dict[str, Any]:
        return {
            "template": self.key,
            "new": self.new,
            "removed": self.removed,
            "items_added": self.items_added,
            "items_removed": self.items_removed,
            "items_changed": self.items_changed,
            "instances_added": self.added,
            "retired": self.retired,
            "retired_done_or_signed_off": self.retired_work,
            "revived": self.revived,
            "reopened": self.reopened,
            **({"signed_off_by_fewer_parties": self.settled} if self.settled else {}),
            **({"reopened_below_raised_pass": self.below_pass} if self.below_pass else {}),
            **({"signatures_dropped": self.unsigned} if self.unsigned else {}),
            **({"lapsed_by_new_valid_for": self.lapsed} if self.lapsed else {}),
            **({"held_again_by_new_valid_for": self.unlapsed} if self.unlapsed else {}),
            **({"waiting_by_new_after": self.waiting} if self.waiting else {}),
            **({"no_longer_waiting_by_new_after": self.unwaiting} if self.unwaiting else {}),
        }


@dataclass
class Plan:
    handover: str
    settings_changed: dict[str, tuple[str | None, str]]
    members_added: list[str]
    members_deactivated: list[str]
    members_reactivated: list[str]
    members_changed: list[str]
    systems_added: list[str]
    systems_deactivated: list[str]
    systems_reactivated: list[str]
    systems_changed: list[str]
    receivers_added: list[tuple[str, str]]
    receivers_dropped: list[tuple[str, str]]
    receivers_revived: list[tuple[str, str]]
    templates: list[TemplatePlan]
    # row-level work for apply
    add: list[Ident]
    retire: list[int]
    revive: list[int]
    reopen: list[int]
    total_instances: int
    warnings: list[str] = field(default_factory=list)
    renames: Renames = field(default_factory=Renames)
    # handle or key -> what changed, as "field: old -> new" (for the plan's lines)
    roster_changes: dict[str, list[str]] = field(default_factory=dict)
    parties: PartyChanges = field(default_factory=PartyChanges)

    def is_empty(self) -> bool:
        return not (
            self.renames
            or self.settings_changed
            or self.members_added
            or self.members_deactivated
            or self.members_reactivated
            or self.members_changed
            or self.systems_added
            or self.systems_deactivated
            or self.systems_reactivated
            or self.systems_changed
            or self.receivers_added
            or self.receivers_dropped
            or self.receivers_revived
            or any(not t.is_empty() for t in self.templates)
        )

    def changes_of(self, key: tuple[str, str]) -> list[str]:
        """The fields the diff found changed on one item (template key, item key)."""
        found = next((t for t in self.templates if t.key == key[0]), None)
        return found.items_changed.get(key[1], []) if found else []

    def moves_lapse_days(self, key: tuple[str, str]) -> bool:
        """Whether the item's change moves its completions' lapse days (lapsing.py)."""
        return bool(LAPSE_INPUTS & set(self.changes_of(key)))

    def template(self, key: str) -> TemplatePlan:
        """The plan of one template, made empty where the diff had none (its instances
        are the store's, so a template the sync touches is always there)."""
        found = next((t for t in self.templates if t.key == key), None)
        if found is None:
            found = TemplatePlan(key)
            self.templates = sorted([*self.templates, found], key=lambda t: t.key)
        return found

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.add),
            "retired": len(self.retire),
            "revived": len(self.revive),
            "reopened": len(self.reopen),
            "total": self.total_instances,
        }

    def summary(self) -> dict[str, Any]:
        """What the sync event records and ``--json`` prints."""
        return {
            "handover": self.handover,
            "settings_changed": {k: list(v) for k, v in self.settings_changed.items()},
            "members": {
                "added": self.members_added,
                "deactivated": self.members_deactivated,
                "reactivated": self.members_reactivated,
                "changed": self.members_changed,
            },
            "systems": {
                "added": self.systems_added,
                "deactivated": self.systems_deactivated,
                "reactivated": self.systems_reactivated,
                "changed": self.systems_changed,
            },
            "receivers": {
                "added": [list(r) for r in self.receivers_added],
                "dropped": [list(r) for r in self.receivers_dropped],
                "revived": [list(r) for r in self.receivers_revived],
            },
            "templates": [t.summary() for t in self.templates if not t.is_empty()],
            "counts": self.counts(),
            **({"renamed": renames_summary(self.renames)} if self.renames else {}),
        }


def _item_values(w: WantedItem) -> dict[str, Any]:
    return {
        "title": w.title,
        "detail": w.detail,
        "weight": w.weight,
        "stage": w.stage,
        "due": w.due_spec,
        "signoff": w.signoff,
        "evidence": w.evidence,
    }


def _stored_item_values(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": row["title"],
        "detail": row["detail"],
        "weight": row["weight"],
        "stage": row["stage"],
        "due": row["due_spec"],
        "signoff": bool(row["signoff"]),
        "evidence": bool(row["evidence"]),
    }


def diff(wanted: Wanted, current: Current) -> Plan:
    """The plan: a pure function of what the files want and what the store holds."""
    renames, _conflicts = find(wanted, current)  # sync refuses the conflicts first
    current = renamed_view(current, renames)
    settings_changed = {
        k: (current.settings.get(k), v)
        for k, v in wanted.settings.items()
        if current.settings.get(k) != v
    }

    def roster(
        want: dict[str, dict[str, Any]], have: dict[str, dict[str, Any]], fields: tuple[str, ...]
    ) -> tuple[list[str], list[str], list[str], list[str]]:
        added = [k for k in want if k not in have]
        gone = [k for k, row in have.items() if row["active"] and k not in want]
        back = [k for k in want if k in have and not have[k]["active"]]
        changed = [k for k in want if k in have and any(want[k][f] != have[k][f] for f in fields)]
        return added, gone, back, changed

    member_fields = ("name", "role", "side", "tracks", "db_user", "position")
    system_fields = ("name", "tier", "min_ready", "position")
    m_add, m_gone, m_back, m_changed = roster(wanted.members, current.members, member_fields)
    s_add, s_gone, s_back, s_changed = roster(wanted.systems, current.systems, system_fields)
    roster_changes = {
        **_what_changed(wanted.members, current.members, m_changed, member_fields),
        **_what_changed(wanted.systems, current.systems, s_changed, system_fields),
    }
    r_add = sorted(r for r in wanted.receivers if r not in current.receivers)
    r_drop = sorted(
        r for r, active in current.receivers.items() if active and r not in wanted.receivers
    )
    r_back = sorted(
        r for r, active in current.receivers.items() if not active and r in wanted.receivers
    )

    tplans: dict[str, TemplatePlan] = {}

    def tp(key: str) -> TemplatePlan:
        return tplans.setdefault(key, TemplatePlan(key))

    for key, t in wanted.templates.items():
        have = current.templates.get(key)
        p = tp(key)
        if have is None:
            p.new = True
        elif not have["active"] or any(t[f] != have[f] for f in ("title", "kind", "scope", "path")):
            p.items_changed.setdefault("(template)", []).extend(
                f for f in ("title", "kind", "scope", "path", "active") if t.get(f, True) != have[f]
            )
    for key, have in current.templates.items():
        if have["active"] and key not in wanted.templates:
            tp(key).removed = True

    revision_raised: set[tuple[str, str]] = set()
    for ikey, w in wanted.items.items():
        have_item = current.items.get(ikey)
        if have_item is None or not have_item["active"]:
            if have_item is None:
                tp(ikey[0]).items_added.append(ikey[1])
            else:
                tp(ikey[0]).items_changed.setdefault(ikey[1], []).append("restored")
            if have_item is None:
                continue
        assert have_item is not None
        want_v, have_v = _item_values(w), _stored_item_values(have_item)
        changed = [f for f in ITEM_FIELDS if want_v[f] != have_v[f]]
        if w.stage_idx != _stage_idx_of(have_item, current) and "stage" not in changed:
            changed.append("stage order")
        if w.due != _as_date(have_item.get("due_date")) and "due" not in changed:
            changed.append("due date")
        for f in ("tiers", "revision", *ITEM_V2_FIELDS):
            if getattr(w, f) != have_item[f]:
                changed.append(_audience_keys(w.audience, have_item[f]) if f == "audience" else f)
        if w.revision > have_item["revision"]:
            revision_raised.add(ikey)
        if w.position != have_item["position"] and not changed:
            changed.append("position")
        if changed:
            tp(ikey[0]).items_changed.setdefault(ikey[1], []).extend(changed)
    for ikey, have_item in current.items.items():
        if have_item["active"] and ikey not in wanted.items:
            tp(ikey[0]).items_removed.append(ikey[1])

    held = current.instances
    add: list[Ident] = (
        [i for i in wanted.instances if i not in held] if held else [*wanted.instances]
    )
    revive: list[int] = []
    reopen: list[int] = []
    revisions = {k: w.revision for k, w in wanted.items.items()}
    for ident, (iid, retired, state, rev) in held.items():
        if ident not in wanted.instances:
            continue
        if retired:
            revive.append(iid)
            tp(ident[0]).revived += 1
        if revisions[(ident[0], ident[1])] > rev and state in rules.REOPENED_BY_REVISION:
            reopen.append(iid)
            tp(ident[0]).reopened += 1
    for template, n in Counter(i[0] for i in add).items():
        tp(template).added += n
    retire: list[int] = []
    for ident, (iid, retired, state, _rev) in held.items():
        if not retired and ident not in wanted.instances:
            retire.append(iid)
            tp(ident[0]).retired += 1
            # work (done, signed off, assessed): it leaves every figure with them
            if rules.is_progress(state, signoff=True):
                tp(ident[0]).retired_work += 1
    return Plan(
        handover=wanted.settings["handover_name"],
        settings_changed=settings_changed,
        members_added=m_add,
        members_deactivated=m_gone,
        members_reactivated=m_back,
        members_changed=[k for k in m_changed if k not in m_back],
        systems_added=s_add,
        systems_deactivated=s_gone,
        systems_reactivated=s_back,
        systems_changed=[k for k in s_changed if k not in s_back],
        receivers_added=r_add,
        receivers_dropped=r_drop,
        receivers_revived=r_back,
        templates=sorted(tplans.values(), key=lambda t: t.key),
        add=add,
        retire=sorted(retire),
        revive=sorted(revive),
        reopen=sorted(reopen),
        total_instances=len(wanted.instances),
        renames=renames,
        roster_changes=roster_changes,
    )


def _what_changed(
    want: dict[str, dict[str, Any]],
    have: dict[str, dict[str, Any]],
    keys: list[str],
    fields: tuple[str, ...],
) -> dict[str, list[str]]:
    """For each changed roster row, its changed fields as "field: old -> new" (a move in
    the file's order alone is "order")."""
    out: dict[str, list[str]] = {}
    for k in keys:
        parts = []
        for f in fields:
            if want[k][f] == have[k][f]:
                continue
            parts.append("order" if f == "position" else f"{f}: {have[k][f]} -> {want[k][f]}")
        out[k] = parts
    return out


def _audience_keys(want: str | None, have: str | None) -> str:
    """ "audience (roles)": the audience keys a change touched (stored as one JSON
    object), not all six."""
    a, b = json.loads(want or "{}"), json.loads(have or "{}")
    keys = sorted(k for k in {*a, *b} if a.get(k) != b.get(k))
    return f"audience ({', '.join(keys)})" if keys else "audience"


def _stage_idx_of(item: dict[str, Any], current: Current) -> int | None:
    stages = json.loads(current.settings.get("stages", "[]"))
    stage = item["stage"]
    return stages.index(stage) if stage in stages else None


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


# --- apply ----------------------------------------------------------------------


# the plan's lines name an item's keys as the files write them, not as the store does
FILE_KEY = {
    "valid_days": "valid_for",
    "pass_score": "pass",
    "parties": "signoff parties",
    "due date": "due (its date)",
    "stage order": "stage (its order)",
}


def describe(plan: Plan) -> list[str]:
    """The plan as lines a person reads."""
    if plan.is_empty():
        return ["no changes"]
    out: list[str] = []
    for k, (old, new) in plan.settings_changed.items():
        if k == "sample":
            continue
        out.append(f"handover {k}: {old or '(none)'} -> {new or '(none)'}")
    for label, names in (
        ("members added", plan.members_added),
        ("members deactivated", plan.members_deactivated),
        ("members reactivated", plan.members_reactivated),
        ("members changed", plan.members_changed),
        ("systems added", plan.systems_added),
        ("systems deactivated", plan.systems_deactivated),
        ("systems reactivated", plan.systems_reactivated),
        ("systems changed", plan.systems_changed),
    ):
        if names and label.endswith("changed"):
            moved = [n for n in names if plan.roster_changes.get(n) == ["order"]]
            for n in names:
                what = [w for w in plan.roster_changes.get(n, []) if w != "order"]
                if what:
                    out.append(f"{label.split()[0][:-1]} {n} changed: {'; '.join(what)}")
            if moved:
                out.append(f"{label.split()[0]} reordered: {', '.join(moved)}")
        elif names:
            out.append(f"{label}: {', '.join(names)}")
    for label, pairs in (
        ("receivers added", plan.receivers_added),
        ("receivers dropped", plan.receivers_dropped),
        ("receivers restored", plan.receivers_revived),
    ):
        if pairs:
            shown = ", ".join(f"{m}@{s}" for m, s in pairs[:12])
            more = f" (+{len(pairs) - 12} more)" if len(pairs) > 12 else ""
            out.append(f"{label}: {shown}{more}")
    for old, new in plan.renames.templates.items():
        out.append(f"renamed: template {old} -> {new}")
    for (tkey, old), new in plan.renames.items.items():
        out.append(f"renamed: {tkey}/{old} -> {tkey}/{new}")
    for t in plan.templates:
        if t.is_empty():
            continue
        tag = " (new)" if t.new else " (removed)" if t.removed else ""
        counts = Counter(
            {
                "added": t.added,
                "retired": t.retired,
                "of them done or signed off (their work leaves every figure)": t.retired_work,
                "revived": t.revived,
                "reopened by revision": t.reopened,
                "signed off (the parties left have all signed)": t.settled,
                "reopened: scored below the raised pass mark": t.below_pass,
                f"signature{'' if t.unsigned == 1 else 's'} of parties no longer listed "
                "dropped": t.unsigned,
                f"completion{'' if t.lapsed == 1 else 's'} lapsed by the new valid_for": t.lapsed,
                f"lapsed completion{'' if t.unlapsed == 1 else 's'} holding again under the "
                "new valid_for": t.unlapsed,
                f"open item{'' if t.waiting == 1 else 's'} waiting under the new after": t.waiting,
                f"open item{'' if t.unwaiting == 1 else 's'} no longer waiting under the new "
                "after": t.unwaiting,
            }
        )
        parts = [f"{v} {k}" for k, v in counts.items() if v]
        out.append(f"template {t.key}{tag}: {', '.join(parts) or 'no instance changes'}")
        if t.items_added and not t.new:
            out.append(f"  items added: {', '.join(t.items_added)}")
        if t.items_removed:
            out.append(f"  items removed: {', '.join(t.items_removed)}")
        for ikey, fields in t.items_changed.items():
            shown = ", ".join(FILE_KEY.get(f, f) for f in fields)
            out.append(f"  {ikey}: {shown} changed")
    c = plan.counts()
    out.append(
        f"instances: {c['added']} added, {c['retired']} retired, {c['revived']} revived, "
        f"{c['reopened']} reopened; {c['total']} in all"
    )
    return out
