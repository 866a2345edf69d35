"""Sync, renames: ``renamed_from`` carries an old key's rows over to the new key.

The template or item row is renamed in place, so its instances (and the events
that name their ids) stay what they were: state, history and figures carry
over, nothing is retired. The plan is computed over the store as if the rename
had happened (``renamed_view``); ``rename_rows`` does it first in apply.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, select, update

from kt_tui.core.sync.desired import Ident, Wanted
from kt_tui.core.sync.stored import Current
from kt_tui.core.tables import ITEM, TEMPLATE


@dataclass
class Renames:
    templates: dict[str, str] = field(default_factory=dict)  # old key -> new key
    # (template key after the template renames, old item key) -> new item key
    items: dict[tuple[str, str], str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.templates or self.items)


@dataclass(frozen=True)
class Conflict:
    template: str  # the template key (new) whose file says renamed_from
    item: str | None  # the item key, for an item's renamed_from
    old: str
    message: str


def find(wanted: Wanted, current: Current) -> tuple[Renames, list[Conflict]]:
    """The renames the folder asks for and the store allows; the conflicts.

    An old key the store does not hold was renamed already (or never synced):
    nothing to do. Where the store holds both the old key and the new one, the
    old one's rows cannot carry over: a conflict while the old one is still
    active (its work would be lost), else it stays retired as it is.
    """
    out = Renames()
    conflicts: list[Conflict] = []
    for new, olds in wanted.template_renamed_from.items():
        for old in olds:
            have = current.templates.get(old)
            if have is None or old in wanted.templates:
                continue
            if new in current.templates or new in out.templates.values():
                if have["active"]:
                    conflicts.append(
                        Conflict(
                            new,
                            None,
                            old,
                            f"template {new!r} is already in the store: "
                            f"{old!r} (still active) cannot be renamed into it",
                        )
                    )
                continue
            out.templates[old] = new
    items = {(out.templates.get(t, t), k): v for (t, k), v in current.items.items()}
    for (t, key), w in wanted.items.items():
        for old in w.renamed_from:
            have = items.get((t, old))
            if have is None or (t, old) in wanted.items:
                continue
            if (t, key) in items or (t, key) in {(tt, n) for (tt, _o), n in out.items.items()}:
                if have["active"]:
                    conflicts.append(
                        Conflict(
                            t,
                            key,
                            old,
                            f"item {t}/{key} is already in the store: "
                            f"{t}/{old} (still active) cannot be renamed into it",
                        )
                    )
                continue
            out.items[(t, old)] = key
    return out, conflicts


def renamed_view(current: Current, r: Renames) -> Current:
    """The store as it will be once renamed: the diff runs on this."""
    if not r:
        return current

    def tkey(t: str) -> str:
        return r.templates.get(t, t)

    def ikey(t: str, i: str) -> tuple[str, str]:
        t = tkey(t)
        return t, r.items.get((t, i), i)

    def ident(x: Ident) -> Ident:
        return (*ikey(x[0], x[1]), x[2], x[3])

    templates: dict[str, dict[str, Any]] = {tkey(k): v for k, v in current.templates.items()}
    return replace(
        current,
        templates=templates,
        items={ikey(*k): v for k, v in current.items.items()},
        instances={ident(k): v for k, v in current.instances.items()},
    )


def rename_rows(conn: Connection, r: Renames) -> None:
    """Rename the template and item rows in place (inside apply's transaction)."""
    for old, new in r.templates.items():
        conn.execute(update(TEMPLATE).where(TEMPLATE.c.key == old).values(key=new))
    for (t, old), new in r.items.items():
        tid = select(TEMPLATE.c.id).where(TEMPLATE.c.key == t).scalar_subquery()
        conn.execute(
            update(ITEM).where(ITEM.c.template_id == tid, ITEM.c.key == old).values(key=new)
        )


def summary(r: Renames) -> dict[str, Any]:
    """What the plan (and so the sync event) says was renamed."""
    return {
        "templates": [[old, new] for old, new in r.templates.items()],
        "items": [[t, old, new] for (t, old), new in r.items.items()],
    }
