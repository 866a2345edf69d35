"""Item instances as rows: the one instance join, the row type, listings and paging."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, bindparam, func, null, select

from kt_tui.core import labels, rules
from kt_tui.core.filters import Filter, conditions
from kt_tui.core.identity import Actor
from kt_tui.core.sorting import DEFAULT_SORT, Sort
from kt_tui.core.tables import INSTANCE, ITEM, MEMBER, SIGNATURE, SYSTEM, TEMPLATE


def with_instance_joins(source: Any = INSTANCE, *, outer: bool = False) -> Any:
    """``source`` (the instance table, or a join that holds it) joined to the instance's
    item, template, member and system: the one way every query reaches them."""
    join = source.outerjoin if outer else source.join
    j = join(ITEM, ITEM.c.id == INSTANCE.c.item_id)
    j = (j.outerjoin if outer else j.join)(TEMPLATE, TEMPLATE.c.id == ITEM.c.template_id)
    j = j.outerjoin(MEMBER, MEMBER.c.id == INSTANCE.c.member_id)
    return j.outerjoin(SYSTEM, SYSTEM.c.id == INSTANCE.c.system_id)


# DESIGN's item fields of ``export json``, then id, complete and overdue: the
# JSON items and the CSV columns, in this order.
ITEM_JSON_FIELDS = (
    "ref",
    "template",
    "item",
    "title",
    "kind",
    "scope",
    "member",
    "system",
    "stage",
    "weight",
    "state",
    "due",
    "done_by",
    "done_at",
    "signed_off_by",
    "signed_off_at",
    "evidence",
    "note",
    "reason",
    "id",
    "complete",
    "overdue",
    # lapsing and waiting (issue 11)
    "lapsed",
    "waiting_on",
    # format 2: who does it, who signs it, the last score, sent back by a reject
    "owner",
    "parties",
    "score",
    "sent_back",
    "signatures",  # (party, by, at) of each signature given, in order
)


@dataclass(frozen=True, slots=True)
class Signed:
    """One signature: the party filled, by whom, when (UTC)."""

    party: str
    by: str
    at: str

    def to_json(self) -> dict[str, str]:
        return {"party": self.party, "by": self.by, "at": self.at}


def where_of(member: str | None, system: str | None) -> str:
    """The --member/--system flags that pick an instance on the command line."""
    parts = []
    if member:
        parts.append(f"--member {member}")
    if system:
        parts.append(f"--system {system}")
    return " ".join(parts)


def label_of(ref: str, member: str | None, system: str | None) -> str:
    """An instance's REF with the flags that pick it: how messages name it."""
    return f"{ref} {where_of(member, system)}".rstrip()


def labels_of(conn: Connection, ids: list[int]) -> dict[int, str]:
    """The labels of these instances (a bulk verb's refused ones), a few reads."""
    out: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        q = (
            select(INSTANCE.c.id, TEMPLATE.c.key, ITEM.c.key, MEMBER.c.handle, SYSTEM.c.key)
            .select_from(
                INSTANCE.join(ITEM, ITEM.c.id == INSTANCE.c.item_id)
                .join(TEMPLATE, TEMPLATE.c.id == ITEM.c.template_id)
                .outerjoin(MEMBER, MEMBER.c.id == INSTANCE.c.member_id)
                .outerjoin(SYSTEM, SYSTEM.c.id == INSTANCE.c.system_id)
            )
            .where(INSTANCE.c.id.in_(ids[start : start + 500]))
        )
        for iid, template, item, member, system in conn.execute(q):
            out[iid] = label_of(f"{template}/{item}", member, system)
    return out


