"""SQLModel tables of the store.

Instances carry copies of their item's weight, stage, due date and sign-off
flag so that every readiness figure is one aggregate over one table, grouped
by (member, system, stage): the same grouping a rollup table can keep.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Index, UniqueConstraint, false
from sqlmodel import Field, SQLModel

SCHEMA_VERSION = 3  # 1: first release; 2: rollup counters; 3: format 2


class Meta(SQLModel, table=True):
    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


class Member(SQLModel, table=True):
    __tablename__ = "member"
    id: int | None = Field(default=None, primary_key=True)
    handle: str = Field(unique=True)
    name: str
    role: str
    side: str = "client"  # client | provider
    tracks: str | None = None  # JSON list of track labels, NULL for none
    db_user: str | None = None
    position: int = 0
    active: bool = True


class System(SQLModel, table=True):
    __tablename__ = "system"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    name: str
    tier: int
    min_ready: int | None = None
    position: int = 0
    active: bool = True


class Receiver(SQLModel, table=True):
    """A member receives a system: a cell of the heat map."""

    __tablename__ = "receiver"
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    system_id: int = Field(foreign_key="system.id", primary_key=True)
    active: bool = True


class Template(SQLModel, table=True):
    __tablename__ = "template"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    title: str
    kind: str
    scope: str
    path: str = ""
    active: bool = True


class Item(SQLModel, table=True):
    __tablename__ = "item"
    __table_args__ = (UniqueConstraint("template_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="template.id")
    key: str
    title: str
    detail: str = ""
    stage: str | None = None
    weight: int = 1
    signoff: bool = True
    evidence: bool = False
    due_spec: str | None = None
    due_date: date | None = None
    tiers: str | None = None  # JSON list, or NULL for every tier
    revision: int = 1
    session_at: str | None = None  # the first session: local ISO time, as written
    session_minutes: int | None = None
    session_trainer: str | None = None
    # format 2
    owner: str = "receiver"  # receiver | provider | lead | a member handle
    parties: str = '["lead"]'  # JSON list of sign-off parties, in their listed order
    audience: str | None = None  # JSON object of the audience keys given, NULL for all
    after: str | None = None  # JSON list of "template/item" prerequisites
    valid_days: int | None = None  # a completion lapses after this many days
    pass_score: int | None = None  # assessments: the lowest passing score
    scale: int | None = None  # assessments: scores 1..scale
    sessions: str | None = None  # JSON list of {at, minutes, trainer, location}
    position: int = 0
    active: bool = True


class Instance(SQLModel, table=True):
    __tablename__ = "instance"
    __table_args__ = (
        Index("ix_instance_member", "member_id", "system_id", "stage_idx"),
        Index("ix_instance_item", "item_id", "member_id", "system_id"),
        Index("ix_instance_system", "system_id", "member_id"),
        Index("ix_instance_due", "due"),
    )
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id")
    member_id: int | None = Field(default=None, foreign_key="member.id")
    system_id: int | None = Field(default=None, foreign_key="system.id")
    state: str = "todo"
    retired: bool = False
    # copies of the item's attributes, kept equal by sync
    weight: int = 1
    signoff: bool = True
    stage_idx: int | None = None
    due: date | None = None
    revision: int = 1
    done_by: str | None = None
    done_at: str | None = None
    signed_off_by: str | None = None
    signed_off_at: str | None = None
    evidence: str | None = None
    note: str | None = None
    reason: str | None = None
    score: int | None = None  # the last assessment score
    lapses_on: date | None = None  # a complete lapsing item lapses after this day
    # rejected, until done again (a server default: sync inserts instances in bulk)
    sent_back: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    version: int = 1


class Signature(SQLModel, table=True):
    """One party's signature on an instance: who filled it, and when."""

    __tablename__ = "signature"
    instance_id: int = Field(foreign_key="instance.id", primary_key=True)
    party: str = Field(primary_key=True)
    by: str
    at: str  # UTC, ISO 8601 with a Z


class Event(SQLModel, table=True):
    __tablename__ = "event"
    id: int | None = Field(default=None, primary_key=True)
    at: str  # UTC, ISO 8601 with a Z
    actor: str
    login: str
    verb: str
    instance_id: int | None = Field(default=None, foreign_key="instance.id", index=True)
    ref: str | None = None
    before: str | None = None
    after: str | None = None
    note: str | None = None
    evidence: str | None = None
    score: int | None = None
    party: str | None = None
    detail: str | None = None  # JSON: what a sync changed
    prev_hash: str = ""
    hash: str = ""


class Rollup(SQLModel, table=True):
    """Counted items summed per (member, system, stage), kept in each write.

    0 stands for no member or system and -1 for no stage, so that the key is
    a plain primary key on every database.
    """

    __tablename__ = "rollup"
    __table_args__ = (Index("ix_rollup_system", "system_id"),)
    member_id: int = Field(default=0, primary_key=True)
    system_id: int = Field(default=0, primary_key=True)
    stage_idx: int = Field(default=-1, primary_key=True)
    items: int = 0
    weight: int = 0
    complete: int = 0
    complete_weight: int = 0
    progress_weight: int = 0
    blocked: int = 0
    awaiting: int = 0


class OpenByDue(SQLModel, table=True):
    """Counted items not yet complete, per (member, system, due date): overdue by day.

    The table keeps its first name, ``pending``.
    """

    __tablename__ = "pending"
    __table_args__ = (
        Index("ix_pending_system", "system_id", "due"),
        Index("ix_pending_due", "due"),
    )
    member_id: int = Field(default=0, primary_key=True)
    system_id: int = Field(default=0, primary_key=True)
    due: date = Field(primary_key=True)
    open: int = 0


class Lapsing(SQLModel, table=True):
    """Complete items that lapse, per (member, system, stage, lapse day, due day):
    lapsed by day, as overdue is, so that figures stay a sum over few rows.

    ``due`` is 9999-12-31 for no due date (a plain primary key on every database);
    ``signed_weight`` is the weight of those signed off (a lapsed one leaves progress).
    """

    __tablename__ = "lapsing"
    member_id: int = Field(default=0, primary_key=True)
    system_id: int = Field(default=0, primary_key=True)
    stage_idx: int = Field(default=-1, primary_key=True)
    lapses_on: date = Field(primary_key=True)
    due: date = Field(primary_key=True)
    items: int = 0
    weight: int = 0
    signed_weight: int = 0
