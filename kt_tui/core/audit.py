"""The event log: one event per change, chained by SHA-256."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, insert, select

from kt_tui.core.tables import EVENT


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

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def canonical(fields: dict[str, Any]) -> str:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(fields).encode("utf-8")).hexdigest()


def _hashed_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {
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
    detail: Any = None,
) -> int:
    """Append one event inside the caller's write transaction; return its number."""
    head = conn.execute(
        select(EVENT.c.id, EVENT.c.hash).order_by(EVENT.c.id.desc()).limit(1)
    ).first()
    seq = (head.id + 1) if head else 1
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
        "detail": canonical(detail) if detail is not None else None,
        "prev_hash": head.hash if head else "",
    }
    row["hash"] = event_hash(_hashed_fields(row))
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
    )


def recent(conn: Connection, limit: int = 50) -> list[EventRow]:
    rows = conn.execute(select(EVENT).order_by(EVENT.c.id.desc()).limit(limit)).all()
    return [_row(r) for r in rows]


def for_instance(conn: Connection, instance_id: int) -> list[EventRow]:
    rows = conn.execute(
        select(EVENT).where(EVENT.c.instance_id == instance_id).order_by(EVENT.c.id)
    ).all()
    return [_row(r) for r in rows]


def head(conn: Connection) -> str:
    h = conn.execute(select(EVENT.c.hash).order_by(EVENT.c.id.desc()).limit(1)).scalar()
    return h or ""


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    head: str
    count: int
    problem: str = ""


# The fields of an item the log determines: state, done_by, signed_off_by,
# evidence, note, reason, retired.
Replayed = tuple[str, str | None, str | None, str | None, str | None, str | None, bool]
FRESH: Replayed = ("todo", None, None, None, None, None, False)
REPLAYED_FIELDS = ("state", "done_by", "signed_off_by", "evidence", "note", "reason", "retired")
_CLEARS = {"undo", "reopen"}


def verify(conn: Connection, expected_head: str | None = None) -> VerifyResult:
    """Recompute the chain, then every item's state from it.

    The first event that does not match is named; then the first item whose
    state, done-by or signed-off-by differs from what the log says.
    """
    prev = ""
    count = 0
    seen_head = False
    expected: dict[int, Replayed] = {}
    for r in conn.execute(select(EVENT).order_by(EVENT.c.id)).mappings():
        count += 1
        if r["id"] != count:
            return VerifyResult(False, prev, count, f"event {count}: missing (found {r['id']})")
        if r["prev_hash"] != prev:
            return VerifyResult(
                False, prev, count, f"event {r['id']}: previous hash does not match"
            )
        if event_hash(_hashed_fields(dict(r))) != r["hash"]:
            return VerifyResult(
                False, prev, count, f"event {r['id']}: content does not match its hash"
            )
        prev = r["hash"]
        if expected_head and prev == expected_head:
            seen_head = True
        _replay(expected, r)
    if expected_head and not seen_head:
        return VerifyResult(
            False, prev, count, f"head {expected_head[:16]}... is not in this chain"
        )
    problem = _check_states(conn, expected)
    if not problem:
        from kt_tui.core import rollup

        problem = rollup.check(conn)
    if problem:
        return VerifyResult(False, prev, count, problem)
    return VerifyResult(True, prev, count)


def _replay(expected: dict[int, Replayed], r: Any) -> None:
    if r["verb"] == "sync":
        detail = json.loads(r["detail"]) if r["detail"] else {}
        for iid in detail.get("reopened_ids", []):
            _st, _d, _s, ev, note, reason, retired = expected.get(iid, FRESH)
            expected[iid] = ("todo", None, None, ev, note, reason, retired)
        for key, flag in (("retired_ids", True), ("revived_ids", False)):
            for iid in detail.get(key, []):
                expected[iid] = (*expected.get(iid, FRESH)[:6], flag)
        return
    iid = r["instance_id"]
    if iid is None:
        return
    state, done_by, signed_by, evidence, note, reason, retired = expected.get(iid, FRESH)
    verb = r["verb"]
    detail = json.loads(r["detail"]) if r["detail"] else {}
    if verb == "done":
        done_by = r["actor"]
    elif verb == "signoff":
        signed_by = r["actor"]
    elif verb in _CLEARS:
        done_by = signed_by = None
    if verb in ("block", "na"):
        reason = detail.get("reason")
    elif verb in ("done", "undo", "reopen", "unblock"):
        reason = None
    if r["evidence"] is not None:
        evidence = r["evidence"]
    if r["note"] is not None:
        note = r["note"]
    after = r["after"] or state
    expected[iid] = (after, done_by, signed_by, evidence, note, reason, retired)


def _check_states(conn: Connection, expected: dict[int, Replayed]) -> str:
    from kt_tui.core.tables import INSTANCE as inst

    cols = [inst.c[f] for f in REPLAYED_FIELDS]
    for iid, *have in conn.execute(select(inst.c.id, *cols).order_by(inst.c.id)):
        have[-1] = bool(have[-1])
        want = expected.get(iid, FRESH)
        if tuple(have) != want:
            diffs = ", ".join(
                f"{f} is {h!r}, the log says {w!r}"
                for f, h, w in zip(REPLAYED_FIELDS, have, want, strict=True)
                if h != w
            )
            return f"item instance #{iid}: {diffs}"
    return ""
