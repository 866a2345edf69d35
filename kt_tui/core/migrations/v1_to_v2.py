"""Schema 1 -> 2: rollup counters, so the dashboard reads a few rows, not every instance.

Frozen: the counters are filled by SQL written here, as schema 2 defined them
(complete = signed_off, or done without sign-off; counted = not retired, not
n/a; the handover's totals under member 0, system 0), never by live code.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic.operations import Operations
from sqlalchemy import Connection, text


def upgrade(op: Operations, conn: Connection) -> None:
    """Rollup counters, so the dashboard reads a few rows instead of every instance."""
    op.create_table(
        "rollup",
        sa.Column("member_id", sa.Integer, primary_key=True, nullable=False, default=0),
        sa.Column("system_id", sa.Integer, primary_key=True, nullable=False, default=0),
        sa.Column("stage_idx", sa.Integer, primary_key=True, nullable=False, default=-1),
        sa.Column("items", sa.Integer, nullable=False, default=0),
        sa.Column("weight", sa.Integer, nullable=False, default=0),
        sa.Column("complete", sa.Integer, nullable=False, default=0),
        sa.Column("complete_weight", sa.Integer, nullable=False, default=0),
        sa.Column("progress_weight", sa.Integer, nullable=False, default=0),
    )
    op.create_table(
        "pending",
        sa.Column("member_id", sa.Integer, primary_key=True, nullable=False, default=0),
        sa.Column("system_id", sa.Integer, primary_key=True, nullable=False, default=0),
        sa.Column("due", sa.Date, primary_key=True, nullable=False),
        sa.Column("open", sa.Integer, nullable=False, default=0),
    )
    # figures come from the counters now; an index led by `retired` only made
    # SQLite sort a full listing instead of reading it in rowid order
    op.drop_index("ix_instance_figures", table_name="instance")
    op.create_index("ix_instance_member", "instance", ["member_id", "system_id", "stage_idx"])
    op.create_index("ix_rollup_system", "rollup", ["system_id"])
    op.create_index("ix_pending_system", "pending", ["system_id", "due"])
    op.create_index("ix_pending_due", "pending", ["due"])
    _fill_counters(conn)


_COMPLETE = "(state = 'signed_off' OR (state = 'done' AND signoff = :no))"
_COUNTED = "retired = :no AND state <> 'na'"


def _fill_counters(conn: Connection) -> None:
    """The counters of schema 2, summed from the instances as they are."""
    no = {"no": False}
    conn.execute(
        text(
            "INSERT INTO rollup (member_id, system_id, stage_idx, items, weight, complete,"
            " complete_weight, progress_weight)"
            " SELECT COALESCE(member_id, 0), COALESCE(system_id, 0), COALESCE(stage_idx, -1),"
            f" COUNT(*), SUM(weight), SUM(CASE WHEN {_COMPLETE} THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN {_COMPLETE} THEN weight ELSE 0 END),"
            f" SUM(CASE WHEN {_COMPLETE} OR state = 'done' THEN weight ELSE 0 END)"
            f" FROM instance WHERE {_COUNTED}"
            " GROUP BY COALESCE(member_id, 0), COALESCE(system_id, 0), COALESCE(stage_idx, -1)"
        ),
        no,
    )
    conn.execute(
        text(
            "INSERT INTO rollup (member_id, system_id, stage_idx, items, weight, complete,"
            " complete_weight, progress_weight)"
            " SELECT 0, 0, stage_idx, SUM(items), SUM(weight), SUM(complete),"
            " SUM(complete_weight), SUM(progress_weight) FROM rollup GROUP BY stage_idx"
        )
    )
    conn.execute(
        text(
            "INSERT INTO pending (member_id, system_id, due, open)"
            " SELECT COALESCE(member_id, 0), COALESCE(system_id, 0), due, COUNT(*)"
            f" FROM instance WHERE {_COUNTED} AND NOT {_COMPLETE} AND due IS NOT NULL"
            " GROUP BY COALESCE(member_id, 0), COALESCE(system_id, 0), due"
        ),
        no,
    )
    conn.execute(
        text(
            "INSERT INTO pending (member_id, system_id, due, open)"
            " SELECT 0, 0, due, SUM(open) FROM pending GROUP BY due"
        )
    )
