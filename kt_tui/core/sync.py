"""Sync: the plan as a pure diff of files against store, applied in one transaction."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, bindparam, insert, select, update

from kt_tui.core import audit, rollup
from kt_tui.core.clock import SYSTEM_CLOCK, Clock
from kt_tui.core.errors import Problem, ValidationFailed
from kt_tui.core.store import Store
from kt_tui.core.tables import INSTANCE, ITEM, MEMBER, RECEIVER, SYSTEM, TEMPLATE
from kt_tui.core.templates import Folder, load_folder

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


# --- what the store holds ---------------------------------------------------


@dataclass
class Current:
    settings: dict[str, str]
    members: dict[str, dict[str, Any]]  # with id, active
    systems: dict[str, dict[str, Any]]
    receivers: dict[tuple[str, str], bool]  # -> active
    templates: dict[str, dict[str, Any]]
    items: dict[tuple[str, str], dict[str, Any]]
    # ident -> (instance id, retired, state, revision)
    instances: dict[Ident, tuple[int, bool, str, int]]


SETTING_KEYS = (
    "handover_name",
    "target_date",
    "stages",
    "ready_threshold",
    "min_ready_per_system",
    "identity",
    "sample",
)


def load_current(store: Store, conn: Connection) -> Current:
    meta = store.meta(conn)
    settings = {k: meta[k] for k in SETTING_KEYS if k in meta}
    members = {r.handle: dict(r._mapping) for r in conn.execute(select(MEMBER))}
    systems = {r.key: dict(r._mapping) for r in conn.execute(select(SYSTEM))}
    handle_of = {m["id"]: h for h, m in members.items()}
    key_of = {s["id"]: k for k, s in systems.items()}
    receivers = {
        (handle_of[r.member_id], key_of[r.system_id]): bool(r.active)
        for r in conn.execute(select(RECEIVER))
    }
    templates = {r.key: dict(r._mapping) for r in conn.execute(select(TEMPLATE))}
    tkey_of = {t["id"]: k for k, t in templates.items()}
    items = {(tkey_of[r.template_id], r.key): dict(r._mapping) for r in conn.execute(select(ITEM))}
    ident_of_item = {it["id"]: key for key, it in items.items()}
    instances: dict[Ident, tuple[int, bool, str, int]] = {}
    rows = conn.execute(
        select(
            INSTANCE.c.id,
            INSTANCE.c.item_id,
            INSTANCE.c.member_id,
            INSTANCE.c.system_id,
            INSTANCE.c.retired,
            INSTANCE.c.state,
            INSTANCE.c.revision,
        )
    )
    for iid, item_id, mid, sid, retired, state, rev in rows:
        t, i = ident_of_item[item_id]
        ident = (t, i, handle_of.get(mid) if mid else None, key_of.get(sid) if sid else None)
        instances[ident] = (iid, bool(retired), state, rev)
    return Current(settings, members, systems, receivers, templates, items, instances)


# --- the plan -----------------------------------------------------------------


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
    revived: int = 0
    reopened: int = 0

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
            "revived": self.revived,
            "reopened": self.reopened,
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

    def is_empty(self) -> bool:
        return not (
            self.settings_changed
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

    m_add, m_gone, m_back, m_changed = roster(
        wanted.members, current.members, ("name", "role", "db_user", "position")
    )
    s_add, s_gone, s_back, s_changed = roster(
        wanted.systems, current.systems, ("name", "tier", "min_ready", "position")
    )
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
        for f, col in (
            ("tiers", "tiers"),
            ("session", "session_at"),
            ("revision", "revision"),
        ):
            if f == "session":
                if (w.session_at, w.session_minutes, w.session_trainer) != (
                    have_item["session_at"],
                    have_item["session_minutes"],
                    have_item["session_trainer"],
                ):
                    changed.append("session")
            elif getattr(w, f) != have_item[col]:
                changed.append(f)
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
        if revisions[(ident[0], ident[1])] > rev and state in ("done", "signed_off"):
            reopen.append(iid)
            tp(ident[0]).reopened += 1
    for template, n in Counter(i[0] for i in add).items():
        tp(template).added += n
    retire: list[int] = []
    for ident, (iid, retired, _state, _rev) in held.items():
        if not retired and ident not in wanted.instances:
            retire.append(iid)
            tp(ident[0]).retired += 1
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
    )


def _stage_idx_of(item: dict[str, Any], current: Current) -> int | None:
    stages = json.loads(current.settings.get("stages", "[]"))
    stage = item["stage"]
    return stages.index(stage) if stage in stages else None


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


# --- apply ----------------------------------------------------------------------


def apply(
    store: Store,
    conn: Connection,
    plan: Plan,
    wanted: Wanted,
    *,
    actor: str,
    login: str,
    clock: Clock = SYSTEM_CLOCK,
) -> None:
    """Apply a plan inside the caller's write transaction, with one event."""
    store.set_meta(conn, {k: v for k, v in wanted.settings.items()})

    member_ids = _upsert_roster(conn, MEMBER, "handle", wanted.members)
    system_ids = _upsert_roster(conn, SYSTEM, "key", wanted.systems)

    have_receivers = {
        (r.member_id, r.system_id): bool(r.active) for r in conn.execute(select(RECEIVER))
    }
    wanted_receivers = {(member_ids[m], system_ids[s]) for m, s in wanted.receivers}
    new_receivers = [
        {"member_id": m, "system_id": s, "active": True}
        for m, s in sorted(wanted_receivers)
        if (m, s) not in have_receivers
    ]
    if new_receivers:
        conn.execute(insert(RECEIVER), new_receivers)
    flips = [
        {"m": m, "s": s, "a": (m, s) in wanted_receivers}
        for (m, s), active in have_receivers.items()
        if active != ((m, s) in wanted_receivers)
    ]
    if flips:
        conn.execute(
            update(RECEIVER)
            .where(RECEIVER.c.member_id == bindparam("m"), RECEIVER.c.system_id == bindparam("s"))
            .values(active=bindparam("a")),
            flips,
        )

    template_ids = _upsert_roster(conn, TEMPLATE, "key", wanted.templates)
    item_ids = _upsert_items(conn, wanted.items, template_ids)

    # instance copies of item attributes follow the items
    copies = [
        {
            "iid": item_ids[k],
            "w": w.weight,
            "so": w.signoff,
            "st": w.stage_idx,
            "du": w.due,
        }
        for k, w in wanted.items.items()
    ]
    if plan.reopen:
        for chunk in _chunks(plan.reopen, 900):
            conn.execute(
                update(INSTANCE)
                .where(INSTANCE.c.id.in_(chunk))
                .values(
                    state="todo",
                    done_by=None,
                    done_at=None,
                    signed_off_by=None,
                    signed_off_at=None,
                    version=INSTANCE.c.version + 1,
                )
            )
    changed_items = {
        (t.key, i) for t in plan.templates for i in t.items_changed if i != "(template)"
    }
    copy_rows = [c for k, c in zip(wanted.items, copies, strict=True) if k in changed_items]
    if copy_rows:
        conn.execute(
            update(INSTANCE)
            .where(INSTANCE.c.item_id == bindparam("iid"))
            .values(
                weight=bindparam("w"),
                signoff=bindparam("so"),
                stage_idx=bindparam("st"),
                due=bindparam("du"),
            ),
            copy_rows,
        )
    for ids, retired in ((plan.retire, True), (plan.revive, False)):
        for chunk in _chunks(ids, 900):
            conn.execute(update(INSTANCE).where(INSTANCE.c.id.in_(chunk)).values(retired=retired))
    # An instance takes its item's revision only while live: one retired when the
    # revision rose keeps the old one, so that reviving it reopens it (diff).
    raised = [
        {"iid": item_ids[k], "rv": w.revision}
        for k, w in wanted.items.items()
        if "revision" in _changes_of(plan, k)
    ]
    if raised:
        conn.execute(
            update(INSTANCE)
            .where(INSTANCE.c.item_id == bindparam("iid"), INSTANCE.c.retired == False)  # noqa: E712
            .values(revision=bindparam("rv")),
            raised,
        )
    item_revision = select(ITEM.c.revision).where(ITEM.c.id == INSTANCE.c.item_id).scalar_subquery()
    for chunk in _chunks(plan.revive, 900):
        conn.execute(
            update(INSTANCE).where(INSTANCE.c.id.in_(chunk)).values(revision=item_revision)
        )

    if plan.add:
        _insert_instances(conn, plan.add, wanted, item_ids, member_ids, system_ids)

    rollup.rebuild(conn)
    audit.record(
        conn,
        at=clock.stamp(),
        actor=actor,
        login=login,
        verb="sync",
        detail={
            **plan.summary(),
            "reopened_ids": plan.reopen,
            "retired_ids": plan.retire,
            "revived_ids": plan.revive,
        },
    )


