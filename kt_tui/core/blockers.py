"""Blockers, for escalation: every blocked item with its reason, who blocked it, since
when, for how long, and which items wait on it (prerequisites, ``after``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, func, select

from kt_tui.core import rules
from kt_tui.core.tables import EVENT, INSTANCE, ITEM, MEMBER, SYSTEM, TEMPLATE
from kt_tui.core.waiting import bound_ref

LIMIT = 500  # a blockers list longer than this is a different problem


@dataclass(frozen=True)
class Blocker:
    instance_id: int
    ref: str
    title: str
    member: str | None
    system: str | None
    reason: str | None
    by: str | None
    since: str | None  # UTC, ISO 8601: the block's event
    days: int | None  # whole days blocked, by today's date
    waiting: int  # instances held back by it (they name it in ``after``)
    # those instances, as "template/item (member, system)", sorted
    waiting_on_it: list[str] = field(default_factory=list)

    def waiting_words(self, limit: int) -> str:
        """The items that wait on it, by name, the first ``limit`` of a long list:
        ``kt/shadow (eve, api), kt/lead (eve, api), and 3 more``."""
        shown = ", ".join(self.waiting_on_it[:limit])
        more = len(self.waiting_on_it) - limit
        return f"{shown}, and {more} more" if more > 0 else shown

    @property
    def label(self) -> str:
        bound = " ".join(
            f"--{k} {v}" for k, v in (("member", self.member), ("system", self.system)) if v
        )
        return f"{self.ref} {bound}".rstrip()

    def to_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "title": self.title,
            "member": self.member,
            "system": self.system,
            "reason": self.reason,
            "blocked_by": self.by,
            "since": self.since,
            "days": self.days,
            "waiting": self.waiting,
            "waiting_on_it": list(self.waiting_on_it),
        }


def blockers(conn: Connection, today: date, limit: int = LIMIT) -> list[Blocker]:
    """The blocked, counted instances, longest blocked first."""
    ref = TEMPLATE.c.key + "/" + ITEM.c.key
    e = EVENT.alias("block_event")
    last_block = (
        select(func.max(e.c.id))
        .where(e.c.instance_id == INSTANCE.c.id, e.c.verb == rules.Verb.BLOCK)
        .correlate(INSTANCE)
        .scalar_subquery()
    )
    rows = conn.execute(
        select(
            INSTANCE.c.id,
            ref.label("ref"),
            ITEM.c.title,
            MEMBER.c.handle,
            SYSTEM.c.key,
            INSTANCE.c.member_id,
            INSTANCE.c.system_id,
            INSTANCE.c.reason,
            EVENT.c.actor,
            EVENT.c.at,
        )
        .select_from(INSTANCE)
        .join(ITEM, ITEM.c.id == INSTANCE.c.item_id)
        .join(TEMPLATE, TEMPLATE.c.id == ITEM.c.template_id)
        .outerjoin(MEMBER, MEMBER.c.id == INSTANCE.c.member_id)
        .outerjoin(SYSTEM, SYSTEM.c.id == INSTANCE.c.system_id)
        .outerjoin(EVENT, EVENT.c.id == last_block)
        .where(rules.counted_sql(), INSTANCE.c.state == rules.State.BLOCKED)
        .order_by(EVENT.c.id.is_(None), EVENT.c.id, INSTANCE.c.id)
        .limit(limit)
    ).all()
    held = _held_back(conn, list(rows))
    return [
        Blocker(
            r.id,
            r.ref,
            r.title,
            r.handle,
            r.key,
            r.reason,
            r.actor,
            r.at,
            (today - rules.local_day(r.at)).days if r.at else None,
            len(held.get(r.id, [])),
            held.get(r.id, []),
        )
        for r in rows
    ]


def _held_back(conn: Connection, blocked: list[Any]) -> dict[int, list[str]]:
    """For each blocked instance, the live instances it gates (rules.gates: the
    instances of a dependent item that share its bindings, else all of them), sorted."""
    refs = {r.ref for r in blocked}
    if not refs:
        return {}
    out: dict[int, list[str]] = {}
    ref = TEMPLATE.c.key + "/" + ITEM.c.key
    for r in sorted(refs):
        # the JSON list of refs holds it quoted; _ and % in a key are not wildcards
        dependants = conn.execute(
            select(
                INSTANCE.c.member_id,
                INSTANCE.c.system_id,
                ref.label("ref"),
                MEMBER.c.handle,
                SYSTEM.c.key,
            )
            .join(ITEM, ITEM.c.id == INSTANCE.c.item_id)
            .join(TEMPLATE, TEMPLATE.c.id == ITEM.c.template_id)
            .outerjoin(MEMBER, MEMBER.c.id == INSTANCE.c.member_id)
            .outerjoin(SYSTEM, SYSTEM.c.id == INSTANCE.c.system_id)
            .where(ITEM.c.after.contains(f'"{r}"', autoescape=True), rules.counted_sql())
        ).all()
        if not dependants:
            continue
        prereq: list[Mapping[str, Any]] = [
            dict(m)
            for m in conn.execute(
                select(
                    INSTANCE.c.id, INSTANCE.c.member_id, INSTANCE.c.system_id, INSTANCE.c.retired
                )
                .join(ITEM, ITEM.c.id == INSTANCE.c.item_id)
                .join(TEMPLATE, TEMPLATE.c.id == ITEM.c.template_id)
                .where(ref == r)
            ).mappings()
        ]
        mine = {b.id for b in blocked if b.ref == r}
        for d in dependants:
            for g in rules.gates(d.member_id, d.system_id, prereq):
                if g["id"] in mine:
                    out.setdefault(g["id"], []).append(bound_ref(d.ref, d.handle, d.key))
    return {k: sorted(v) for k, v in out.items()}
