"""Rights as the store holds them at the moment of a write (DESIGN: "Who may do what").

An actor is resolved when a command or the TUI starts; a sync may demote or
remove that member while a TUI stays open. Every write therefore reads the
member's role and active flag again inside its own transaction, here.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Connection, select

from kt_tui.core.errors import Refused
from kt_tui.core.identity import Actor
from kt_tui.core.tables import MEMBER, META


def rights_now(conn: Connection, actor: Actor) -> Actor:
    """The actor with the role the store gives them now; read-only once removed
    or deactivated."""
    if actor.member_id is None:
        return actor
    row = conn.execute(
        select(MEMBER.c.role, MEMBER.c.active).where(MEMBER.c.id == actor.member_id)
    ).first()
    if row is None or not row.active:
        return replace(actor, handle=None, member_id=None, role=None, stand_in=False)
    return replace(actor, role=row.role)


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
        raise Refused(f"only a lead may {what}: {actor.asked} is not in the roster")
    if not now.is_lead:
        raise Refused(f"only a lead may {what} (you are {now.handle}, {now.role})")
