"""The open instances a changed ``after`` makes wait, or stops making wait: the plan
says so before a lead's sync turns work that could be done into work that may not.

Counted from the plan alone (a dry run writes nothing), by the one rule of waiting,
rules.waits_on, twice: under the old prerequisites over the instances as the store
holds them now, and under the new ones over the instances as the sync will leave them
(kept, added as todo, reopened as todo, retired gone, lapse days as a changed
valid_for or sign-off moves them).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
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
Gates = dict[ItemKey, list[Mapping[str, Any]]]


@dataclass(frozen=True)
class _Stamps:
    signoff: bool
    done_at: str | None
    signed_off_at: str | None
    lapses_on: date | None


def _key(ref: str) -> ItemKey:
    template, item = ref.split("/", 1)
    return template, item


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
    reopened = set(plan.reopen)
    # the prerequisites' instances now (live ones), and once the sync is applied
    now: Gates = defaultdict(list)
    then: Gates = defaultdict(list)
    held = [(i, v) for i, v in current.instances.items() if i[:2] in prerequisites]
    stamps = _stamps(conn, [iid for _i, (iid, retired, _s, _r) in held if not retired])
    for ident, (iid, retired, state, _rev) in held:
        if retired:
            continue
        s = stamps[iid]
        now[ident[:2]].append(_gate(ident, state, s.signoff, s.lapses_on))
        if ident not in wanted.instances:
            continue  # retired by the sync: holds nothing back any more
        if iid in reopened:
            then[ident[:2]].append(_gate(ident, rules.State.TODO, True, None))
            continue
        key = ident[:2]
        signoff = wanted.items[key].signoff if key in wanted.items else s.signoff
        lapses = s.lapses_on
        if key in wanted.items and plan.moves_lapse_days(key):
            stamp = rules.completion_stamp(signoff, s.done_at, s.signed_off_at)
            lapses = rules.lapses_on(state, signoff, stamp, wanted.items[key].valid_days)
        then[key].append(_gate(ident, state, signoff, lapses))
    for ident in plan.add:
        if ident[:2] in prerequisites:
            then[ident[:2]].append(_gate(ident, rules.State.TODO, True, None))

    # the dependants: open work the sync keeps as it is (new and reopened work is
    # counted as such, done work waits on nothing)
    dependants: dict[ItemKey, list[Ident]] = defaultdict(list)
    of_changed = set(changed)
    for ident, (iid, retired, state, _rev) in current.instances.items():
        keeps = ident in wanted.instances and not retired and iid not in reopened
        if ident[:2] in of_changed and keeps and state in OPEN:
            dependants[ident[:2]].append(ident)
    out: Counter[tuple[str, bool]] = Counter()
    for k in changed:
        before = {r: now[_key(r)] for r in old_refs[k]}
        after = {r: then[_key(r)] for r in new_refs[k]}
        for ident in dependants[k]:
            member, system = ident[2], ident[3]
            was = bool(rules.waits_on(member, system, before, today))  # type: ignore[arg-type]
            will = bool(rules.waits_on(member, system, after, today))  # type: ignore[arg-type]
            if was != will:
                out[(k[0], will)] += 1
    return {t: (out[(t, True)], out[(t, False)]) for t in {t for t, _ in out}}


def _gate(ident: Ident, state: str, signoff: bool, lapses_on: date | None) -> dict[str, Any]:
    """A prerequisite instance as rules.waits_on reads one (bound by handle and key)."""
    return {
        "member_id": ident[2],
        "system_id": ident[3],
        "retired": False,
        "state": state,
        "signoff": signoff,
        "lapses_on": lapses_on,
    }


def _stamps(conn: Connection, ids: list[int]) -> dict[int, _Stamps]:
    out: dict[int, _Stamps] = {}
    for start in range(0, len(ids), 900):
        rows = conn.execute(
            select(
                INSTANCE.c.id,
                INSTANCE.c.signoff,
                INSTANCE.c.done_at,
                INSTANCE.c.signed_off_at,
                INSTANCE.c.lapses_on,
            ).where(INSTANCE.c.id.in_(ids[start : start + 900]))
        )
        for r in rows:
            lapses = r.lapses_on
            if lapses is not None and not isinstance(lapses, date):
                lapses = date.fromisoformat(str(lapses)[:10])
            out[r.id] = _Stamps(bool(r.signoff), r.done_at, r.signed_off_at, lapses)
    return out
