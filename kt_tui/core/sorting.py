"""The orders a listing of item instances may take: one whitelist of sort keys.

``list --sort KEY`` (``-KEY``: descending), ``queue --sort``, the checklist's
and the queue's ``o`` / ``O`` keys all name a key of SORT_KEYS; each is an
ORDER BY made here, never from the user's text. Every order ends with the
default one (template, stage, item, member, system) and the instance id, so
it is total: a page from an offset is always the same rows, and the
descending order is the ascending one exactly reversed. An empty value (no
due date, not done yet) sorts last ascending, first descending, on SQLite
and PostgreSQL alike.

The names and labels load light (the command line's help lists them); the
SQL columns are made on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from kt_tui.core.errors import BadInput
from kt_tui.core.suggest import did_you_mean

DEFAULT_KEY = "template"

# name -> how a user reads it; the order is the one help and errors list them in
SORT_KEYS: dict[str, str] = {
    DEFAULT_KEY: "Template · stage",
    "ref": "REF",
    "title": "Item",
    "member": "Member",
    "system": "System",
    "state": "State",
    "stage": "Stage",
    "weight": "Weight",
    "due": "Due",
    "done_by": "Done by",
    "signed": "Signed by",
    "evidence": "Evidence",
    "score": "Score",
}


@lru_cache(maxsize=1)
def default_order() -> tuple[Any, ...]:
    """The checklist's groups (template, then stage), then item, member, system, id."""
    from sqlalchemy import func

    from kt_tui.core.tables import INSTANCE, ITEM, MEMBER, SYSTEM, TEMPLATE

    return (
        TEMPLATE.c.id,
        func.coalesce(INSTANCE.c.stage_idx, 999),
        ITEM.c.position,
        MEMBER.c.position,
        SYSTEM.c.position,
        INSTANCE.c.id,
    )


@lru_cache(maxsize=1)
def _leading() -> dict[str, tuple[Any, ...]]:
    """Each key's own columns, put before default_order()."""
    from sqlalchemy import case, func

    from kt_tui.core import rules
    from kt_tui.core.tables import INSTANCE, ITEM, MEMBER, SYSTEM, TEMPLATE

    # a state's place in rules.STATE_ORDER (blocked first: what needs attention)
    state_rank = case(
        {str(s): i for i, s in enumerate(rules.STATE_ORDER)}, value=INSTANCE.c.state, else_=9
    )
    out: dict[str, tuple[Any, ...]] = {
        DEFAULT_KEY: (),
        "ref": (TEMPLATE.c.key, ITEM.c.key),
        "title": (func.lower(ITEM.c.title),),
        "member": (MEMBER.c.handle, SYSTEM.c.key),
        "system": (SYSTEM.c.key, MEMBER.c.handle),
        "state": (state_rank,),
        "stage": (INSTANCE.c.stage_idx,),
        "weight": (INSTANCE.c.weight,),
        "due": (INSTANCE.c.due,),
        "done_by": (INSTANCE.c.done_by,),
        "signed": (INSTANCE.c.signed_off_by,),
        "evidence": (func.lower(INSTANCE.c.evidence),),
        "score": (INSTANCE.c.score,),
    }
    assert out.keys() == SORT_KEYS.keys()
    return out


@dataclass(frozen=True)
class Sort:
    """A sort key and a direction, as ``--sort`` takes it: ``due`` or ``-due``."""

    key: str = DEFAULT_KEY
    descending: bool = False

    def __post_init__(self) -> None:
        if self.key not in SORT_KEYS:
            raise BadInput(unknown_key(self.key))

    @property
    def label(self) -> str:
        """How a user reads it: "Due, ascending"."""
        return f"{SORT_KEYS[self.key]}, {'descending' if self.descending else 'ascending'}"

    @property
    def text(self) -> str:
        """As ``--sort`` takes it: ``due`` or ``-due``."""
        return f"-{self.key}" if self.descending else self.key

    def reversed(self) -> Sort:
        return Sort(self.key, not self.descending)

    def order_by(self) -> list[Any]:
        """The ORDER BY: the key's columns (empty values last ascending), then the
        default order, every column in this direction."""
        out: list[Any] = []
        for col in _leading()[self.key]:
            out.append(col.desc().nulls_first() if self.descending else col.asc().nulls_last())
        out += [c.desc() if self.descending else c for c in default_order()]
        return out


DEFAULT_SORT = Sort()


K = TypeVar("K")


def next_key(keys: Sequence[K], current: object) -> K:
    """The key after ``current`` in ``keys``, round (the first when it is none of them):
    what `o` sorts by next on every sortable view."""
    at = next((i for i, k in enumerate(keys) if k == current), -1)
    return keys[(at + 1) % len(keys)]


def unknown_key(key: str) -> str:
    """Why a sort key that is not in SORT_KEYS is refused, with the closest one."""
    return (
        f"There is no sort key {key!r}{did_you_mean(key, SORT_KEYS)}: sort by one of "
        f"{', '.join(SORT_KEYS)}, with a - before it (-due) for descending."
    )


def parse_sort(text: str | None) -> Sort:
    """``KEY`` or ``-KEY`` (descending); None or '' is the default order. BadInput
    (exit 2) for a key that is not in the whitelist, naming the closest one."""
    word = (text or "").strip().lower()
    if not word:
        return DEFAULT_SORT
    descending = word.startswith("-")
    return Sort(word.removeprefix("-").strip().replace("-", "_"), descending)
