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

from sqlalchemy import Connection, and_, case, literal, or_, select
from sqlalchemy.exc import StatementError

from kt_tui.core import lapsing, ledger, rollup, rules
from kt_tui.core.audit import event_hash, hashed_fields
from kt_tui.core.tables import EVENT, INSTANCE, ITEM, META, SIGNATURE


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    head: str
    count: int
    problem: str = ""


# The fields of an instance the log determines, in this order.
REPLAYED_FIELDS = (
    "state",
    "done_by",
    "done_at",
    "signed_off_by",
    "signed_off_at",
    "evidence",
    "note",
    "reason",
    "retired",
    "score",
    "sent_back",
)
Replayed = tuple[Any, ...]
FRESH: Replayed = (
    rules.State.TODO.value, None, None, None, None, None, None, None, False, None, False,
)  # fmt: skip
# what a sync's reopening (a raised revision) clears
_REOPEN_CLEARS = {"state": rules.State.TODO.value, "done_by": None, "done_at": None,
                  "signed_off_by": None, "signed_off_at": None,
                  **rules.REOPENED_BY_REVISION_CLEARS}  # fmt: skip
# instance -> party -> (by, at): the signatures the log says each instance holds
Signatures = dict[int, dict[str, tuple[str, str]]]


class _Mismatch(Exception):
    """An event that the rules could not have written from the state before it."""


def verify(conn: Connection, expected_head: str | None = None) -> VerifyResult:
    """Recompute the chain, then every item's state from it.

    The first event that does not match is named; then the first item whose
    state, done-by or signed-off-by differs from what the log says.
    """
    prev = ""
    count = 0
    seen_head = False
    expected: dict[int, Replayed] = {}
    signatures: Signatures = {}
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
        try:
            _replay(expected, r)
            _replay_signatures(signatures, r)
        except _Mismatch as exc:
            return VerifyResult(False, prev, count, str(exc))
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
    try:
        problem = _stored_difference(conn, expected, recorded, added, legacy)
        problem = problem or _signature_difference(conn, signatures)
    except (ValueError, TypeError, KeyError, StatementError) as exc:
        problem = (
            f"the store holds a value that cannot be read ({type(exc).__name__}): "
            "damaged or edited by hand; restore from a backup"
        )
    if problem:
        return VerifyResult(False, prev, count, problem)
    return VerifyResult(True, prev, count)


def _stored_difference(
    conn: Connection,
    expected: dict[int, Replayed],
    recorded: dict[str, Any] | None,
    added: list[tuple[int, dict[str, Any]]],
    legacy: bool,
) -> str:
    """The first stored row that is not what the replayed log says; '' if none."""
    problem = _check_states(conn, expected)
    if not problem and recorded is not None:
        problem = ledger.first_difference(recorded, ledger.snapshot(conn))
    for event_id, record in added:
        problem = problem or ledger.added_difference(conn, event_id, record)
    if not problem and added:
        # instances from before syncs recorded what they added (an upgraded store)
        # have lower ids than any recorded one: only those above are checked then
        floor = min(a for _e, record in added for a, _b in record["runs"]) if legacy else 0
        problem = _unrecorded_instance(conn, added, floor)
    if not problem:
        problem = _copies_difference(conn)
    if not problem:
        problem = lapsing.difference(conn)  # each lapse day, from what was replayed
    if not problem:
        problem = rollup.recount_difference(conn)
    return problem


def _replay(expected: dict[int, Replayed], r: Any) -> None:
    if r["verb"] == "sync":
        detail = json.loads(r["detail"]) if r["detail"] else {}
        for iid in detail.get("reopened_ids", []):
            expected[iid] = _with(expected.get(iid, FRESH), _REOPEN_CLEARS)
        for key, flag in (("retired_ids", True), ("revived_ids", False)):
            for iid in detail.get(key, []):
                expected[iid] = _with(expected.get(iid, FRESH), {"retired": flag})
        for iid, by, at in detail.get("parties", {}).get("settled", []):
            # a change of parties left nothing missing (sync/party_changes.py)
            now = expected.get(iid, FRESH)
            if now[0] != rules.State.DONE:
                raise _Mismatch(
                    f"event {r['id']}: sync signs off item instance #{iid}, "
                    f"but the log had it {now[0]!r}"
                )
            last = rules.effect(
                rules.Verb.SIGNOFF, now[0], actor=by, at=at, to=rules.State.SIGNED_OFF
            )
            expected[iid] = _with(now, last)
        return
    iid = r["instance_id"]
    if iid is None:
        return
    now = expected.get(iid, FRESH)
    state, verb = now[0], r["verb"]
    # done again on a completion: whether it had lapsed by then is not replayed (its
    # valid_for may have changed since); the lapse day it leaves is (lapsing.difference)
    redo = rules.may_redo(verb, state, lapsed=True)
    if (
        verb not in rules.VERBS
        or r["before"] != state
        or not (rules.allowed_from(verb, state) or redo)
    ):
        raise _Mismatch(
            f"event {r['id']}: {verb} on item instance #{iid} from {r['before']!r}, "
            f"but the log had it {state!r}"
        )
    if (r["after"] or state) not in rules.may_lead_to(verb, state):
        raise _Mismatch(f"event {r['id']}: {verb} cannot lead to {r['after']!r}")
    detail = json.loads(r["detail"]) if r["detail"] else {}
    values = rules.effect(
        verb,
        state,
        actor=r["actor"],
        at=r["at"],
        reason=detail.get("reason"),
        evidence=r["evidence"],
        note=r["note"],
        to=r["after"] if verb in rules.OUTCOMES else None,
        score=r["score"],
    )
    values.update(rules.redo_clears(verb, state))
    if verb == rules.Verb.ASSESS and (
        r["score"] is None
        or r["after"] != rules.sign_outcome(verb, score=r["score"], pass_score=_pass_of(r))
    ):
        raise _Mismatch(
            f"event {r['id']}: assess with score {r['score']!r} cannot lead to {r['after']!r}"
        )
    expected[iid] = _with(now, values)


