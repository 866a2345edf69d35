"""verify: the log is the source of truth; the stored tables must be what it says.

Composes the chain check (audit), the replay of every verb through
``rules.effect`` (the same function the actions write with), and the
recount of the rollup counters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from kt_tui.core import rollup, rules
from kt_tui.core.audit import event_hash, hashed_fields
from kt_tui.core.tables import EVENT, INSTANCE


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
    if expected_head and not seen_head:
        return VerifyResult(
            False, prev, count, f"head {expected_head[:16]}... is not in this chain"
        )
    problem = _check_states(conn, expected)
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
