"""The event log: one event per change, chained by SHA-256."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select

from kt_tui.core.tables import EVENT, INSTANCE, ITEM, TEMPLATE


@dataclass(frozen=True)
class EventRow:
    id: int
    at: str
    actor: str
    login: str
    verb: str
    ref: str | None
    before: str | None
    after: str | None
    note: str | None
    evidence: str | None
    detail: Any
    hash: str
    score: int | None = None
    party: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def canonical(fields: dict[str, Any]) -> str:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(fields).encode("utf-8")).hexdigest()


def hashed_fields(row: dict[str, Any]) -> dict[str, Any]:
    """The fields an event's hash covers. ``score`` and ``party`` (schema 3) are
    covered when set, so that events written before them keep their hashes."""
    extra = {k: row[k] for k in ("score", "party") if row.get(k) is not None}
    return extra | {
        "seq": row["id"],
        "at": row["at"],
        "actor": row["actor"],
        "login": row["login"],
        "verb": row["verb"],
        "instance": row["instance_id"],
        "ref": row["ref"],
        "before": row["before"],
        "after": row["after"],
        "note": row["note"],
        "evidence": row["evidence"],
        "detail": row["detail"],
        "prev": row["prev_hash"],
    }


@dataclass(frozen=True)
class Head:
    """The last event of the chain (id None: there is none yet)."""

    id: int | None
    hash: str | None


def head_columns() -> tuple[Any, Any]:
    """The chain's last event as two columns (head_id, head_hash) a caller adds to a
    read of its own under the write lock: one round trip less per action."""
    last = select(func.max(EVENT.c.id)).scalar_subquery()
    return (
        last.label("head_id"),
        select(EVENT.c.hash).where(EVENT.c.id == last).scalar_subquery().label("head_hash"),
    )


def record(
    conn: Connection,
    *,
    at: str,
    actor: str,
    login: str,
    verb: str,
    instance_id: int | None = None,
    ref: str | None = None,
    before: str | None = None,
    after: str | None = None,
    note: str | None = None,
    evidence: str | None = None,
    score: int | None = None,
    party: str | None = None,
    detail: Any = None,
    head: Head | None = None,
) -> int:
    """Append one event inside the caller's write transaction; return its number.
    ``head``: the chain's last event, when the caller read it (head_columns) under the
    write lock."""
    if head is None:
        row0 = conn.execute(
            select(EVENT.c.id, EVENT.c.hash).order_by(EVENT.c.id.desc()).limit(1)
        ).first()
        head = Head(row0.id, row0.hash) if row0 else Head(None, None)
    seq = (head.id + 1) if head.id is not None else 1
    row: dict[str, Any] = {
        "id": seq,
        "at": at,
        "actor": actor,
        "login": login,
        "verb": verb,
        "instance_id": instance_id,
        "ref": ref,
        "before": before,
        "after": after,
        "note": note,
        "evidence": evidence,
        "score": score,
        "party": party,
        "detail": canonical(detail) if detail is not None else None,
        "prev_hash": head.hash if head.id is not None else "",
    }
    row["hash"] = event_hash(hashed_fields(row))
    conn.execute(insert(EVENT).values(**row))
    return seq


def _row(r: Any) -> EventRow:
    return EventRow(
        id=r.id,
        at=r.at,
        actor=r.actor,
        login=r.login,
        verb=r.verb,
        ref=r.ref,
        before=r.before,
        after=r.after,
        note=r.note,
        evidence=r.evidence,
        detail=json.loads(r.detail) if r.detail else None,
        hash=r.hash,
        score=r.score,
        party=r.party,
    )


def recent(
    conn: Connection,
    limit: int | None = 50,
    *,
    ref: str | None = None,
    where: list[Any] | None = None,
    since: str | None = None,
) -> list[EventRow]:
    """The newest events, newest first: of one REF (the events written under it, and
    every event of its item's instances: those from before a rename were written under
    the old REF), meeting ``where`` (conditions on EVENT), from ``since`` on."""
    q = select(EVENT).where(*(where or []))
    if ref is not None:
        template, _, item = ref.partition("/")
        of_item = (
            select(INSTANCE.c.id)
            .join(ITEM, ITEM.c.id == INSTANCE.c.item_id)
            .join(TEMPLATE, TEMPLATE.c.id == ITEM.c.template_id)
            .where(TEMPLATE.c.key == template, ITEM.c.key == item)
        )
        q = q.where(or_(EVENT.c.ref == ref, EVENT.c.instance_id.in_(of_item)))
    if since is not None:
        q = q.where(EVENT.c.at >= since)
    rows = conn.execute(q.order_by(EVENT.c.id.desc()).limit(limit)).all()
    return [_row(r) for r in rows]


def for_instance(conn: Connection, instance_id: int) -> list[EventRow]:
    rows = conn.execute(
        select(EVENT).where(EVENT.c.instance_id == instance_id).order_by(EVENT.c.id)
    ).all()
    return [_row(r) for r in rows]


def head(conn: Connection) -> str:
    h = conn.execute(select(EVENT.c.hash).order_by(EVENT.c.id.desc()).limit(1)).scalar()
    return h or ""
