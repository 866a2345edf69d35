"""Sync, part 4: applying a plan in one write transaction, with its one event."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, or_, select, update

from kt_tui.core import audit, lapsing, ledger, rollup, rules
from kt_tui.core.clock import SYSTEM_CLOCK, Clock
from kt_tui.core.parties import drop_signatures
from kt_tui.core.store import Store
from kt_tui.core.sync import pg_copy
from kt_tui.core.sync.desired import (
    INSERT_CHUNK,
    ITEM_V2_FIELDS,
    ByPair,
    Ident,
    T,
    Wanted,
    WantedItem,
)
from kt_tui.core.sync.party_changes import PartyChanges
from kt_tui.core.sync.plan import Plan
from kt_tui.core.sync.renames import rename_rows
from kt_tui.core.tables import INSTANCE, ITEM, MEMBER, RECEIVER, SIGNATURE, SYSTEM, TEMPLATE


def apply(
    store: Store,
    conn: Connection,
    plan: Plan,
    wanted: Wanted,
    *,
    actor: str,
    login: str,
    clock: Clock = SYSTEM_CLOCK,
) -> None:
    """Apply a plan inside the caller's write transaction, with one event.

    The event records what the sync applied (ledger.snapshot and the instances
    it added), so that verify can hold every table to the log.
    """
    before = int(conn.execute(select(func.coalesce(func.max(INSTANCE.c.id), 0))).scalar() or 0)
    store.set_meta(conn, {k: v for k, v in wanted.settings.items()})

    member_ids = _upsert_roster(conn, MEMBER, "handle", wanted.members)
    system_ids = _upsert_roster(conn, SYSTEM, "key", wanted.systems)

    have_receivers = {
        (r.member_id, r.system_id): bool(r.active) for r in conn.execute(select(RECEIVER))
    }
    wanted_receivers = {(member_ids[m], system_ids[s]) for m, s in wanted.receivers}
    new_receivers = [
        {"member_id": m, "system_id": s, "active": True}
        for m, s in sorted(wanted_receivers)
        if (m, s) not in have_receivers
    ]
    if new_receivers:
        conn.execute(insert(RECEIVER), new_receivers)
    flips = [
        {"m": m, "s": s, "a": (m, s) in wanted_receivers}
        for (m, s), active in have_receivers.items()
        if active != ((m, s) in wanted_receivers)
    ]
    if flips:
        conn.execute(
            update(RECEIVER)
            .where(RECEIVER.c.member_id == bindparam("m"), RECEIVER.c.system_id == bindparam("s"))
            .values(active=bindparam("a")),
            flips,
        )

    rename_rows(conn, plan.renames)  # in place: instances and their history carry over
    template_ids = _upsert_roster(conn, TEMPLATE, "key", wanted.templates)
    item_ids = _upsert_items(conn, wanted.items, template_ids)

    # instance copies of item attributes follow the items
    copies = [
        {
            "iid": item_ids[k],
            "w": w.weight,
            "so": w.signoff,
            "st": w.stage_idx,
            "du": w.due,
        }
        for k, w in wanted.items.items()
    ]
    if plan.reopen:
        for chunk in _chunks(plan.reopen, 900):
            conn.execute(
                update(INSTANCE)
                .where(INSTANCE.c.id.in_(chunk))
                .values(
                    state=rules.State.TODO,
                    done_by=None,
                    done_at=None,
                    signed_off_by=None,
                    signed_off_at=None,
                    lapses_on=None,
                    **rules.REOPENED_BY_REVISION_CLEARS,
                    version=INSTANCE.c.version + 1,
                )
            )
        drop_signatures(conn, plan.reopen)
    changed_items = {
        (t.key, i) for t in plan.templates for i in t.items_changed if i != "(template)"
    }
    copy_rows = [c for k, c in zip(wanted.items, copies, strict=True) if k in changed_items]
    if copy_rows:
        conn.execute(
            update(INSTANCE)
            .where(
                INSTANCE.c.item_id == bindparam("iid"),
                # only rows whose copies differ: a revived item's already match
                or_(
                    INSTANCE.c.weight != bindparam("w"),
                    INSTANCE.c.signoff != bindparam("so"),
                    INSTANCE.c.stage_idx.is_distinct_from(bindparam("st")),
                    INSTANCE.c.due.is_distinct_from(bindparam("du")),
                ),
            )
            .values(
                weight=bindparam("w"),
                signoff=bindparam("so"),
                stage_idx=bindparam("st"),
                due=bindparam("du"),
            ),
            copy_rows,
        )
    # one executemany each (a statement per 900 ids cost a minute at a million); a
    # revived instance takes its item's revision as it comes back
    item_revision = select(ITEM.c.revision).where(ITEM.c.id == INSTANCE.c.item_id).scalar_subquery()
    for ids, values in (
        (plan.retire, {"retired": True}),
        (plan.revive, {"retired": False, "revision": item_revision}),
    ):
        if ids:
            conn.execute(
                update(INSTANCE).where(INSTANCE.c.id == bindparam("i")).values(**values),
                [{"i": i} for i in ids],
            )
    # An instance takes its item's revision only while live: one retired when the
    # revision rose keeps the old one, so that reviving it reopens it (diff).
    raised = [
        {"iid": item_ids[k], "rv": w.revision}
        for k, w in wanted.items.items()
        if "revision" in plan.changes_of(k)
    ]
    if raised:
        conn.execute(
            update(INSTANCE)
            .where(INSTANCE.c.item_id == bindparam("iid"), INSTANCE.c.retired == False)  # noqa: E712
            .values(revision=bindparam("rv")),
            raised,
        )

    if plan.add:
        _insert_instances(
            conn, plan.add, wanted, item_ids, member_ids, system_ids, empty=before == 0
        )
    _apply_party_changes(conn, plan.parties)

    # a changed valid_for or sign-off moves the lapse day of completed instances
    lapsing.recompute(
        conn,
        (item_ids[k] for k in wanted.items if plan.moves_lapse_days(k)),
    )
    rollup.rebuild(conn)
    if (
        conn.dialect.name == "postgresql"
        and len(plan.add) + len(plan.revive) >= pg_copy.EMPTY_LOAD_MIN
    ):
        pg_copy.analyze(conn)
    applied = ledger.snapshot(conn)
    if plan.add:
        applied["added"] = ledger.added_since(conn, before)
    audit.record(
        conn,
        at=clock.stamp(),
        actor=actor,
        login=login,
        verb="sync",
        detail={
            **plan.summary(),
            "reopened_ids": plan.reopen,
            "retired_ids": plan.retire,
            "revived_ids": plan.revive,
            **({"parties": plan.parties.record()} if plan.parties else {}),
            "applied": applied,
        },
    )


def _apply_party_changes(conn: Connection, changes: PartyChanges) -> None:
    """Drop the signatures of parties an item no longer lists; sign off the instances
    whose remaining parties have all signed (sync/party_changes.py)."""
    if changes.unsign:
        conn.execute(
            delete(SIGNATURE).where(
                SIGNATURE.c.instance_id == bindparam("i"), SIGNATURE.c.party == bindparam("p")
            ),
            [{"i": i, "p": p} for i, p in changes.unsign],
        )
    if changes.settle:
        # what a signoff filling the last party sets, as its last signer did it then
        rows = [{"i": i, **_last_signoff(by, at)} for i, by, at in changes.settle]
        conn.execute(
            update(INSTANCE)
            .where(INSTANCE.c.id == bindparam("i"))
            .values(
                **{k: bindparam(k) for k in rows[0] if k != "i"},
                version=INSTANCE.c.version + 1,
            ),
            rows,
        )


def _last_signoff(by: str, at: str) -> dict[str, Any]:
    return rules.effect(
        rules.Verb.SIGNOFF, rules.State.DONE, actor=by, at=at, to=rules.State.SIGNED_OFF
    )


INSTANCE_COLUMNS = (
    "item_id",
    "member_id",
    "system_id",
    "state",
    "retired",
    "weight",
    "signoff",
    "stage_idx",
    "due",
    "revision",
    "version",
)


def _insert_instances(
    conn: Connection,
    add: list[Ident],
    wanted: Wanted,
    item_ids: dict[tuple[str, str], int],
    member_ids: dict[str, int],
    system_ids: dict[str, int],
    *,
    empty: bool,
) -> None:
    """Bulk insert of new instances: the hot path of a large sync. ``empty``: the
    instance table held no row before this sync.

    On SQLite the rows go to the driver's executemany as tuples already in
    their stored form (SQLite keeps booleans as 0/1 and dates as ISO text,
    exactly what the Core types would write), which skips SQLAlchemy's
    per-row dict-to-parameter work: about 40% of a million-row sync.
    PostgreSQL takes COPY (sync/pg_copy.py), others the Core ``insert()``.
    """
    if conn.dialect.name == "postgresql" and hasattr(conn.connection.driver_connection, "cursor"):
        lines = _copy_lines(add, wanted, item_ids, member_ids, system_ids)
        pg_copy.copy_rows(conn, "instance", INSTANCE_COLUMNS, lines, rows=len(add), empty=empty)
        return
    sqlite = conn.dialect.name == "sqlite"
    per_item: dict[tuple[str, str], tuple[Any, ...]] = {}
    for key, w in wanted.items.items():
        due: Any = w.due
        if sqlite:
            due = due.isoformat() if due is not None else None
        signoff: Any = int(w.signoff) if sqlite else w.signoff
        per_item[key] = (item_ids[key], w.weight, signoff, w.stage_idx, due, w.revision)
    no: Any = 0 if sqlite else False
    rows = []
    for t, i, m, sy in add:
        iid, weight, signoff, stage_idx, due, revision = per_item[(t, i)]
        rows.append(
            (
                iid,
                member_ids[m] if m else None,
                system_ids[sy] if sy else None,
                rules.State.TODO,
                no,
                weight,
                signoff,
                stage_idx,
                due,
                revision,
                1,
            )
        )
    if sqlite:
        marks = ", ".join("?" for _ in INSTANCE_COLUMNS)
        sql = f"INSERT INTO instance ({', '.join(INSTANCE_COLUMNS)}) VALUES ({marks})"
        for batch in _chunks(rows, INSERT_CHUNK):
            conn.exec_driver_sql(sql, batch)
        return
    for batch in _chunks(rows, INSERT_CHUNK):
        conn.execute(insert(INSTANCE), [dict(zip(INSTANCE_COLUMNS, r, strict=True)) for r in batch])


def _copy_lines(
    add: list[Ident],
    wanted: Wanted,
    item_ids: dict[tuple[str, str], int],
    member_ids: dict[str, int],
    system_ids: dict[str, int],
) -> Iterator[str]:
    """The new instances as COPY text in INSTANCE_COLUMNS order, a block of lines per
    run of one item's instances: each line its item's head and tail around its member
    and system, each part made once."""
    v = pg_copy.text_value
    todo = rules.State.TODO.value
    ends: dict[tuple[str, str], tuple[str, str]] = {}
    for key, w in wanted.items.items():
        rest = (todo, False, w.weight, w.signoff, w.stage_idx, w.due, w.revision, 1)
        ends[key] = (f"{item_ids[key]}\t", "\t" + "\t".join(v(x) for x in rest) + "\n")
    null = v(None)
    members = {m: str(i) for m, i in member_ids.items()}
    systems = {s: str(i) for s, i in system_ids.items()}
    middle = ByPair(lambda m, s: f"{members[m] if m else null}\t{systems[s] if s else null}")
    for key, run in groupby(add, key=itemgetter(0, 1)):
        head, tail = ends[key]
        yield head + (tail + head).join([middle[ident[2:]] for ident in run]) + tail


def _chunks(seq: list[T], size: int) -> list[list[T]]:
    return [seq[i : i + size] for i in range(0, len(seq), size)]


def _upsert_roster(
    conn: Connection, table: Any, key_col: str, wanted: dict[str, dict[str, Any]]
) -> dict[str, int]:
    have = {getattr(r, key_col): r for r in conn.execute(select(table))}
    new = [{key_col: k, **v, "active": True} for k, v in wanted.items() if k not in have]
    if new:
        conn.execute(insert(table), new)
    for k, r in have.items():
        want = wanted.get(k)
        values: dict[str, Any] = {"active": want is not None}
        if want is not None:
            values.update(want)
        if any(getattr(r, c) != v for c, v in values.items()):
            conn.execute(update(table).where(table.c.id == r.id).values(**values))
    return {getattr(r, key_col): r.id for r in conn.execute(select(table.c.id, table.c[key_col]))}


def _upsert_items(
    conn: Connection, wanted: dict[tuple[str, str], WantedItem], template_ids: dict[str, int]
) -> dict[tuple[str, str], int]:
    tkey_of = {v: k for k, v in template_ids.items()}
    have = {(tkey_of[r.template_id], r.key): r for r in conn.execute(select(ITEM))}

    def values(w: WantedItem) -> dict[str, Any]:
        return {
            "template_id": template_ids[w.template],
            "key": w.key,
            "title": w.title,
            "detail": w.detail,
            "stage": w.stage,
            "weight": w.weight,
            "signoff": w.signoff,
            "evidence": w.evidence,
            "due_spec": w.due_spec,
            "due_date": w.due,
            "tiers": w.tiers,
            "revision": w.revision,
            "session_at": w.session_at,
            "session_minutes": w.session_minutes,
            "session_trainer": w.session_trainer,
            **{f: getattr(w, f) for f in ITEM_V2_FIELDS},
            "position": w.position,
            "active": True,
        }

    new = [values(w) for k, w in wanted.items() if k not in have]
    if new:
        conn.execute(insert(ITEM), new)
    # changed rows in two executemany batches (full rows; deactivations): one
    # statement per item cost seconds when a sync revives or retires thousands
    batches: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
    for k, r in have.items():
        w = wanted.get(k)
        vals = values(w) if w is not None else {"active": False}
        if any(getattr(r, c) != v for c, v in vals.items()):
            batches[w is not None].append({"_id": r.id, **vals})
    for rows in batches.values():
        if rows:
            cols = [c for c in rows[0] if c != "_id"]
            conn.execute(
                update(ITEM)
                .where(ITEM.c.id == bindparam("_id"))
                .values({c: bindparam(c) for c in cols}),
                rows,
            )
    return {
        (tkey_of[r.template_id], r.key): r.id
        for r in conn.execute(select(ITEM.c.id, ITEM.c.template_id, ITEM.c.key))
    }


# --- the whole command -------------------------------------------------------------
