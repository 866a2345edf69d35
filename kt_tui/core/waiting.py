"""What one instance waits on: its item's prerequisites (``after``), through
rules.waits_on (whose SQL form, rules.waiting_sql, filters the listings)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from kt_tui.core import rules
from kt_tui.core.tables import INSTANCE, ITEM, MEMBER, SYSTEM, TEMPLATE


@dataclass(frozen=True)
class Gate:
    """A prerequisite instance that holds an instance back."""

    ref: str
    member: str | None
    system: str | None
    state: str  # as shown: its state, or "lapsed"

    @property
    def label(self) -> str:
        """``system-docs/architecture (orders): todo``."""
        return f"{bound_ref(self.ref, self.member, self.system)}: {self.state}"


def bound_ref(ref: str, member: str | None, system: str | None) -> str:
    """An instance named by its item and bindings: ``system-kt/runbook (ben, orders)``,
    ``system-docs/architecture (orders)``, ``golive/approval``."""
    bound = ", ".join(x for x in (member, system) if x)
    return f"{ref} ({bound})" if bound else ref


def waiting_on(
    conn: Connection,
    refs: Sequence[str],
    member_id: int | None,
    system_id: int | None,
    today: date,
) -> list[Gate]:
    """The prerequisite instances that hold back an instance of (member, system) whose
    item lists ``refs`` in ``after`` (InstanceRow.after), in that order; empty when it
    is not waiting (and no read when the item has no prerequisites)."""
    if not refs:
        return []
    ref_col = TEMPLATE.c.key + "/" + ITEM.c.key
    rows = conn.execute(
        select(
            ref_col.label("ref"),
            INSTANCE.c.state,
            INSTANCE.c.signoff,
            INSTANCE.c.lapses_on,
            INSTANCE.c.member_id,
            INSTANCE.c.system_id,
            INSTANCE.c.retired,
            MEMBER.c.handle,
            SYSTEM.c.key,
        )
        .select_from(INSTANCE)
        .join(ITEM, ITEM.c.id == INSTANCE.c.item_id)
        .join(TEMPLATE, TEMPLATE.c.id == ITEM.c.template_id)
        .outerjoin(MEMBER, MEMBER.c.id == INSTANCE.c.member_id)
        .outerjoin(SYSTEM, SYSTEM.c.id == INSTANCE.c.system_id)
        .where(ref_col.in_(refs))
        .order_by(INSTANCE.c.id)
    ).mappings()
    by_ref: dict[str, list[Mapping[str, Any]]] = {r: [] for r in refs}
    for r in rows:
        by_ref[r["ref"]].append(dict(r))
    out = []
    for ref, g in rules.waits_on(member_id, system_id, by_ref, today):
        lapsed = rules.is_lapsed(g["state"], bool(g["signoff"]), g["lapses_on"], today)
        out.append(Gate(ref, g["handle"], g["key"], "lapsed" if lapsed else g["state"]))
    return out
