"""The open instances a changed ``after`` makes wait, or stops making wait: the plan
says so before a lead's sync turns work that could be done into work that may not.

Counted from the plan alone (a dry run writes nothing): the dependants and their
prerequisites' instances as they will be once the plan is applied (kept, added as
todo, reopened), judged by the one rule of waiting, rules.waits_on, under the old
prerequisites and under the new ones.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from kt_tui.core import rules
from kt_tui.core.sync.desired import Ident, Wanted
from kt_tui.core.sync.plan import Plan
from kt_tui.core.sync.stored import Current
from kt_tui.core.tables import INSTANCE

ItemKey = tuple[str, str]
OPEN = (rules.State.TODO, rules.State.BLOCKED)


def _refs(after: str | None, plan: Plan | None = None) -> list[str]:
    """An item's ``after`` (JSON "template/item" refs); given the plan, a stored one's
    refs in the keys its renames give (the wanted one is written in them already)."""
    refs: list[str] = json.loads(after) if after else []
    r = plan.renames if plan is not None else None
    if not r:
        return refs
    out = []
    for ref in refs:
        t, i = ref.split("/", 1)
        t = r.templates.get(t, t)
        out.append(f"{t}/{r.items.get((t, i), i)}")
    return out


def waiting_changes(
    conn: Connection, plan: Plan, wanted: Wanted, current: Current, today: date
) -> dict[str, tuple[int, int]]:
    """template key -> (open instances newly waiting, open instances no longer waiting),
    over the items whose ``after`` the plan changes. ``current`` is the renamed view."""
    changed = [k for k in wanted.items if k in current.items and "after" in plan.changes_of(k)]
    if not changed:
        return {}
    old_refs = {k: _refs(current.items[k].get("after"), plan) for k in changed}
    new_refs = {k: _refs(wanted.items[k].after) for k in changed}
    prerequisites = {_key(r) for refs in (*old_refs.values(), *new_refs.values()) for r in refs}
    wanted_of = set(changed) | prerequisites
    reopened = set(plan.reopen)
    by_item: dict[ItemKey, list[tuple[Ident, int | None, str]]] = defaultdict(list)
    for ident, (iid, _retired, state, _rev) in current.instances.items():
        if ident[:2] in wanted_of and ident in wanted.instances:  # kept after the sync
            by_item[ident[:2]].append((ident, iid, "todo" if iid in reopened else state))
    for ident in plan.add:
        if ident[:2] in wanted_of:
            by_item[ident[:2]].append((ident, None, rules.State.TODO))
    lapses = _lapses_on(conn, [iid for k in prerequisites for _, iid, _ in by_item.get(k, [])])

    def candidates(ref: str, signoff_of: Mapping[ItemKey, bool]) -> list[Mapping[str, Any]]:
        key = _key(ref)
        return [
            {
                "member_id": ident[2],
                "system_id": ident[3],
                "retired": False,
                "state": state,
                "signoff": signoff_of.get(key, True),
                "lapses_on": lapses.get(iid) if iid is not None else None,
            }
            for ident, iid, state in by_item.get(key, [])
        ]

    old_signoff = {k: bool(v["signoff"]) for k, v in current.items.items()}
    new_signoff = {k: w.signoff for k, w in wanted.items.items()}
    out: Counter[tuple[str, bool]] = Counter()
    for k in changed:
        before = {r: candidates(r, old_signoff) for r in old_refs[k]}
        after = {r: candidates(r, new_signoff) for r in new_refs[k]}
        for ident, own_id, state in by_item.get(k, []):
            if own_id is None or state not in OPEN:
                continue  # new instances change nothing; done work waits on nothing
            member, system = ident[2], ident[3]
            was = bool(rules.waits_on(member, system, before, today))  # type: ignore[arg-type]
            now = bool(rules.waits_on(member, system, after, today))  # type: ignore[arg-type]
            if was != now:
                out[(k[0], now)] += 1
    return {t: (out[(t, True)], out[(t, False)]) for t in {t for t, _ in out}}


def _key(ref: str) -> ItemKey:
    template, item = ref.split("/", 1)
    return template, item


def _lapses_on(conn: Connection, ids: list[int | None]) -> dict[int, date | None]:
    wanted = [i for i in ids if i is not None]
    out: dict[int, date | None] = {}
    for start in range(0, len(wanted), 900):
        chunk = wanted[start : start + 900]
        rows = conn.execute(
            select(INSTANCE.c.id, INSTANCE.c.lapses_on).where(INSTANCE.c.id.in_(chunk))
        )
        for iid, lapses in rows:
            out[iid] = lapses if isinstance(lapses, date) or lapses is None else _date(lapses)
    return out


def _date(value: Any) -> date:
    return date.fromisoformat(str(value)[:10])
