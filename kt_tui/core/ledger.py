"""What a sync applied, recorded in its event so that the log is the source of truth.

A sync event carries ``applied``: the roster, receivers, settings and items as
the sync left them (a few rows each: members, systems, items), and the
instances it added as id runs with a SHA-256 over their identity (item,
member, system), which keeps a million-instance sync event small. ``verify``
reads the same snapshot from the tables and compares it, row by row, with the
last recorded one, and recomputes each recorded digest.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import Boolean, Connection, and_, or_, select, text

from kt_tui.core.tables import INSTANCE, ITEM, MEMBER, META, RECEIVER, SYSTEM, TEMPLATE

# table name -> (key columns, compared columns), each read in key order
SNAPSHOT: dict[str, tuple[Any, tuple[str, ...], tuple[str, ...]]] = {
    "members": (
        MEMBER,
        ("id",),
        ("handle", "name", "role", "side", "tracks", "db_user", "position", "active"),
    ),
    "systems": (SYSTEM, ("id",), ("key", "name", "tier", "min_ready", "position", "active")),
    "receivers": (RECEIVER, ("member_id", "system_id"), ("active",)),
    "templates": (TEMPLATE, ("id",), ("key", "title", "kind", "scope", "path", "active")),
    "items": (
        ITEM,
        ("id",),
        (
            "template_id", "key", "title", "detail", "stage", "weight", "signoff", "evidence",
            "due_spec", "due_date", "tiers", "revision", "session_at", "session_minutes",
            "session_trainer", "owner", "parties", "audience", "after", "valid_days",
            "pass_score", "scale", "sessions", "position", "active",
        ),
    ),
}  # fmt: skip
# meta values a sync sets (not the schema version, which an upgrade writes)
SETTINGS_SKIPPED = ("schema_version",)
# The columns a sync of schema 2 recorded, where schema 3 added some: a store upgraded
# since its last sync is compared on these (the upgrade step fills the new ones).
RECORDED_BY_SCHEMA_2: dict[str, tuple[str, ...]] = {
    "members": ("handle", "name", "role", "db_user", "position", "active"),
    "items": (
        "template_id", "key", "title", "detail", "stage", "weight", "signoff", "evidence",
        "due_spec", "due_date", "tiers", "revision", "session_at", "session_minutes",
        "session_trainer", "position", "active",
    ),
}  # fmt: skip


def snapshot(conn: Connection) -> dict[str, Any]:
    """The roster, receivers, settings and items as stored now, in JSON-able form."""
    out: dict[str, Any] = {
        "settings": {
            k: v
            for k, v in conn.execute(select(META.c.key, META.c.value).order_by(META.c.key))
            if k not in SETTINGS_SKIPPED
        }
    }
    for name, (table, keys, cols) in SNAPSHOT.items():
        rows = conn.execute(
            select(*(table.c[k] for k in keys), *(table.c[c] for c in cols)).order_by(
                *(table.c[k] for k in keys)
            )
        )
        out[name] = [
            [
                *r[: len(keys)],
                *(_bool(table, c, v) for c, v in zip(cols, r[len(keys) :], strict=True)),
            ]
            for r in rows
        ]
    return out


def _values(table: Any, cols: tuple[str, ...], values: Any) -> list[Any]:
    return [_bool(table, c, v) for c, v in zip(cols, values, strict=True)]


def _bool(table: Any, column: str, value: Any) -> Any:
    """A value as JSON keeps it: booleans as booleans whatever the database hands back
    (SQLite: 0/1), dates as ISO text."""
    if value is not None and _is_boolean(table, column):
        return bool(value)
    return value.isoformat() if isinstance(value, date) else value


@functools.lru_cache(maxsize=256)
def _is_boolean(table: Any, column: str) -> bool:
    """Asked once per column (rendering a type's name for every value was 0.7 s of a
    100k sync)."""
    return isinstance(table.c[column].type, Boolean)


def first_difference(recorded: dict[str, Any], stored: dict[str, Any]) -> str:
    """The first row where the tables differ from what the last sync recorded; '' if none."""
    want_s, have_s = recorded.get("settings", {}), stored["settings"]
    for key in sorted(set(want_s) | set(have_s)):
        if want_s.get(key) != have_s.get(key):
            return f"setting {key} is {have_s.get(key)!r}, the log says {want_s.get(key)!r}"
    for name, (_table, keys, cols) in SNAPSHOT.items():
        want = {tuple(r[: len(keys)]): r[len(keys) :] for r in recorded.get(name, [])}
        have = {tuple(r[: len(keys)]): r[len(keys) :] for r in stored[name]}
        cols, have = _as_recorded(name, cols, want, have)
        for key in sorted(set(want) | set(have)):
            w, h = want.get(key), have.get(key)
            if w == h:
                continue
            where = f"{name[:-1]} {'/'.join(str(k) for k in key)}"
            if w is None:
                return f"{where}: in the table, but no sync recorded it"
            if h is None:
                return f"{where}: recorded by a sync, missing from the table"
            diffs = ", ".join(
                f"{c} is {hv!r}, the log says {wv!r}"
                for c, hv, wv in zip(cols, h, w, strict=True)
                if hv != wv
            )
            return f"{where}: {diffs}"
    return ""


def _as_recorded(
    name: str, cols: tuple[str, ...], want: dict[Any, Any], have: dict[Any, Any]
) -> tuple[tuple[str, ...], dict[Any, Any]]:
    """The stored rows cut to the columns the recording holds (fewer when a sync of
    schema 2 wrote it)."""
    older = RECORDED_BY_SCHEMA_2.get(name)
    if older is None or not want or any(len(w) != len(older) for w in want.values()):
        return cols, have
    at = [cols.index(c) for c in older]
    return older, {k: [h[i] for i in at] for k, h in have.items()}


# --- instances a sync added -------------------------------------------------------


def runs(ids: Iterable[int]) -> list[list[int]]:
    """Sorted ids as [first, last] runs."""
    out: list[list[int]] = []
    for i in ids:
        if out and i == out[-1][1] + 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


def _identity_rows(conn: Connection, id_runs: list[list[int]]) -> Iterator[Any]:
    if not id_runs:
        return iter(())
    within = or_(*(and_(INSTANCE.c.id >= a, INSTANCE.c.id <= b) for a, b in id_runs))
    q = (
        select(INSTANCE.c.id, INSTANCE.c.item_id, INSTANCE.c.member_id, INSTANCE.c.system_id)
        .where(within)
        .order_by(INSTANCE.c.id)
        .execution_options(yield_per=10_000)  # on the statement: a connection's would stay
    )
    return iter(conn.execute(q))


def identity_digest(rows: Iterable[Any]) -> tuple[int, str]:
    """How many instances and a SHA-256 over "id,item,member,system" lines, in id order."""
    h = hashlib.sha256()
    n = 0
    for iid, item, member, system in rows:
        h.update(f"{iid},{item},{member or 0},{system or 0}\n".encode())
        n += 1
    return n, h.hexdigest()


def added_since(conn: Connection, before: int) -> dict[str, Any]:
    """The record of the instances a sync just inserted (ids above ``before``)."""
    if conn.dialect.name == "postgresql":
        return _added_since_sql(conn, before)
    q = select(INSTANCE.c.id).where(INSTANCE.c.id > before).order_by(INSTANCE.c.id)
    id_runs = runs(i for (i,) in conn.execute(q))
    n, digest = identity_digest(_identity_rows(conn, id_runs))
    return {"runs": id_runs, "count": n, "sha256": digest}


# added_since on PostgreSQL: the digest over the lines identity_digest hashes
# ("id,item,member,system\n", 0 for none) in id order; the runs as gaps and islands
_ADDED_DIGEST = text(
    "SELECT count(*), min(id), max(id), encode(sha256(convert_to(coalesce(string_agg("
    "concat_ws(',', id, item_id, coalesce(member_id, 0), coalesce(system_id, 0)) || chr(10), "
    "'' ORDER BY id), ''), 'UTF8')), 'hex') FROM instance WHERE id > :before"
)
_ADDED_RUNS = text(
    "SELECT min(id), max(id) FROM (SELECT id, id - row_number() OVER (ORDER BY id) AS island "
    "FROM instance WHERE id > :before) AS added GROUP BY island ORDER BY 1"
)


def _added_since_sql(conn: Connection, before: int) -> dict[str, Any]:
    """added_since computed where the rows are (reading them back cost a second of a
    100k sync); verify recomputes the digest from the rows with identity_digest."""
    count, first, last, digest = conn.execute(_ADDED_DIGEST, {"before": before}).one()
    if not count:
        id_runs = []
    elif last - first + 1 == count:  # no gap (ids are unique): one run
        id_runs = [[first, last]]
    else:
        id_runs = [[a, b] for a, b in conn.execute(_ADDED_RUNS, {"before": before})]
    return {"runs": id_runs, "count": int(count), "sha256": digest}


def added_difference(conn: Connection, event_id: int, added: dict[str, Any]) -> str:
    """'' when the instances a sync event added are still as it recorded them."""
    n, digest = identity_digest(_identity_rows(conn, added.get("runs", [])))
    if n != added.get("count") or digest != added.get("sha256"):
        first, last = added["runs"][0][0], added["runs"][-1][1]
        return (
            f"instances #{first}..#{last} added by sync event {event_id}: their item, "
            f"member or system (or their number, {n} against {added.get('count')}) "
            "differ from what the event recorded"
        )
    return ""
