"""Competency: the last score of each member on each assessment item, from SQL.

DESIGN "competency: for assessment items, the last score per instance; exports
carry it, and the member x assessment view shows it". This is the question the
view and the exports ask; it reads the stored last scores (instance.score), never
the log.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from kt_tui.core import rules
from kt_tui.core.instances import with_instance_joins
from kt_tui.core.tables import INSTANCE, ITEM, MEMBER, SYSTEM, TEMPLATE


@dataclass(frozen=True)
class Competency:
    """One member's last score on one assessment item (on one system, if it has one)."""

    member: str
    system: str | None
    ref: str
    title: str
    state: str
    score: int | None  # None: not assessed yet
    pass_score: int | None
    scale: int

    @property
    def column(self) -> str:
        """Its column in a member x assessment view: the REF, @system where per system."""
        return f"{self.ref}@{self.system}" if self.system else self.ref

    @property
    def short_column(self) -> str:
        """Its column's short title: the item's key (no template), @system where per
        system; ``headers`` keeps the full column where two would read alike."""
        item = self.ref.rsplit("/", 1)[-1]
        return f"{item}@{self.system}" if self.system else item

    @property
    def passed(self) -> bool:
        return rules.passes(self.score, self.pass_score)

    def to_json(self) -> dict[str, Any]:
        return {
            "member": self.member,
            "system": self.system,
            "ref": self.ref,
            "title": self.title,
            "state": self.state,
            "score": self.score,
            "pass": self.pass_score,
            "scale": self.scale,
            "passed": self.passed,
        }


def competency(conn: Connection) -> list[Competency]:
    """Every counted member-bearing assessment instance with its last score, by member
    (roster order), then template and item (file order), then system."""
    q = (
        select(
            MEMBER.c.handle,
            SYSTEM.c.key,
            (TEMPLATE.c.key + "/" + ITEM.c.key).label("ref"),
            ITEM.c.title,
            INSTANCE.c.state,
            INSTANCE.c.score,
            ITEM.c.pass_score,
            ITEM.c.scale,
        )
        .select_from(with_instance_joins())
        .where(
            TEMPLATE.c.kind == "assessment",
            INSTANCE.c.member_id.is_not(None),
            rules.counted_sql(),
        )
        .order_by(MEMBER.c.position, TEMPLATE.c.id, ITEM.c.position, SYSTEM.c.position)
    )
    return [
        Competency(h, s, ref, title, state, score, pass_score, scale or rules.DEFAULT_SCALE)
        for h, s, ref, title, state, score, pass_score, scale in conn.execute(q)
    ]


def headers(scores: list[Competency]) -> dict[str, str]:
    """Each column's title: its short form (item@system), or the full column (the REF,
    @system) where two columns would share a short one (two templates' items alike)."""
    short = {c.column: c.short_column for c in scores}
    taken = Counter(short.values())
    return {col: s if taken[s] == 1 else col for col, s in short.items()}


def grid(scores: list[Competency]) -> tuple[list[str], list[tuple[str, list[Competency | None]]]]:
    """The member x assessment view: its columns (Competency.column, first-seen order)
    and one row per member (roster order) with a cell per column (None: not theirs)."""
    columns = list(dict.fromkeys(c.column for c in scores))
    cells = {(c.member, c.column): c for c in scores}
    members = list(dict.fromkeys(c.member for c in scores))
    return columns, [(m, [cells.get((m, col)) for col in columns]) for m in members]
