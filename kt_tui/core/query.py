"""Finding item instances: the filter language and paged listings.

A filter is free text plus tokens: ``state:done``, ``system:orders``,
``member:asha``, ``stage:shadowed``, ``template:system-docs``, ``kind:training``,
``tier:1``, ``overdue``, ``mine``, ``open``, ``retired``.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    or_,
    select,
)

from kt_tui.core.errors import BadInput
from kt_tui.core.identity import Actor
from kt_tui.core.readiness import complete_expr
from kt_tui.core.tables import INSTANCE, ITEM, MEMBER, RECEIVER, SYSTEM, TEMPLATE

STATES = ("todo", "blocked", "done", "signed_off", "na")
FIELD_TOKENS = ("state", "system", "member", "stage", "template", "kind", "tier")
FLAG_TOKENS = ("overdue", "mine", "open", "retired", "awaiting")


@dataclass
class Filter:
    text: list[str] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    def is_empty(self) -> bool:
        return not (self.text or self.fields or self.flags)


def parse_filter(raw: str) -> Filter:
    """Parse the filter language; unknown ``key:`` tokens are bad input."""
    try:
        words = shlex.split(raw)
    except ValueError as exc:
        raise BadInput(f"filter: {exc}") from None
    f = Filter()
    for word in words:
        if ":" in word:
            key, _, value = word.partition(":")
            key = key.lower()
            if key not in FIELD_TOKENS:
                raise BadInput(
                    f"filter: unknown token {key!r} (use {', '.join(FIELD_TOKENS)}, "
                    f"or {', '.join(FLAG_TOKENS)})"
                )
            if not value:
                raise BadInput(f"filter: {key}: needs a value, e.g. {key}:...")
            if key == "state":
                value = value.replace("-", "_")
                if value not in STATES:
                    raise BadInput(
                        f"filter: state: must be one of {', '.join(STATES)}, got {value!r}"
                    )
            if key == "tier" and not (value.isdigit() and 1 <= int(value) <= 9):
                raise BadInput(f"filter: tier: must be a number from 1 to 9, got {value!r}")
            f.fields.setdefault(key, []).append(value)
        elif word.lower() in FLAG_TOKENS:
            f.flags.add(word.lower())
        else:
            f.text.append(word)
    return f


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
)


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

    def to_json(self) -> dict[str, Any]:
        """The item fields of DESIGN's ``export json`` (plus id, complete, overdue)."""
        out = {k: getattr(self, k) for k in ITEM_JSON_FIELDS}
        out["due"] = self.due.isoformat() if self.due else None
        return out

    @property
    def where(self) -> str:
        """The --member/--system flags that pick this instance on the command line."""
        parts = []
        if self.member:
            parts.append(f"--member {self.member}")
        if self.system:
            parts.append(f"--system {self.system}")
        return " ".join(parts)


def _overdue_expr(today: date) -> Any:
    return and_(
        ~complete_expr(),
        INSTANCE.c.state != "na",
        INSTANCE.c.due.is_not(None),
        INSTANCE.c.due < today,
    )


def _columns(today: date) -> list[Any]:
    """The columns of InstanceRow, in its field order."""
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
        complete_expr().label("complete"),
        _overdue_expr(today).label("overdue"),
        INSTANCE.c.retired,
        INSTANCE.c.version,
        ITEM.c.session_at,
        ITEM.c.session_minutes,
        ITEM.c.session_trainer,
    ]


def _base(today: date) -> Any:
    return (
        select(*_columns(today))
        .select_from(INSTANCE)
        .join(ITEM, ITEM.c.id == INSTANCE.c.item_id)
        .join(TEMPLATE, TEMPLATE.c.id == ITEM.c.template_id)
        .outerjoin(MEMBER, MEMBER.c.id == INSTANCE.c.member_id)
        .outerjoin(SYSTEM, SYSTEM.c.id == INSTANCE.c.system_id)
    )