@dataclass(slots=True)
class InstanceRow:
    id: int
    ref: str
    template: str
    template_title: str
    item: str
    title: str
    detail: str
    kind: str
    scope: str
    member: str | None
    system: str | None
    stage: str | None
    stage_idx: int | None
    weight: int
    signoff: bool
    evidence_required: bool
    state: str
    due: date | None
    done_by: str | None
    done_at: str | None
    signed_off_by: str | None
    signed_off_at: str | None
    evidence: str | None
    note: str | None
    reason: str | None
    complete: bool
    overdue: bool
    retired: bool
    version: int
    session_at: str | None
    session_minutes: int | None
    session_trainer: str | None
    member_id: int | None = None
    system_id: int | None = None
    # lapsing and waiting (issue 11)
    lapses_on: date | None = None
    valid_days: int | None = None
    lapsed: bool = False
    waiting_on: list[str] = field(default_factory=list)

    @property
    def waiting(self) -> bool:
        return bool(self.waiting_on)

    @property
    def shown_state(self) -> str:
        """The state as a user reads it: lapsed or waiting where that is so."""
        return labels.shown_state(self.state, lapsed=self.lapsed, waiting=self.waiting)

    # owners, parties, signatures and scores (format 2)
    owner: str = rules.OWNER_RECEIVER
    parties: tuple[str, ...] = ()  # in their listed order
    pass_score: int | None = None
    scale: int | None = None
    score: int | None = None  # the last assessment score
    sent_back: bool = False  # rejected, until done again
    after: tuple[str, ...] = ()  # the item's prerequisites (refs), in their listed order
    signatures: list[Signed] = field(default_factory=list)  # in the order they were given
    signatures_read: bool = False  # read from the store (only where it can have some)

    def to_json(self) -> dict[str, Any]:
        """The item fields of DESIGN's ``export json`` (plus id, complete, overdue)."""
        out = {k: getattr(self, k) for k in ITEM_JSON_FIELDS}
        out["due"] = self.due.isoformat() if self.due else None
        out["parties"] = list(self.parties)
        out["signatures"] = [s.to_json() for s in self.signatures]
        return out

    def listing_json(self) -> dict[str, Any]:
        """``list --json`` and ``queue --json``: the export's fields, plus the signatures
        (party, by, at) and the missing parties."""
        out = self.to_json()
        out["missing"] = self.missing if self.state == rules.State.DONE else []
        return out

    @property
    def may_hold_signatures(self) -> bool:
        """Whether the store may hold signatures of it: its state can have some
        (rules.STATES_WITH_SIGNATURES), unless they were read and there were none."""
        if self.state not in rules.STATES_WITH_SIGNATURES:
            return False
        return bool(self.signatures) or not self.signatures_read

    @property
    def signed(self) -> dict[str, str]:
        """party -> who signed it."""
        return {s.party: s.by for s in self.signatures}

    @property
    def missing(self) -> list[str]:
        """The parties not signed yet, in their listed order."""
        return rules.missing_parties(self.parties, self.signed)

    @property
    def signing(self) -> str:
        """How far its sign-off is: "1 of 2 signed; missing client-lead"; "not needed"
        when it has no party; '' when it is not done (core/labels.py words it, for SQL
        too)."""
        return labels.signing(self.kind, self.state, self.parties, self.signed)

    @property
    def state_label(self) -> str:
        """The state as shown: lapsed or waiting where that is so (shown_state), and
        "sent back" for a rejected item until it is done again."""
        return labels.state_label(
            self.state, lapsed=self.lapsed, waiting=self.waiting, sent_back=self.sent_back
        )

    @property
    def score_label(self) -> str:
        """The last score of an assessment as "3/4 (pass 3)"; '' where none."""
        return labels.score_label(self.score, self.scale, self.pass_score)

    @property
    def label(self) -> str:
        """The REF with the flags that pick this instance: how messages name it."""
        return label_of(self.ref, self.member, self.system)

    @property
    def where(self) -> str:
        """The --member/--system flags that pick this instance on the command line."""
        return where_of(self.member, self.system)