def _pass_of(r: Any) -> int | None:
    """The pass score an assess event was judged by (kept in its detail)."""
    detail = json.loads(r["detail"]) if r["detail"] else {}
    value = detail.get("pass")
    return value if isinstance(value, int) else None


def _replay_signatures(signatures: Signatures, r: Any) -> None:
    """The signature rows the log says each instance holds: a signoff adds its party's;
    the verbs of rules.DROPS_SIGNATURES, and a sync's reopening, drop them all."""
    if r["verb"] == "sync":
        detail = json.loads(r["detail"]) if r["detail"] else {}
        for iid in detail.get("reopened_ids", []):
            signatures.pop(iid, None)
        for iid, party in detail.get("parties", {}).get("unsigned", []):
            signatures.get(iid, {}).pop(party, None)
        return
    iid = r["instance_id"]
    if iid is None:
        return
    if r["verb"] in rules.DROPS_SIGNATURES:
        signatures.pop(iid, None)
    if r["verb"] == rules.Verb.SIGNOFF:
        party = r["party"] or rules.LEGACY_SIGNOFF_PARTY
        held = signatures.setdefault(iid, {})
        if party in held or any(by == r["actor"] for by, _at in held.values()):
            raise _Mismatch(
                f"event {r['id']}: {r['actor']} signs {party} of item instance #{iid} "
                "twice, or a second party"
            )
        held[party] = (r["actor"], r["at"])
        parties = (json.loads(r["detail"]) if r["detail"] else {}).get("parties")
        if parties is not None:  # recorded since format 2's parties; older events lack it
            outcome = rules.sign_outcome(rules.Verb.SIGNOFF, parties=parties, signed=held)
            if r["after"] != outcome:
                raise _Mismatch(
                    f"event {r['id']}: signoff of item instance #{iid} leads to "
                    f"{r['after']!r}, but with the parties {', '.join(parties)} and the "
                    f"signatures {', '.join(sorted(held))} it leads to {outcome!r}"
                )


def _signature_difference(conn: Connection, signatures: Signatures) -> str:
    """The first signature row that differs from what the log says; '' if none."""
    s = SIGNATURE.c
    stored = {
        (iid, party): (by, at)
        for iid, party, by, at in conn.execute(
            select(s.instance_id, s.party, s.by, s.at).order_by(s.instance_id, s.party)
        )
    }
    wanted = {(iid, p): v for iid, held in signatures.items() for p, v in held.items()}
    for key in sorted(set(stored) | set(wanted)):
        if stored.get(key) != wanted.get(key):
            iid, party = key
            return (
                f"signature of item instance #{iid}, party {party}: the store has "
                f"{stored.get(key)!r}, the log says {wanted.get(key)!r}"
            )
    return ""


def _with(now: Replayed, values: dict[str, Any]) -> Replayed:
    return tuple(values.get(f, v) for f, v in zip(REPLAYED_FIELDS, now, strict=True))


def _check_states(conn: Connection, expected: dict[int, Replayed]) -> str:
    inst = INSTANCE
    cols = [inst.c[f] for f in REPLAYED_FIELDS]
    flags = [i for i, f in enumerate(REPLAYED_FIELDS) if f in ("retired", "sent_back")]
    for iid, *have in conn.execute(select(inst.c.id, *cols).order_by(inst.c.id)):
        for i in flags:
            have[i] = bool(have[i])
        want = expected.get(iid, FRESH)
        if tuple(have) != want:
            diffs = ", ".join(
                f"{f} is {h!r}, the log says {w!r}"
                for f, h, w in zip(REPLAYED_FIELDS, have, want, strict=True)
                if h != w
            )
            return f"item instance #{iid}: {diffs}"
    return ""


def _unrecorded_instance(
    conn: Connection, added: list[tuple[int, dict[str, Any]]], floor: int = 0
) -> str:
    """An instance that no sync event says it added (inserted behind the log's back)."""
    covered = sorted(tuple(run) for _e, record in added for run in record["runs"])
    starts = [a for a, _b in covered]
    ids = select(INSTANCE.c.id).where(INSTANCE.c.id >= floor).order_by(INSTANCE.c.id)
    for (iid,) in conn.execute(ids):
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
        # a live instance has its item's revision; a retired one keeps an older one
        (
            "revision",
            INSTANCE.c.revision,
            case(
                (
                    and_(INSTANCE.c.retired == True, INSTANCE.c.revision <= ITEM.c.revision),  # noqa: E712
                    INSTANCE.c.revision,
                ),
                else_=ITEM.c.revision,
            ),
        ),
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
