"""The store's tables as SQLAlchemy Core: GENERATED from models.py, do not edit.

Regenerate with ``python -m kt_tui.core.schema_gen`` after changing models.py;
tests/core/test_schema.py fails while this file is stale. Importing it costs
SQLAlchemy Core only: no SQLModel, pydantic or ORM (a verb's start-up).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    false,
)

SCHEMA_VERSION = 3

METADATA = MetaData()


LAPSING = Table(
    "lapsing",
    METADATA,
    Column("member_id", Integer, primary_key=True, nullable=False, default=0),
    Column("system_id", Integer, primary_key=True, nullable=False, default=0),
    Column("stage_idx", Integer, primary_key=True, nullable=False, default=-1),
    Column("lapses_on", Date, primary_key=True, nullable=False),
    Column("due", Date, primary_key=True, nullable=False),
    Column("items", Integer, nullable=False, default=0),
    Column("weight", Integer, nullable=False, default=0),
    Column("signed_weight", Integer, nullable=False, default=0),
)


MEMBER = Table(
    "member",
    METADATA,
    Column("id", Integer, primary_key=True, nullable=False),
    Column("handle", String, nullable=False),
    Column("name", String, nullable=False),
    Column("role", String, nullable=False),
    Column("side", String, nullable=False, default="client"),
    Column("tracks", String, nullable=True),
    Column("db_user", String, nullable=True),
    Column("position", Integer, nullable=False, default=0),
    Column("active", Boolean, nullable=False, default=True),
    UniqueConstraint("handle"),
)


META = Table(
    "meta",
    METADATA,
    Column("key", String, primary_key=True, nullable=False),
    Column("value", String, nullable=False),
)


PENDING = Table(
    "pending",
    METADATA,
    Column("member_id", Integer, primary_key=True, nullable=False, default=0),
    Column("system_id", Integer, primary_key=True, nullable=False, default=0),
    Column("due", Date, primary_key=True, nullable=False),
    Column("open", Integer, nullable=False, default=0),
    Index("ix_pending_due", "due"),
    Index("ix_pending_system", "system_id", "due"),
)


ROLLUP = Table(
    "rollup",
    METADATA,
    Column("member_id", Integer, primary_key=True, nullable=False, default=0),
    Column("system_id", Integer, primary_key=True, nullable=False, default=0),
    Column("stage_idx", Integer, primary_key=True, nullable=False, default=-1),
    Column("items", Integer, nullable=False, default=0),
    Column("weight", Integer, nullable=False, default=0),
    Column("complete", Integer, nullable=False, default=0),
    Column("complete_weight", Integer, nullable=False, default=0),
    Column("progress_weight", Integer, nullable=False, default=0),
    Column("blocked", Integer, nullable=False, default=0),
    Column("awaiting", Integer, nullable=False, default=0),
    Index("ix_rollup_system", "system_id"),
)


SYSTEM = Table(
    "system",
    METADATA,
    Column("id", Integer, primary_key=True, nullable=False),
    Column("key", String, nullable=False),
    Column("name", String, nullable=False),
    Column("tier", Integer, nullable=False),
    Column("min_ready", Integer, nullable=True),
    Column("position", Integer, nullable=False, default=0),
    Column("active", Boolean, nullable=False, default=True),
    UniqueConstraint("key"),
)


TEMPLATE = Table(
    "template",
    METADATA,
    Column("id", Integer, primary_key=True, nullable=False),
    Column("key", String, nullable=False),
    Column("title", String, nullable=False),
    Column("kind", String, nullable=False),
    Column("scope", String, nullable=False),
    Column("path", String, nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
    UniqueConstraint("key"),
)


ITEM = Table(
    "item",
    METADATA,
    Column("id", Integer, primary_key=True, nullable=False),
    Column("template_id", Integer, ForeignKey("template.id"), nullable=False),
    Column("key", String, nullable=False),
    Column("title", String, nullable=False),
    Column("detail", String, nullable=False, default=""),
    Column("stage", String, nullable=True),
    Column("weight", Integer, nullable=False, default=1),
    Column("signoff", Boolean, nullable=False, default=True),
    Column("evidence", Boolean, nullable=False, default=False),
    Column("due_spec", String, nullable=True),
    Column("due_date", Date, nullable=True),
    Column("tiers", String, nullable=True),
    Column("revision", Integer, nullable=False, default=1),
    Column("session_at", String, nullable=True),
    Column("session_minutes", Integer, nullable=True),
    Column("session_trainer", String, nullable=True),
    Column("owner", String, nullable=False, default="receiver"),
    Column("parties", String, nullable=False, default='["lead"]'),
    Column("audience", String, nullable=True),
    Column("after", String, nullable=True),
    Column("valid_days", Integer, nullable=True),
    Column("pass_score", Integer, nullable=True),
    Column("scale", Integer, nullable=True),
    Column("sessions", String, nullable=True),
    Column("position", Integer, nullable=False, default=0),
    Column("active", Boolean, nullable=False, default=True),
    UniqueConstraint("template_id", "key"),
)


RECEIVER = Table(
    "receiver",
    METADATA,
    Column("member_id", Integer, ForeignKey("member.id"), primary_key=True, nullable=False),
    Column("system_id", Integer, ForeignKey("system.id"), primary_key=True, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)


INSTANCE = Table(
    "instance",
    METADATA,
    Column("id", Integer, primary_key=True, nullable=False),
    Column("item_id", Integer, ForeignKey("item.id"), nullable=False),
    Column("member_id", Integer, ForeignKey("member.id"), nullable=True),
    Column("system_id", Integer, ForeignKey("system.id"), nullable=True),
    Column("state", String, nullable=False, default="todo"),
    Column("retired", Boolean, nullable=False, default=False),
    Column("weight", Integer, nullable=False, default=1),
    Column("signoff", Boolean, nullable=False, default=True),
    Column("stage_idx", Integer, nullable=True),
    Column("due", Date, nullable=True),
    Column("revision", Integer, nullable=False, default=1),
    Column("done_by", String, nullable=True),
    Column("done_at", String, nullable=True),
    Column("signed_off_by", String, nullable=True),
    Column("signed_off_at", String, nullable=True),
    Column("evidence", String, nullable=True),
    Column("note", String, nullable=True),
    Column("reason", String, nullable=True),
    Column("score", Integer, nullable=True),
    Column("lapses_on", Date, nullable=True),
    Column("sent_back", Boolean, nullable=False, default=False, server_default=false()),
    Column("version", Integer, nullable=False, default=1),
    Index("ix_instance_due", "due"),
    Index("ix_instance_item", "item_id", "member_id", "system_id"),
    Index("ix_instance_member", "member_id", "system_id", "stage_idx"),
    Index("ix_instance_system", "system_id", "member_id"),
)


EVENT = Table(
    "event",
    METADATA,
    Column("id", Integer, primary_key=True, nullable=False),
    Column("at", String, nullable=False),
    Column("actor", String, nullable=False),
    Column("login", String, nullable=False),
    Column("verb", String, nullable=False),
    Column("instance_id", Integer, ForeignKey("instance.id"), nullable=True),
    Column("ref", String, nullable=True),
    Column("before", String, nullable=True),
    Column("after", String, nullable=True),
    Column("note", String, nullable=True),
    Column("evidence", String, nullable=True),
    Column("score", Integer, nullable=True),
    Column("party", String, nullable=True),
    Column("detail", String, nullable=True),
    Column("prev_hash", String, nullable=False, default=""),
    Column("hash", String, nullable=False, default=""),
    Index("ix_event_instance_id", "instance_id"),
)


SIGNATURE = Table(
    "signature",
    METADATA,
    Column("instance_id", Integer, ForeignKey("instance.id"), primary_key=True, nullable=False),
    Column("party", String, primary_key=True, nullable=False),
    Column("by", String, nullable=False),
    Column("at", String, nullable=False),
)
