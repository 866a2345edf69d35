"""The orders a listing of item instances can take: the default (the plan's own order)
and one sort key per column, each ascending or descending (``sort:due``,
``sort:-due``). The CLI (``list --sort``, the ``sort:`` filter token) and the TUI
(the checklist's ``o``) use these and no other; every order ends with the instance
id, so pages of a long listing never overlap or skip a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func

from kt_tui.core.errors import BadInput
from kt_tui.core.rules import STATES
from kt_tui.core.suggest import did_you_mean
from kt_tui.core.tables import INSTANCE, ITEM, MEMBER, SYSTEM, TEMPLATE

# the plan's order: template, stage, item, member, system
DEFAULT_ORDER: tuple[Any, ...] = (
    TEMPLATE.c.id,
    func.coalesce(INSTANCE.c.stage_idx, 999),
    ITEM.c.position,
    MEMBER.c.position,
    SYSTEM.c.position,
    INSTANCE.c.id,
)


def _columns() -> dict[str, tuple[str, tuple[Any, ...]]]:
    state_rank = case({s: i for i, s in enumerate(STATES)}, value=INSTANCE.c.state, else_=99)
    return {
        "state": ("State", (state_rank,)),
        "template": ("Template", (TEMPLATE.c.key, func.coalesce(INSTANCE.c.stage_idx, 999))),
        "item": ("Item", (func.lower(ITEM.c.title),)),
        "for": ("For", (MEMBER.c.handle, SYSTEM.c.key)),
        "weight": ("Weight", (INSTANCE.c.weight,)),
        "due": ("Due", (INSTANCE.c.due,)),
        "done_by": ("Done by", (INSTANCE.c.done_by,)),
        "signed": ("Signed", (INSTANCE.c.signed_off_at,)),
    }


SORT_KEYS: dict[str, tuple[str, tuple[Any, ...]]] = _columns()  # key -> (label, columns)


@dataclass(frozen=True)
class Sort:
    key: str
    descending: bool = False

    @property
    def label(self) -> str:
        return SORT_KEYS[self.key][0]

    @property
    def token(self) -> str:
        """As the filter language writes it: ``sort:due`` or ``sort:-due``."""
        return f"sort:{'-' if self.descending else ''}{self.key}"

    def describe(self) -> str:
        return f"{self.label}, {'descending' if self.descending else 'ascending'}"


def parse_sort(value: str) -> Sort:
    """``due`` or ``-due`` (descending); anything else is bad input naming the keys."""
    text = value.strip().lower().replace("-", "_")
    descending = text.startswith("_")
    key = text.lstrip("_")
    if key not in SORT_KEYS:
        known = list(SORT_KEYS)
        raise BadInput(
            f"sort: no sort key {value!r}{did_you_mean(key, known)}; the keys are "
            f"{', '.join(known)} (put - before one to reverse it: sort:-due)"
        )
    return Sort(key, descending)


def next_sort(current: Sort | None, keys: list[str] | tuple[str, ...]) -> Sort | None:
    """The order after ``current`` when one key cycles the columns (the TUI's ``o``): a
    key ascending, then the same descending, then the next key; after the last, None
    (the plan's order)."""
    if not keys:
        return None
    if current is None or current.key not in keys:
        return Sort(keys[0])
    if not current.descending:
        return Sort(current.key, descending=True)
    at = keys.index(current.key) + 1
    return Sort(keys[at]) if at < len(keys) else None


def order_by(sort: Sort | None) -> tuple[Any, ...]:
    """ORDER BY terms: the sort key's columns (empty values last either way), then the
    plan's order to break ties, then the id."""
    if sort is None:
        return DEFAULT_ORDER
    terms: list[Any] = []
    for column in SORT_KEYS[sort.key][1]:
        terms.append(column.is_(None))  # false before true: empty values last
        terms.append(column.desc() if sort.descending else column.asc())
    return (*terms, *DEFAULT_ORDER)