def _columns(today: date, *, waiting: bool = True) -> list[Any]:
    """The columns of InstanceRow, in its field order (``waiting``: False leaves
    waiting_on empty, its subquery unasked)."""
    return [
        INSTANCE.c.id,
        (TEMPLATE.c.key + "/" + ITEM.c.key).label("ref"),
        TEMPLATE.c.key.label("template"),
        TEMPLATE.c.title.label("template_title"),
        ITEM.c.key.label("item"),
        ITEM.c.title,
        ITEM.c.detail,
        TEMPLATE.c.kind,
        TEMPLATE.c.scope,
        MEMBER.c.handle.label("member"),
        SYSTEM.c.key.label("system"),
        ITEM.c.stage,
        INSTANCE.c.stage_idx,
        INSTANCE.c.weight,
        INSTANCE.c.signoff,
        ITEM.c.evidence.label("evidence_required"),
        INSTANCE.c.state,
        INSTANCE.c.due,
        INSTANCE.c.done_by,
        INSTANCE.c.done_at,
        INSTANCE.c.signed_off_by,
        INSTANCE.c.signed_off_at,
        INSTANCE.c.evidence,
        INSTANCE.c.note,
        INSTANCE.c.reason,
        rules.complete_on_sql(today).label("complete"),
        rules.overdue_on_sql(today).label("overdue"),
        INSTANCE.c.retired,
        INSTANCE.c.version,
        ITEM.c.session_at,
        ITEM.c.session_minutes,
        ITEM.c.session_trainer,
        INSTANCE.c.member_id,
        INSTANCE.c.system_id,
        INSTANCE.c.lapses_on,
        ITEM.c.valid_days,
        rules.lapsed_sql(today).label("lapsed"),
        (rules.waiting_refs_sql(today, after=ITEM.c.after) if waiting else null()).label(
            "waiting_on"
        ),
        ITEM.c.owner,
        ITEM.c.parties,
        ITEM.c.pass_score,
        ITEM.c.scale,
        INSTANCE.c.score,
        INSTANCE.c.sent_back,
        ITEM.c.after,
    ]


def _base(today: date, *, waiting: bool = True) -> Any:
    return select(*_columns(today, waiting=waiting)).select_from(with_instance_joins())


def _row(r: Any) -> InstanceRow:
    row = InstanceRow(*r)
    row.detail = row.detail or ""
    # SQLite hands back 0/1 for computed booleans
    row.signoff, row.evidence_required = bool(row.signoff), bool(row.evidence_required)
    row.complete, row.overdue, row.retired = (
        bool(row.complete),
        bool(row.overdue),
        bool(row.retired),
    )
    row.lapsed = bool(row.lapsed)
    row.waiting_on = rules.split_refs(row.waiting_on)  # type: ignore[arg-type]
    row.parties = _listed(row.parties) if isinstance(row.parties, str) else ()
    row.after = _listed(row.after) if isinstance(row.after, str) else ()
    row.sent_back = bool(row.sent_back)
    return row


@functools.lru_cache(maxsize=256)
def _listed(text: str) -> tuple[str, ...]:
    """An item's parties or prerequisites from their JSON text: items are few, rows
    many, so parse once."""
    return tuple(json.loads(text))


def _with_signatures(conn: Connection, rows: list[InstanceRow]) -> list[InstanceRow]:
    """Fill in the signatures of the rows that can have some (done or signed off)."""
    ids = [r.id for r in rows if r.parties and r.state in rules.SIGNATURES_SHOWN_IN]
    if not ids:
        return rows
    wanted = set(ids)
    found: dict[int, list[Signed]] = {}
    s = SIGNATURE.c
    for i in range(0, len(ids), 900):
        q = (
            select(s.instance_id, s.party, s.by, s.at)
            .where(s.instance_id.in_(ids[i : i + 900]))
            .order_by(s.instance_id, s.at, s.party)
        )
        for iid, party, by, at in conn.execute(q):
            found.setdefault(iid, []).append(Signed(party, by, at))
    for r in rows:
        if r.id in wanted:
            r.signatures = found.get(r.id, [])
            r.signatures_read = True
    return rows


def list_instances(
    conn: Connection, f: Filter, actor: Actor | None, today: date, **page: Any
) -> list[InstanceRow]:
    """Instances grouped by template, then stage, then item, member, system, or in
    another order of core/sorting.py (``page``: iter_instances' extra, limit, offset,
    sort)."""
    return list(iter_instances(conn, f, actor, today, **page))