INSTANCE_COLUMNS = (
    "item_id",
    "member_id",
    "system_id",
    "state",
    "retired",
    "weight",
    "signoff",
    "stage_idx",
    "due",
    "revision",
    "version",
)


def _changes_of(plan: Plan, key: tuple[str, str]) -> list[str]:
    for t in plan.templates:
        if t.key == key[0]:
            return t.items_changed.get(key[1], [])
    return []


def _insert_instances(
    conn: Connection,
    add: list[Ident],
    wanted: Wanted,
    item_ids: dict[tuple[str, str], int],
    member_ids: dict[str, int],
    system_ids: dict[str, int],
) -> None:
    """Bulk insert of new instances: the hot path of a large sync.

    On SQLite the rows go to the driver's executemany as tuples already in
    their stored form (SQLite keeps booleans as 0/1 and dates as ISO text,
    exactly what the Core types would write), which skips SQLAlchemy's
    per-row dict-to-parameter work: about 40% of a million-row sync. Other
    databases take the Core ``insert()`` with lists of dicts.
    """
    sqlite = conn.dialect.name == "sqlite"
    per_item: dict[tuple[str, str], tuple[Any, ...]] = {}
    for key, w in wanted.items.items():
        due: Any = w.due
        if sqlite:
            due = due.isoformat() if due is not None else None
        signoff: Any = int(w.signoff) if sqlite else w.signoff
        per_item[key] = (item_ids[key], w.weight, signoff, w.stage_idx, due, w.revision)
    no: Any = 0 if sqlite else False
    rows = []
    for t, i, m, sy in add:
        iid, weight, signoff, stage_idx, due, revision = per_item[(t, i)]
        rows.append(
            (
                iid,
                member_ids[m] if m else None,
                system_ids[sy] if sy else None,
                "todo",
                no,
                weight,
                signoff,
                stage_idx,
                due,
                revision,
                1,
            )
        )
    if sqlite:
        marks = ", ".join("?" for _ in INSTANCE_COLUMNS)
        sql = f"INSERT INTO instance ({', '.join(INSTANCE_COLUMNS)}) VALUES ({marks})"
        for batch in _chunks(rows, INSERT_CHUNK):
            conn.exec_driver_sql(sql, batch)
        return
    for batch in _chunks(rows, INSERT_CHUNK):
        conn.execute(insert(INSTANCE), [dict(zip(INSTANCE_COLUMNS, r, strict=True)) for r in batch])