def mine_expr(actor: Actor) -> Any:
    """The items that are the actor's: bearing their handle, or of systems they receive."""
    if actor.member_id is None:
        return false()
    receives = exists().where(
        RECEIVER.c.member_id == actor.member_id,
        RECEIVER.c.system_id == INSTANCE.c.system_id,
        RECEIVER.c.active == True,  # noqa: E712
    )
    return or_(
        INSTANCE.c.member_id == actor.member_id,
        and_(INSTANCE.c.member_id.is_(None), receives),
    )


def conditions(f: Filter, actor: Actor | None, today: date) -> list[Any]:
    conds: list[Any] = []
    if "retired" in f.flags:
        conds.append(INSTANCE.c.retired == True)  # noqa: E712
    else:
        conds.append(INSTANCE.c.retired == False)  # noqa: E712
    columns = {
        "state": INSTANCE.c.state,
        "system": SYSTEM.c.key,
        "member": MEMBER.c.handle,
        "stage": ITEM.c.stage,
        "template": TEMPLATE.c.key,
        "kind": TEMPLATE.c.kind,
    }
    for key, values in f.fields.items():
        if key == "tier":
            conds.append(SYSTEM.c.tier.in_([int(v) for v in values]))
        else:
            conds.append(columns[key].in_(values))
    done = complete_expr()
    if "overdue" in f.flags:
        conds.append(
            and_(
                ~done, INSTANCE.c.state != "na", INSTANCE.c.due.is_not(None), INSTANCE.c.due < today
            )
        )
    if "open" in f.flags:
        conds.append(and_(~done, INSTANCE.c.state != "na"))
    if "awaiting" in f.flags:
        conds.append(and_(INSTANCE.c.state == "done", INSTANCE.c.signoff == True))  # noqa: E712
    if "mine" in f.flags:
        conds.append(mine_expr(actor) if actor else false())
    for word in f.text:
        w = word.lower()  # % and _ are literal characters here, not wildcards
        conds.append(
            or_(
                func.lower(ITEM.c.title).contains(w, autoescape=True),
                func.lower(ITEM.c.key).contains(w, autoescape=True),
                func.lower(TEMPLATE.c.key).contains(w, autoescape=True),
                func.lower(func.coalesce(INSTANCE.c.note, "")).contains(w, autoescape=True),
            )
        )
    return conds


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
    return row


ORDER = (
    TEMPLATE.c.id,
    func.coalesce(INSTANCE.c.stage_idx, 999),
    ITEM.c.position,
    MEMBER.c.position,
    SYSTEM.c.position,
    INSTANCE.c.id,
)