def iter_instances(
    conn: Connection,
    f: Filter,
    actor: Actor | None,
    today: date,
    *,
    extra: list[Any] | None = None,
    limit: int | None = None,
    offset: int = 0,
    sort: Sort = DEFAULT_SORT,
) -> Iterator[InstanceRow]:
    """Those rows, fetched a few thousand at a time: memory stays flat for a million.

    A page (``limit``) sorts the ids alone, then reads those rows whole: the sort
    then carries one narrow row per instance, not every column (at a million
    instances a deep page takes a third of the time)."""
    where = (*conditions(f, actor, today), *(extra or []))
    order = sort.order_by()
    q = _base(today)
    if limit is not None:
        page = (
            select(INSTANCE.c.id.label("page_id"))
            .select_from(with_instance_joins())
            .where(*where)
            .order_by(*order)
            .limit(limit)
            .offset(offset)
            .subquery("page")
        )
        q = q.join(page, page.c.page_id == INSTANCE.c.id)
    else:
        q = q.where(*where)
    q = q.order_by(*order)
    batch: list[InstanceRow] = []
    for r in conn.execute(q.execution_options(yield_per=5000)):
        batch.append(_row(r))
        if len(batch) >= 5000:
            yield from _with_signatures(conn, batch)
            batch = []
    yield from _with_signatures(conn, batch)


def instance_ids(
    conn: Connection, f: Filter, actor: Actor | None, today: date, extra: list[Any] | None = None
) -> list[int]:
    """The ids of the instances a filter picks, in no particular order."""
    q = (
        select(INSTANCE.c.id)
        .select_from(with_instance_joins())
        .where(*conditions(f, actor, today), *(extra or []))
    )
    return [i for (i,) in conn.execute(q)]


def position_of(
    conn: Connection,
    f: Filter,
    actor: Actor | None,
    today: date,
    instance_id: int,
    *,
    extra: list[Any] | None = None,
    sort: Sort = DEFAULT_SORT,
) -> int | None:
    """Where an instance stands in the listing ``iter_instances`` gives with the same
    filter and order: its row, from 0 (a checklist opened on it pages there); None
    when the filter leaves it out."""
    ranked = (
        select(
            INSTANCE.c.id.label("ranked_id"),
            (func.row_number().over(order_by=sort.order_by()) - 1).label("at"),
        )
        .select_from(with_instance_joins())
        .where(*conditions(f, actor, today), *(extra or []))
        .subquery("ranked")
    )
    at = conn.execute(select(ranked.c.at).where(ranked.c.ranked_id == instance_id)).scalar()
    return None if at is None else int(at)


def count_instances(
    conn: Connection, f: Filter, actor: Actor | None, today: date, extra: list[Any] | None = None
) -> int:
    q = (
        select(func.count())
        .select_from(with_instance_joins())
        .where(*conditions(f, actor, today), *(extra or []))
    )
    return int(conn.execute(q).scalar() or 0)


def get_instance(
    conn: Connection, instance_id: int, today: date, *, waiting: bool = True
) -> InstanceRow | None:
    """One instance's row (``waiting``: False for a verb's target, which leaves
    waiting_on empty: done asks waiting.waiting_on itself, and the subquery cost
    PostgreSQL a millisecond of planning on every action)."""
    r = conn.execute(_one(today, waiting), {"instance_id": instance_id}).first()
    return _with_signatures(conn, [_row(r)])[0] if r is not None else None


@lru_cache(maxsize=8)
def _one(today: date, waiting: bool) -> Any:
    """One instance's row, built once a day: the statement then keeps its cache key,
    and an action reads its target in well under a millisecond."""
    return _base(today, waiting=waiting).where(INSTANCE.c.id == bindparam("instance_id"))


def scope_conditions(member: str | None = None, system: str | None = None) -> list[Any]:
    """Conditions for one member's, one system's or one cell's checklist."""
    conds: list[Any] = []
    if member is not None:
        conds.append(MEMBER.c.handle == member)
    if system is not None:
        conds.append(SYSTEM.c.key == system)
    return conds