def _chunks(seq: list[T], size: int) -> list[list[T]]:
    return [seq[i : i + size] for i in range(0, len(seq), size)]


def _upsert_roster(
    conn: Connection, table: Any, key_col: str, wanted: dict[str, dict[str, Any]]
) -> dict[str, int]:
    have = {getattr(r, key_col): r for r in conn.execute(select(table))}
    new = [{key_col: k, **v, "active": True} for k, v in wanted.items() if k not in have]
    if new:
        conn.execute(insert(table), new)
    for k, r in have.items():
        want = wanted.get(k)
        values: dict[str, Any] = {"active": want is not None}
        if want is not None:
            values.update(want)
        if any(getattr(r, c) != v for c, v in values.items()):
            conn.execute(update(table).where(table.c.id == r.id).values(**values))
    return {getattr(r, key_col): r.id for r in conn.execute(select(table.c.id, table.c[key_col]))}


def _upsert_items(
    conn: Connection, wanted: dict[tuple[str, str], WantedItem], template_ids: dict[str, int]
) -> dict[tuple[str, str], int]:
    tkey_of = {v: k for k, v in template_ids.items()}
    have = {(tkey_of[r.template_id], r.key): r for r in conn.execute(select(ITEM))}

    def values(w: WantedItem) -> dict[str, Any]:
        return {
            "template_id": template_ids[w.template],
            "key": w.key,
            "title": w.title,
            "detail": w.detail,
            "stage": w.stage,
            "weight": w.weight,
            "signoff": w.signoff,
            "evidence": w.evidence,
            "due_spec": w.due_spec,
            "due_date": w.due,
            "tiers": w.tiers,
            "revision": w.revision,
            "session_at": w.session_at,
            "session_minutes": w.session_minutes,
            "session_trainer": w.session_trainer,
            "position": w.position,
            "active": True,
        }

    new = [values(w) for k, w in wanted.items() if k not in have]
    if new:
        conn.execute(insert(ITEM), new)
    for k, r in have.items():
        w = wanted.get(k)
        vals = values(w) if w is not None else {"active": False}
        if any(getattr(r, c) != v for c, v in vals.items()):
            conn.execute(update(ITEM).where(ITEM.c.id == r.id).values(**vals))
    return {
        (tkey_of[r.template_id], r.key): r.id
        for r in conn.execute(select(ITEM.c.id, ITEM.c.template_id, ITEM.c.key))
    }


