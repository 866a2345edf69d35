"""verify: the log is the source of truth; the stored tables must be what it says.

Composes the chain check (audit), the replay of every verb through
``rules.effect`` (the same function the actions write with), and the
recount of the rollup counters.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, case, literal, or_, select

from kt_tui.core import ledger, rollup, rules
from kt_tui.core.audit import event_hash, hashed_fields
from kt_tui.core.tables import EVENT, INSTANCE, ITEM, META


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    head: str
    count: int
    problem: str = ""


# The fields of an item the log determines: state, done_by, signed_off_by,
# evidence, note, reason, retired.
Replayed = tuple[str, str | None, str | None, str | None, str | None, str | None, bool]
FRESH: Replayed = (rules.State.TODO.value, None, None, None, None, None, False)
REPLAYED_FIELDS = ("state", "done_by", "signed_off_by", "evidence", "note", "reason", "retired")


def verify(conn: Connection, expected_head: str | None = None) -> VerifyResult:
    """Recompute the chain, then every item's state from it.

    The first event that does not match is named; then the first item whose
    state, done-by or signed-off-by differs from what the log says.
    """
    prev = ""
    count = 0
    seen_head = False
    expected: dict[int, Replayed] = {}
    recorded: dict[str, Any] | None = None  # the last sync's snapshot of the roster
    added: list[tuple[int, dict[str, Any]]] = []  # (sync event, the instances it added)
    legacy = False  # a sync event written before syncs recorded what they applied
    for r in conn.execute(select(EVENT).order_by(EVENT.c.id)).mappings():
        count += 1
        if r["id"] != count:
            return VerifyResult(False, prev, count, f"event {count}: missing (found {r['id']})")
        if r["prev_hash"] != prev:
            return VerifyResult(
                False, prev, count, f"event {r['id']}: previous hash does not match"
            )
        if event_hash(hashed_fields(dict(r))) != r["hash"]:
            return VerifyResult(
                False, prev, count, f"event {r['id']}: content does not match its hash"
            )
        prev = r["hash"]
        if expected_head and prev == expected_head:
            seen_head = True
        _replay(expected, r)
        if r["verb"] == "sync":
            applied = (json.loads(r["detail"]) if r["detail"] else {}).get("applied")
            if applied is None:
                legacy = True
            else:
                recorded = applied
                if applied.get("added"):
                    added.append((r["id"], applied["added"]))
    if expected_head and not seen_head:
        return VerifyResult(
            False, prev, count, f"head {expected_head[:16]}... is not in this chain"
        )
    problem = _check_states(conn, expected)
    if not problem and recorded is not None:
        problem = ledger.first_difference(recorded, ledger.snapshot(conn))
    for event_id, record in added:
        problem = problem or ledger.added_difference(conn, event_id, record)
    if not problem and added and not legacy:
        problem = _unrecorded_instance(conn, added)
    if not problem:
        problem = _copies_difference(conn)
    if not problem:
        problem = rollup.recount_difference(conn)
    if problem:
        return VerifyResult(False, prev, count, problem)
    return VerifyResult(True, prev, count)


def _replay(expected: dict[int, Replayed], r: Any) -> None:
    if r["verb"] == "sync":
        detail = json.loads(r["detail"]) if r["detail"] else {}
        for iid in detail.get("reopened_ids", []):
            _st, _d, _s, ev, note, reason, retired = expected.get(iid, FRESH)
            expected[iid] = (rules.State.TODO.value, None, None, ev, note, reason, retired)
        for key, flag in (("retired_ids", True), ("revived_ids", False)):
            for iid in detail.get(key, []):
                expected[iid] = (*expected.get(iid, FRESH)[:6], flag)
        return
    iid = r["instance_id"]
    if iid is None:
        return
    state, done_by, signed_by, evidence, note, reason, retired = expected.get(iid, FRESH)
    detail = json.loads(r["detail"]) if r["detail"] else {}
    values = rules.effect(
        r["verb"],
        state,
        actor=r["actor"],
        at=r["at"],
        reason=detail.get("reason"),
        evidence=r["evidence"],
        note=r["note"],
    )
    expected[iid] = (
        r["after"] or values.get("state", state),
        values.get("done_by", done_by),
        values.get("signed_off_by", signed_by),
        values.get("evidence", evidence),
        values.get("note", note),
        values.get("reason", reason),
        retired,
    )


def _check_states(conn: Connection, expected: dict[int, Replayed]) -> str:
    inst = INSTANCE
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


def _unrecorded_instance(conn: Connection, added: list[tuple[int, dict[str, Any]]]) -> str:
    """An instance that no sync event says it added (inserted behind the log's back)."""
    covered = sorted(tuple(run) for _e, record in added for run in record["runs"])
    starts = [a for a, _b in covered]
    for (iid,) in conn.execute(select(INSTANCE.c.id).order_by(INSTANCE.c.id)):
        k = bisect.bisect_right(starts, iid) - 1  # the last run starting at or before it
        if k < 0 or iid > covered[k][1]:
            return f"item instance #{iid}: no sync event added it"
    return ""


def _copies_difference(conn: Connection) -> str:
    """An instance whose copies of its item (weight, sign-off, due, stage) differ from
    the item's, which the log vouches for."""
    meta = {k: v for k, v in conn.execute(select(META.c.key, META.c.value))}
    stages = json.loads(meta.get("stages", "[]"))
    stage_idx = (
        case(*((ITEM.c.stage == name, i) for i, name in enumerate(stages)), else_=None)
        if stages
        else literal(None)
    )
    pairs = (
        ("weight", INSTANCE.c.weight, ITEM.c.weight),
        ("signoff", INSTANCE.c.signoff, ITEM.c.signoff),
        ("due", INSTANCE.c.due, ITEM.c.due_date),
        ("stage_idx", INSTANCE.c.stage_idx, stage_idx),
    )
    q = (
        select(INSTANCE.c.id, *(x for _n, a, b in pairs for x in (a, b)))
        .join(ITEM, ITEM.c.id == INSTANCE.c.item_id)
        .where(ITEM.c.active == True, or_(*(a.is_distinct_from(b) for _n, a, b in pairs)))  # noqa: E712
        .order_by(INSTANCE.c.id)
        .limit(1)
    )
    row = conn.execute(q).first()
    if row is None:
        return ""
    values = list(row[1:])
    diffs = ", ".join(
        f"{name} is {values[2 * i]!r}, its item says {values[2 * i + 1]!r}"
        for i, (name, _a, _b) in enumerate(pairs)
        if values[2 * i] != values[2 * i + 1]
    )
    return f"item instance #{row[0]}: {diffs}"