def list_instances(
    conn: Connection,
    f: Filter,
    actor: Actor | None,
    today: date,
    *,
    extra: list[Any] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[InstanceRow]:
    """Instances grouped by template, then stage, then item, member, system."""
    q = _base(today).where(*conditions(f, actor, today), *(extra or []))
    q = q.order_by(*ORDER)
    if limit is not None:
        q = q.limit(limit).offset(offset)
    return [_row(r) for r in conn.execute(q)]


def count_instances(
    conn: Connection, f: Filter, actor: Actor | None, today: date, extra: list[Any] | None = None
) -> int:
    q = (
        select(func.count())
        .select_from(INSTANCE)
        .join(ITEM, ITEM.c.id == INSTANCE.c.item_id)
        .join(TEMPLATE, TEMPLATE.c.id == ITEM.c.template_id)
        .outerjoin(MEMBER, MEMBER.c.id == INSTANCE.c.member_id)
        .outerjoin(SYSTEM, SYSTEM.c.id == INSTANCE.c.system_id)
        .where(*conditions(f, actor, today), *(extra or []))
    )
    return int(conn.execute(q).scalar() or 0)


def get_instance(conn: Connection, instance_id: int, today: date) -> InstanceRow | None:
    r = conn.execute(_base(today).where(INSTANCE.c.id == instance_id)).first()
    return _row(r) if r is not None else None


def scope_conditions(member: str | None = None, system: str | None = None) -> list[Any]:
    """Conditions for one member's, one system's or one cell's checklist."""
    conds: list[Any] = []
    if member is not None:
        conds.append(MEMBER.c.handle == member)
    if system is not None:
        conds.append(SYSTEM.c.key == system)
    return conds


def instance_conditions(member_id: int | None, system_id: int | None) -> list[Any]:
    """The same as scope_conditions, on the instance table alone (for figures)."""
    conds: list[Any] = [INSTANCE.c.retired == False]  # noqa: E712
    if member_id is not None:
        conds.append(INSTANCE.c.member_id == member_id)
    if system_id is not None:
        conds.append(INSTANCE.c.system_id == system_id)
    return conds


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(col: Any, neutralise: bool) -> Any:
    """A text column for a spreadsheet: a leading formula character gets a quote."""
    if not neutralise:
        return col
    return case(
        (func.substr(col, 1, 1).in_(FORMULA_STARTS), literal("'") + col),
        else_=col,
    )


def _flag(cond: Any) -> Any:
    return case((cond, "true"), else_="false")


def export_rows(
    conn: Connection,
    today: date,
    *,
    can_transfer: dict[str, bool],
    constants: list[str],
    neutralise: bool = True,
) -> Any:
    """Every live instance as a row of text cells, streamed: the CSV export's hot path.

    Columns: the JSON items' fields, awaiting_signoff, system_can_transfer,
    then ``constants`` as given. Booleans are ``true``/``false``; text that a
    spreadsheet would run as a formula is neutralised in SQL, so no row passes
    through Python on its way from the store to the file.
    """
    systems = [(key, "true" if ok else "false") for key, ok in can_transfer.items()]
    can = (
        case(*((SYSTEM.c.key == key, value) for key, value in systems), else_=None)
        if systems
        else literal(None)
    )
    awaiting = and_(INSTANCE.c.state == "done", INSTANCE.c.signoff == True)  # noqa: E712
    columns = [
        _text(TEMPLATE.c.key + "/" + ITEM.c.key, neutralise),
        TEMPLATE.c.key,
        ITEM.c.key,
        _text(ITEM.c.title, neutralise),
        TEMPLATE.c.kind,
        TEMPLATE.c.scope,
        MEMBER.c.handle,
        SYSTEM.c.key,
        ITEM.c.stage,
        INSTANCE.c.weight,
        INSTANCE.c.state,
        cast(INSTANCE.c.due, String),  # text as stored: no date object per row
        _text(INSTANCE.c.done_by, neutralise),
        INSTANCE.c.done_at,
        _text(INSTANCE.c.signed_off_by, neutralise),
        INSTANCE.c.signed_off_at,
        _text(INSTANCE.c.evidence, neutralise),
        _text(INSTANCE.c.note, neutralise),
        _text(INSTANCE.c.reason, neutralise),
        INSTANCE.c.id,
        _flag(complete_expr()),
        _flag(_overdue_expr(today)),
        _flag(awaiting),
        case((INSTANCE.c.system_id.is_(None), None), else_=can),
        *(literal(c) for c in constants),
    ]
    q = (
        select(*columns)
        .select_from(INSTANCE)
        .join(ITEM, ITEM.c.id == INSTANCE.c.item_id)
        .join(TEMPLATE, TEMPLATE.c.id == ITEM.c.template_id)
        .outerjoin(MEMBER, MEMBER.c.id == INSTANCE.c.member_id)
        .outerjoin(SYSTEM, SYSTEM.c.id == INSTANCE.c.system_id)
        .where(INSTANCE.c.retired == False)  # noqa: E712
        # the store's own order (template file, item, member, system as synced):
        # sorting a million wide rows into the report's grouping cost 7 s
        .order_by(INSTANCE.c.id)
    )
    return conn.execution_options(stream_results=True, yield_per=5000).execute(q)
