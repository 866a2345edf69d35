"""Sync, part 2: what the store holds now, read in one pass."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from kt_tui.core.store import Store
from kt_tui.core.sync.desired import Ident
from kt_tui.core.tables import INSTANCE, ITEM, MEMBER, RECEIVER, SYSTEM, TEMPLATE

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


OPTIONAL_SETTINGS = ("start_date",)
SETTING_KEYS = (
    *OPTIONAL_SETTINGS,
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
    # a setting a store predates (start_date, schema 3) reads as unset
    settings = {k: meta.get(k, "") for k in SETTING_KEYS if k in meta or k in OPTIONAL_SETTINGS}
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
