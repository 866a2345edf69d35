"""The filter language of ``list`` and the TUI: parsing, and its SQL conditions.

A filter is free text plus tokens: ``state:done``, ``system:orders``,
``member:asha``, ``stage:shadowed``, ``template:system-docs``, ``kind:training``,
``tier:1``, ``overdue``, ``mine``, ``open``, ``awaiting``, ``retired``,
``lapsed`` (a completion older than its valid_for), ``waiting`` (on a prerequisite).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, false, func, or_

from kt_tui.core import rules
from kt_tui.core.errors import BadInput
from kt_tui.core.identity import Actor, handle_in_store
from kt_tui.core.rights import person_from
from kt_tui.core.suggest import closest
from kt_tui.core.systems import system_in_store
from kt_tui.core.tables import INSTANCE, ITEM, MEMBER, SYSTEM, TEMPLATE
from kt_tui.present import typed

STATES = rules.STATES
FIELD_TOKENS = ("state", "system", "member", "stage", "template", "kind", "tier")
FLAG_TOKENS = (
    "overdue", "mine", "open", "retired", "awaiting", "lapsed", "waiting", "blocked",
)  # fmt: skip


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
                close = closest(key, FIELD_TOKENS)  # memebr:ben: did you mean member:ben?
                hint = f" (did you mean {close}:{typed(value)}?)" if close else ""
                raise BadInput(
                    f"filter: unknown token {key!r}{hint}; use {', '.join(FIELD_TOKENS)}, "
                    f"or {', '.join(FLAG_TOKENS)}"
                )
            if not value:
                raise BadInput(f"filter: {key}: needs a value, e.g. {key}:...")
            if key == "state":
                value = value.replace("-", "_").lower()  # state:Done, state:signed-off
                if value not in STATES:
                    close = closest(value, STATES)  # state:tdo: did you mean state:todo?
                    hint = f" (did you mean state:{close}?)" if close else ""
                    raise BadInput(
                        f"filter: state: must be one of {', '.join(STATES)}, got {value!r}{hint}"
                    )
            if key == "tier" and not (value.isdigit() and 1 <= int(value) <= 9):
                raise BadInput(f"filter: tier: must be a number from 1 to 9, got {value!r}")
            f.fields.setdefault(key, []).append(value)
        elif word.lower() in FLAG_TOKENS:
            f.flags.add(word.lower())
        else:
            f.text.append(word)
    return f


def with_names(conn: Connection, f: Filter) -> Filter:
    """The filter with its ``member:`` and ``system:`` values as the store spells them
    (``member:BEN`` is ben, ``system:Orders`` is orders: suggest.match_name, the rule
    of --as, --member and --system). A value that names nothing stays as typed: it
    matches nothing, and filter_hints says what is closest."""
    fields = dict(f.fields)
    for key, in_store in (("member", handle_in_store), ("system", system_in_store)):
        if key in fields:
            fields[key] = [in_store(conn, v) or v for v in fields[key]]
    return replace(f, fields=fields) if fields != f.fields else f


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
    if "overdue" in f.flags:
        conds.append(rules.overdue_on_sql(today))
    if "open" in f.flags:
        conds.append(rules.open_sql())
    if "awaiting" in f.flags:
        conds.append(rules.awaiting_sql())
    if "blocked" in f.flags:
        conds.append(INSTANCE.c.state == rules.State.BLOCKED)
    if "lapsed" in f.flags:
        conds.append(rules.lapsed_sql(today))
    if "waiting" in f.flags:
        # rows of items with no prerequisite skip the subquery
        conds.append(and_(ITEM.c.after.is_not(None), rules.waiting_sql(today)))
    if "mine" in f.flags:
        conds.append(rules.mine_sql(person_from(actor)) if actor else false())
    for word in f.text:
        w = word.lower()  # % and _ are literal characters here, not wildcards
        conds.append(
            or_(
                func.lower(ITEM.c.title).contains(w, autoescape=True),
                func.lower(ITEM.c.key).contains(w, autoescape=True),
                func.lower(TEMPLATE.c.key).contains(w, autoescape=True),
                func.lower(TEMPLATE.c.key + "/" + ITEM.c.key).contains(w, autoescape=True),
                func.lower(func.coalesce(INSTANCE.c.note, "")).contains(w, autoescape=True),
            )
        )
    return conds
