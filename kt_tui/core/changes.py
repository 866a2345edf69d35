"""What changed since a date: items completed, signed off and reopened, from the log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from kt_tui.core import rules
from kt_tui.core.burnup import sync_reopened
from kt_tui.core.instances import with_instance_joins
from kt_tui.core.tables import EVENT, INSTANCE, ITEM, MEMBER, SYSTEM

# verbs that can complete an item (done where no sign-off is needed, the last sign-off)
COMPLETED_VERBS: tuple[str, ...] = (rules.Verb.DONE, rules.Verb.SIGNOFF, rules.Verb.ASSESS)
# a sign-off counts once it is whole (the last party's), a passing assessment too
SIGNED_OFF_VERBS: tuple[str, ...] = (rules.Verb.SIGNOFF, rules.Verb.ASSESS)
REOPENED_VERBS: tuple[str, ...] = (rules.Verb.REOPEN, rules.Verb.UNDO, rules.Verb.REJECT)


@dataclass(frozen=True)
class Change:
    event_id: int
    instance_id: int | None
    at: str
    actor: str
    verb: str
    ref: str | None
    title: str | None
    member: str | None
    system: str | None
    before: str | None
    after: str | None
    note: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.event_id,
            "instance_id": self.instance_id,
            "at": self.at,
            "actor": self.actor,
            "verb": self.verb,
            "ref": self.ref,
            "title": self.title,
            "member": self.member,
            "system": self.system,
            "before": self.before,
            "after": self.after,
            "note": self.note,
        }


@dataclass(frozen=True)
class Changes:
    since: date
    completed: list[Change]
    signed_off: list[Change]
    reopened: list[Change]

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "completed": [c.to_json() for c in self.completed],
            "signed_off": [c.to_json() for c in self.signed_off],
            "reopened": [c.to_json() for c in self.reopened],
        }


def changes_since(conn: Connection, since: date) -> Changes:
    """Items completed, signed off and reopened from ``since`` (UTC day) on.

    ``completed`` holds the items that are complete now and became so since then,
    once each (the last event that completed them): an item done and undone, or
    done and still awaiting its sign-off, is not counted as completed."""
    verbs = (*COMPLETED_VERBS, *SIGNED_OFF_VERBS, *REOPENED_VERBS, "sync")
    q = (
        select(
            EVENT.c.id,
            EVENT.c.instance_id,
            EVENT.c.at,
            EVENT.c.actor,
            EVENT.c.verb,
            EVENT.c.ref,
            EVENT.c.before,
            EVENT.c.after,
            EVENT.c.note,
            EVENT.c.detail,
            ITEM.c.title,
            INSTANCE.c.state.label("state_now"),
            INSTANCE.c.signoff.label("signoff_now"),
            INSTANCE.c.retired.label("retired_now"),
            MEMBER.c.handle.label("member"),
            SYSTEM.c.key.label("system"),
        )
        .select_from(
            with_instance_joins(
                EVENT.outerjoin(INSTANCE, INSTANCE.c.id == EVENT.c.instance_id), outer=True
            )
        )
        .where(EVENT.c.at >= since.isoformat(), EVENT.c.verb.in_(verbs))
        .order_by(EVENT.c.id)
    )
    completed: dict[int, Change] = {}  # instance -> the last event that completed it
    signed: list[Change] = []
    reopened: list[Change] = []
    for r in conn.execute(q):
        if r.verb == "sync":
            n = sync_reopened(r.detail)
            if not n:
                continue
            note = f"sync reopened {n} item{'s' if n != 1 else ''} (raised revision)"
            change = Change(
                r.id, None, r.at, r.actor, "sync", None, None, None, None, None, None, note
            )
            reopened.append(change)
            continue
        change = Change(
            r.id,
            r.instance_id,
            r.at,
            r.actor,
            r.verb,
            r.ref,
            r.title,
            r.member,
            r.system,
            r.before,
            r.after,
            r.note,
        )
        if r.verb in SIGNED_OFF_VERBS:
            if r.after == rules.State.SIGNED_OFF:  # a partial sign-off is not one yet
                signed.append(change)
        elif r.verb not in COMPLETED_VERBS:
            reopened.append(change)
        complete_now = (
            r.state_now is not None
            and rules.is_counted(r.state_now, bool(r.retired_now))
            and rules.is_complete(r.state_now, bool(r.signoff_now))
        )
        completes = r.after is not None and rules.is_complete(r.after, bool(r.signoff_now))
        if r.verb in COMPLETED_VERBS and complete_now and completes and r.instance_id:
            completed.pop(r.instance_id, None)  # keep event order: the last one counts
            completed[r.instance_id] = change
    return Changes(since, list(completed.values()), signed, reopened)
