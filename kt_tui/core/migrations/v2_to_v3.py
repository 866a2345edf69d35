"""Schema 2 -> 3: format 2 (sides, tracks, owners, parties, audiences, prerequisites,
lapsing, scores, signatures, the handover scope).

Frozen: every table and column is named here, and existing rows are carried
over by SQL written here, as schema 3 defines them: a member is on the client
side; an item's owner is its receiver and its parties are ``["lead"]`` where it
needed a sign-off, none where it did not; its one session, if any, is the
first of its ``sessions``; a signed-off instance has one signature, the lead
party's, by whoever signed it. No instance is of scope ``handover`` yet, so
the rollup keys stay as they are.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic.operations import Operations
from sqlalchemy import Connection, text


def upgrade(op: Operations, conn: Connection) -> None:
    # plain ALTER TABLE ... ADD COLUMN on both databases: a batch copy of `instance`
    # would trip the events' foreign key on SQLite
    add = op.add_column
    add("member", sa.Column("side", sa.String, nullable=False, server_default="client"))
    add("member", sa.Column("tracks", sa.String, nullable=True))
    add("item", sa.Column("owner", sa.String, nullable=False, server_default="receiver"))
    add("item", sa.Column("parties", sa.String, nullable=False, server_default='["lead"]'))
    for name in ("audience", "after", "sessions"):
        add("item", sa.Column(name, sa.String, nullable=True))
    for name in ("valid_days", "pass_score", "scale"):
        add("item", sa.Column(name, sa.Integer, nullable=True))
    add("instance", sa.Column("score", sa.Integer, nullable=True))
    add("instance", sa.Column("lapses_on", sa.Date, nullable=True))
    add("instance", sa.Column("sent_back", sa.Boolean, nullable=False, server_default=sa.false()))
    add("event", sa.Column("score", sa.Integer, nullable=True))
    add("event", sa.Column("party", sa.String, nullable=True))
    add("rollup", sa.Column("blocked", sa.Integer, nullable=False, server_default="0"))
    add("rollup", sa.Column("awaiting", sa.Integer, nullable=False, server_default="0"))
    _fill_new_counters(conn)
    op.create_table(
        "signature",
        sa.Column("instance_id", sa.Integer, sa.ForeignKey("instance.id"), primary_key=True),
        sa.Column("party", sa.String, primary_key=True),
        sa.Column("by", sa.String, nullable=False),
        sa.Column("at", sa.String, nullable=False),
    )
    op.create_table(
        "lapsing",
        sa.Column("member_id", sa.Integer, primary_key=True, nullable=False),
        sa.Column("system_id", sa.Integer, primary_key=True, nullable=False),
        sa.Column("stage_idx", sa.Integer, primary_key=True, nullable=False),
        sa.Column("lapses_on", sa.Date, primary_key=True, nullable=False),
        sa.Column("due", sa.Date, primary_key=True, nullable=False),
        sa.Column("items", sa.Integer, nullable=False),
        sa.Column("weight", sa.Integer, nullable=False),
        sa.Column("signed_weight", sa.Integer, nullable=False),
    )
    conn.execute(text("UPDATE item SET parties = '[]' WHERE signoff = false"))
    _sessions(conn)
    conn.execute(
        text(
            "INSERT INTO signature (instance_id, party, by, at) "
            "SELECT id, 'lead', signed_off_by, signed_off_at FROM instance "
            "WHERE state = 'signed_off' AND signed_off_by IS NOT NULL "
            "AND signed_off_at IS NOT NULL"
        )
    )


def _sessions(conn: Connection) -> None:
    """An item's one session becomes the first (and only) entry of its sessions."""
    import json

    rows = conn.execute(
        text(
            "SELECT id, session_at, session_minutes, session_trainer FROM item "
            "WHERE session_at IS NOT NULL"
        )
    ).all()
    for item_id, at, minutes, trainer in rows:
        value = json.dumps([{"at": at, "minutes": minutes, "trainer": trainer, "location": None}])
        conn.execute(
            text("UPDATE item SET sessions = :v WHERE id = :id"), {"v": value, "id": item_id}
        )


_COUNTED = "i.retired = :no AND i.state <> 'na'"


def _fill_new_counters(conn: Connection) -> None:
    """blocked and awaiting (done, needing a sign-off) per counter row, totals included."""
    no = {"no": False, "yes": True}
    for column, condition in (
        ("blocked", "i.state = 'blocked'"),
        ("awaiting", "i.state = 'done' AND i.signoff = :yes"),
    ):
        conn.execute(
            text(
                f"UPDATE rollup SET {column} = (SELECT COUNT(*) FROM instance i"
                f" WHERE {_COUNTED} AND {condition}"
                " AND COALESCE(i.stage_idx, -1) = rollup.stage_idx"
                " AND (rollup.member_id = 0 AND rollup.system_id = 0"
                "  OR COALESCE(i.member_id, 0) = rollup.member_id"
                "  AND COALESCE(i.system_id, 0) = rollup.system_id))"
            ),
            no,
        )