# --- the whole command -------------------------------------------------------------


def is_bundled_sample(root: Path) -> bool:
    """The folder is the sample shipped with kt-tui (not a copy: `init` makes real ones)."""
    from kt_tui.paths import sample_dir

    try:
        return root.resolve() == sample_dir().resolve()
    except OSError:
        return False


@dataclass
class SyncResult:
    plan: Plan
    applied: bool
    folder: Folder


def _prepare(root: Path, shown: str | None) -> tuple[Folder, Wanted, str]:
    label = shown if shown is not None else str(root)
    folder = load_folder(root, shown)
    return folder, wanted_from(folder, sample=is_bundled_sample(root)), label


def _plan(store: Store, conn: Connection, folder: Folder, wanted: Wanted, label: str) -> Plan:
    if store.is_sqlite and folder.team.handover.identity == "database":
        raise ValidationFailed(
            [
                Problem(
                    f"{label.rstrip('/')}/team.toml",
                    "handover.identity",
                    '"database" needs a PostgreSQL store (KT_DB=postgresql+psycopg://...)',
                )
            ]
        )
    current = load_current(store, conn)
    _refuse_other_handover(current, wanted, folder, label)
    plan = diff(wanted, current)
    plan.warnings = list(folder.warnings)
    return plan


def _refuse_other_handover(current: Current, wanted: Wanted, folder: Folder, shown: str) -> None:
    have = current.settings.get("handover_name")
    want = wanted.settings["handover_name"]
    if have is not None and have != want:
        raise ValidationFailed(
            [
                Problem(
                    f"{shown.rstrip('/')}/team.toml",
                    "handover.name",
                    f"this store holds the handover {have!r}, not {want!r}: "
                    "one store holds one handover (use --db for another)",
                )
            ]
        )


def sync(
    store: Store,
    root: Path,
    *,
    actor: str,
    login: str,
    dry_run: bool = False,
    shown: str | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> SyncResult:
    """Validate the folder, compute the plan and (unless dry) apply it at once.

    The plan is computed inside the write transaction that applies it, so no
    other writer can slip in between the diff and its application.
    """
    folder, wanted, label = _prepare(root, shown)
    if dry_run:
        with store.read() as conn:
            return SyncResult(_plan(store, conn, folder, wanted, label), False, folder)
    with store.write() as conn:
        plan = _plan(store, conn, folder, wanted, label)
        if plan.is_empty():
            return SyncResult(plan, False, folder)
        apply(store, conn, plan, wanted, actor=actor, login=login, clock=clock)
    return SyncResult(plan, True, folder)


def describe(plan: Plan) -> list[str]:
    """The plan as lines a person reads."""
    if plan.is_empty():
        return ["no changes"]
    out: list[str] = []
    for k, (old, new) in plan.settings_changed.items():
        if k == "sample":
            continue
        out.append(f"handover {k}: {old if old is not None else '(none)'} -> {new}")
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
        if names:
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
    for t in plan.templates:
        if t.is_empty():
            continue
        tag = " (new)" if t.new else " (removed)" if t.removed else ""
        counts = Counter(
            {
                "added": t.added,
                "retired": t.retired,
                "revived": t.revived,
                "reopened by revision": t.reopened,
            }
        )
        parts = [f"{v} {k}" for k, v in counts.items() if v]
        out.append(f"template {t.key}{tag}: {', '.join(parts) or 'no instance changes'}")
        if t.items_added and not t.new:
            out.append(f"  items added: {', '.join(t.items_added)}")
        if t.items_removed:
            out.append(f"  items removed: {', '.join(t.items_removed)}")
        for ikey, fields in t.items_changed.items():
            out.append(f"  {ikey}: {', '.join(fields)} changed")
    c = plan.counts()
    out.append(
        f"instances: {c['added']} added, {c['retired']} retired, {c['revived']} revived, "
        f"{c['reopened']} reopened; {c['total']} in all"
    )
    return out
