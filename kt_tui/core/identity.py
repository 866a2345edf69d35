"""Who is acting: ``--as``, else ``KT_USER``, else the login name (DESIGN: Who may do what)."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, or_, select, text

from kt_tui.core.errors import Refused
from kt_tui.core.rules import Role
from kt_tui.core.store import Store
from kt_tui.core.suggest import did_you_mean, match_name, require_name
from kt_tui.core.tables import MEMBER
from kt_tui.present import typed as shown


@dataclass(frozen=True)
class Actor:
    asked: str  # the name given (or the login name)
    login: str
    handle: str | None = None  # the roster member acted as; None: read-only
    member_id: int | None = None
    role: str | None = None
    stand_in: bool = False  # an outsider acting as the bundled sample's first lead
    view_only: bool = False  # a read-only view (`kt-tui serve`): nobody may write
    side: str = "client"  # client | provider (owners and sign-off parties read it)
    # the systems they receive, as rights_now read them inside a write (None: not read)
    systems: frozenset[int] | None = None
    # --as or KT_USER named nobody in the roster (a typo, most often): said on stderr
    # by every command, not only by the verbs; ``hint``: " (did you mean ben?)" or ''
    typed_unknown: bool = False
    hint: str = ""

    @property
    def read_only(self) -> bool:
        return self.handle is None

    @property
    def is_lead(self) -> bool:
        return self.role == Role.LEAD

    @property
    def name(self) -> str:
        """What the event log records as the actor."""
        return self.handle or self.asked

    def who(self) -> str:
        """The person, short, as a page names its author: "ben", "zed (acting as asha,
        the sample's lead)", "asha (read-only view)", "zed (not in the roster)"."""
        if self.view_only:
            return f"{shown(self.asked)} (read-only view)"
        if self.read_only:
            return f"{shown(self.asked)} (not in the roster)"
        if self.stand_in:
            return f"{shown(self.asked)} (acting as {self.handle}, the sample's lead)"
        return self.handle or shown(self.asked)

    def describe(self) -> str:
        if self.view_only:
            return f"{shown(self.asked)} (read-only view)"
        if self.read_only:
            return f"{shown(self.asked)} (not in the roster: read-only){self.hint}"
        if self.stand_in:
            # a name given (--as, KT_USER) was typed; the login name was not
            said = "you typed" if self.typed_unknown else "your login name is"
            return f"acting as {self.handle}, the sample's lead: {said} {self.asked!r}{self.hint}"
        return f"{self.handle} ({self.role}, {self.side or 'client'} side)"


def login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "unknown")


def asked_name(explicit: str | None) -> tuple[str, bool]:
    """The name asked for, and whether it was asked explicitly (--as or KT_USER)."""
    if explicit:
        return explicit, True
    env = os.environ.get("KT_USER")
    if env:
        return env, True
    return login_name(), False


def resolve_actor(store: Store, conn: Connection, explicit: str | None = None) -> Actor:
    asked, was_explicit = asked_name(explicit)
    login = login_name()
    settings = store.settings(conn)
    if settings is not None and settings.identity == "database":
        return _database_actor(store, conn, asked, was_explicit, login)
    row = _member_named(conn, asked)
    if row is not None:
        return Actor(asked, login, row.handle, row.id, row.role, side=row.side)
    typed = was_explicit and settings is not None  # a roster, and a name given for it
    hint = did_you_mean(asked, _handles(conn)) if typed else ""
    if settings is not None and settings.sample:
        lead = conn.execute(
            select(MEMBER.c.id, MEMBER.c.handle, MEMBER.c.side)
            .where(MEMBER.c.role == Role.LEAD, MEMBER.c.active == True)  # noqa: E712
            .order_by(MEMBER.c.position)
            .limit(1)
        ).first()
        if lead is not None:
            return Actor(
                asked,
                login,
                lead.handle,
                lead.id,
                Role.LEAD,
                stand_in=True,
                side=lead.side,
                typed_unknown=typed,
                hint=hint,
            )
    return Actor(asked, login, typed_unknown=typed, hint=hint)


# --- a handle as a person types it ------------------------------------------------------


def match_handle(typed: str, handles: Iterable[str]) -> str | None:
    """The handle a typed name means (suggest.match_name: "BEN" is ben, "Asha" is
    asha; two handles that differ only in case: only the exact one matches).

    The one rule for every place a person types a handle: --as, --member, attend's
    --members, the filter word member:, --as-party."""
    return match_name(typed, handles)


def handle_in_store(conn: Connection, typed: str, *, active_only: bool = False) -> str | None:
    """match_handle over the roster in the store (active members only, or every member
    ever synced, whose history stays): the stored handle, or None."""
    return match_handle(typed, [r.handle for r in _alike_rows(conn, typed, active_only)])


def require_handle(conn: Connection, typed: str, flag: str, *, active_only: bool = False) -> str:
    """The stored handle a typed ``flag`` value means (handle_in_store), else BadInput
    that says so: the handles it could mean, or the closest active one ("did you
    mean ben?")."""
    alike = [r.handle for r in _alike_rows(conn, typed, active_only)]
    return require_name(typed, alike, flag, "member", lambda: _handles(conn))


def _alike_rows(conn: Connection, typed: str, active_only: bool) -> list[Any]:
    """The members whose handle equals ``typed`` without regard to case (id, handle,
    role, side): what match_handle chooses among."""
    q = select(MEMBER.c.id, MEMBER.c.handle, MEMBER.c.role, MEMBER.c.side).where(
        or_(MEMBER.c.handle == typed, func.lower(MEMBER.c.handle) == typed.lower())
    )
    if active_only:
        q = q.where(MEMBER.c.active == True)  # noqa: E712
    return list(conn.execute(q))


def _handles(conn: Connection) -> list[str]:
    """The active members' handles, in the roster's order: what a suggestion offers."""
    q = select(MEMBER.c.handle).where(MEMBER.c.active == True)  # noqa: E712
    return [h for (h,) in conn.execute(q.order_by(MEMBER.c.position))]


def _member_named(conn: Connection, asked: str) -> Any:
    """The active member the name means (match_handle: "Asha" is asha), in one read."""
    rows = _alike_rows(conn, asked, active_only=True)
    handle = match_handle(asked, [r.handle for r in rows])
    return next((r for r in rows if r.handle == handle), None)


def _database_actor(
    store: Store, conn: Connection, asked: str, was_explicit: bool, login: str
) -> Actor:
    if store.is_sqlite:
        raise Refused(
            'This handover sets identity = "database", which needs a PostgreSQL store: '
            "open it with KT_DB=postgresql+psycopg://... ."
        )
    db_user = conn.execute(text("SELECT session_user")).scalar()
    row = conn.execute(
        select(MEMBER.c.id, MEMBER.c.handle, MEMBER.c.role, MEMBER.c.side).where(
            MEMBER.c.db_user == db_user,
            MEMBER.c.active == True,  # noqa: E712
        )
    ).first()
    if row is None:
        return Actor(str(db_user), login)
    if was_explicit and match_handle(asked, [row.handle]) is None:
        raise Refused(
            f'Identity is "database": you are {row.handle} (database user {db_user}), so you '
            f"may not act as {shown(asked)}."
        )
    return Actor(row.handle, login, row.handle, row.id, row.role, side=row.side)
