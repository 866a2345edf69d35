"""Rights as the store holds them at the moment of a write (DESIGN: "Who may do what").

An actor is resolved when a command or the TUI starts; a sync may demote or
remove that member while a TUI stays open. Every write therefore reads the
member's role and active flag again inside its own transaction, here.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, String, bindparam, cast, func, select, text

from kt_tui.core.errors import Refused
from kt_tui.core.identity import Actor
from kt_tui.core.rules import Person, Role
from kt_tui.core.tables import MEMBER, META, RECEIVER


@functools.cache
def rights_statement() -> Any:
    """The member's rights and the two settings that bound them, in one read (each action
    runs it; on PostgreSQL every read is a round trip, so a caller may add columns of
    its own: rights_from reads only these)."""

    def setting(key: str) -> Any:
        return select(META.c.value).where(META.c.key == key).scalar_subquery()

    systems = (
        select(func.aggregate_strings(cast(RECEIVER.c.system_id, String), ","))
        .where(
            RECEIVER.c.member_id == MEMBER.c.id,
            RECEIVER.c.active == True,  # noqa: E712
        )
        .scalar_subquery()
    )
    return select(
        MEMBER.c.role,
        MEMBER.c.active,
        MEMBER.c.side,
        setting("sample").label("sample"),
        setting("identity").label("identity"),
        systems.label("systems"),
    ).where(MEMBER.c.id == bindparam("member_id"))


def rights_now(conn: Connection, actor: Actor) -> Actor:
    """The actor with the rights the store gives them now: read-only once removed or
    deactivated, once a stand-in's store stopped being the bundled sample (or its first
    lead changed), and once identity = "database" maps the session to someone else."""
    if actor.member_id is None:
        return actor
    return rights_from(
        conn, actor, conn.execute(rights_statement(), {"member_id": actor.member_id}).first()
    )


def rights_from(conn: Connection, actor: Actor, row: Any) -> Actor:
    """rights_now from the row rights_statement read (None: no such member)."""
    if actor.member_id is None:
        return actor
    read_only = replace(actor, handle=None, member_id=None, role=None, stand_in=False, systems=None)
    if row is None or not row.active:
        return read_only
    if actor.stand_in:
        first_lead = conn.execute(
            select(MEMBER.c.id)
            .where(MEMBER.c.role == Role.LEAD, MEMBER.c.active == True)  # noqa: E712
            .order_by(MEMBER.c.position)
            .limit(1)
        ).scalar()
        if row.sample != "1" or first_lead != actor.member_id:
            return read_only
    if row.identity == "database" and conn.dialect.name != "sqlite":
        user = conn.execute(text("SELECT session_user")).scalar()
        mapped = conn.execute(
            select(MEMBER.c.id).where(MEMBER.c.db_user == user, MEMBER.c.active == True)  # noqa: E712
        ).scalar()
        if mapped != actor.member_id:
            return read_only
    systems = frozenset(int(x) for x in (row.systems or "").split(",") if x)
    return replace(actor, role=row.role, side=row.side, systems=systems)


def person_of(conn: Connection, actor: Actor) -> Person:
    """The actor as the rules about owners and parties see them, with the systems
    they have, from the store now (call it with rights_now's answer)."""
    if actor.systems is not None:  # read with the rights, in this write
        return person_from(actor, actor.systems)
    systems: frozenset[int] = frozenset()
    if actor.member_id is not None:
        systems = frozenset(
            conn.execute(
                select(RECEIVER.c.system_id).where(
                    RECEIVER.c.member_id == actor.member_id,
                    RECEIVER.c.active == True,  # noqa: E712
                )
            ).scalars()
        )
    return person_from(actor, systems)


def person_from(actor: Actor, systems: frozenset[int] = frozenset()) -> Person:
    """The actor as a rules.Person (the SQL forms read the systems from the store)."""
    return Person(actor.member_id, actor.handle, actor.is_lead, actor.side, systems)


def holds_handover(conn: Connection) -> bool:
    return (
        conn.execute(select(META.c.value).where(META.c.key == "handover_name")).first() is not None
    )


def require_lead(conn: Connection, actor: Actor, what: str) -> None:
    """Refuse ``what`` (sync, restore) unless the actor is a lead now, or the store is
    still empty (the first sync makes the roster)."""
    if not holds_handover(conn):
        return
    now = rights_now(conn, actor)
    if now.read_only:
        raise Refused(lead_only(what, f"{actor.asked} is not in the roster"))
    if not now.is_lead:
        raise Refused(lead_only(what, f"you are {now.handle}, {now.role or 'member'}"))


def lead_only(what: str, who: str) -> str:
    """The refusal of a lead's command (sync, restore) to someone else: ``who`` they are."""
    return f"Only a lead may {what} once the store holds a handover; {who}."
