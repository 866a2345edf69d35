"""`verify` catches any single edit of event rows or item states made outside the tool."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kt_tui.cli import cli
from kt_tui.core import actions, audit, verify
from kt_tui.core.audit import event_hash, hashed_fields
from kt_tui.core.clock import Clock
from kt_tui.core.store import Store, open_store
from kt_tui.core.sync import sync
from tests.conftest import actor_of
from tests.helpers import write_tiny


@pytest.fixture
def worked(tmp_path: Path, clock: Clock) -> Path:
    """A SQLite store with a sync and a few actions of every kind."""
    db = tmp_path / "kt.db"
    store = open_store(str(db))
    sync(store, write_tiny(tmp_path / "tiny"), actor="t", login="t", clock=clock)
    script = [
        ("eve", "done", "kt/read", None, "api", {"note": "read", "evidence": "wiki/1"}),
        ("lea", "signoff", "kt/read", "eve", "api", {}),
        ("lea", "na", "docs/dr", None, "api", {"reason": "none"}),
        ("eve", "note", "kt/shadow", None, "db", {"text": "soon"}),
    ]
    for who, verb, ref, member, system, kw in script:
        with store.read() as conn:
            iid = actions.resolve_ref(conn, ref, actor_of(store, who), member, system)
        actions.act(store, actor_of(store, who), verb, iid, clock=clock, **kw)
    store.dispose()
    return db


def run_verify(db: Path, *extra: str) -> tuple[int, str]:
    r = CliRunner().invoke(cli, ["--db", str(db), "verify", *extra])
    return r.exit_code, r.output


def edit(db: Path, sql: str) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute(sql)


def head_of(db: Path) -> str:
    store = open_store(str(db))
    with store.read() as conn:
        h = audit.head(conn)
    store.dispose()
    return h


def test_intact_store_verifies(worked: Path) -> None:
    code, out = run_verify(worked)
    assert code == 0 and out.startswith("intact: 5 events, head ")
    assert run_verify(worked, "--head", head_of(worked))[0] == 0


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor", "'mallory'"),
        ("login", "'mallory'"),
        ("at", "'2020-01-01T00:00:00.000000Z'"),
        ("verb", "'undo'"),
        ("ref", "'kt/shadow'"),
        ("before", "'blocked'"),
        ("after", "'todo'"),
        ("note", "'rewritten'"),
        ("evidence", "'fake'"),
        ("detail", "'{}'"),
        ("instance_id", "1"),
    ],
)
def test_any_event_field_edit_is_caught(worked: Path, column: str, value: str) -> None:
    edit(worked, f"UPDATE event SET {column} = {value} WHERE id = 2")
    code, out = run_verify(worked)
    assert code == 1
    assert "event 2: content does not match its hash" in out


def test_item_state_edit_is_caught(worked: Path) -> None:
    edit(worked, "UPDATE instance SET state = 'signed_off', signed_off_by = 'lea' WHERE id = 2")
    code, out = run_verify(worked)
    assert code == 1 and "item instance #2: state is 'signed_off', the log says 'todo'" in out


def test_signer_edit_is_caught(worked: Path) -> None:
    edit(worked, "UPDATE instance SET signed_off_by = 'lou' WHERE signed_off_by = 'lea'")
    code, out = run_verify(worked)
    assert code == 1 and "signed_off_by is 'lou', the log says 'lea'" in out


def test_deleted_event_is_caught(worked: Path) -> None:
    edit(worked, "DELETE FROM event WHERE id = 3")
    code, out = run_verify(worked)
    assert code == 1 and "event 3: missing" in out


def test_cut_short_chain_is_caught_by_the_published_head(worked: Path) -> None:
    published = head_of(worked)
    edit(worked, "DELETE FROM event WHERE id = 5")
    edit(worked, "UPDATE instance SET note = NULL")  # hide the note too
    code, out = run_verify(worked, "--head", published)
    assert code == 1 and "is not in this chain" in out


def test_rehashed_rewrite_passes_alone_but_not_against_a_published_head(worked: Path) -> None:
    published = head_of(worked)
    conn = sqlite3.connect(worked)
    conn.row_factory = sqlite3.Row
    conn.execute("UPDATE event SET actor = 'lou' WHERE verb = 'signoff'")
    conn.execute("UPDATE instance SET signed_off_by = 'lou' WHERE signed_off_by = 'lea'")
    conn.execute("UPDATE signature SET by = 'lou' WHERE by = 'lea'")
    prev = ""
    for row in conn.execute("SELECT * FROM event ORDER BY id").fetchall():
        fields = dict(row)
        fields["prev_hash"] = prev
        new = event_hash(hashed_fields(fields))
        conn.execute(
            "UPDATE event SET prev_hash = ?, hash = ? WHERE id = ?", (prev, new, row["id"])
        )
        prev = new
    conn.commit()
    conn.close()
    assert run_verify(worked)[0] == 0  # what the chain cannot prevent on its own
    code, out = run_verify(worked, "--head", published)
    assert code == 1 and "is not in this chain" in out


def test_verify_on_both_stores(tiny: Store) -> None:
    with tiny.read() as conn:
        result = verify.verify(conn)
    assert result.ok and result.count == 1


@pytest.mark.parametrize(
    ("sql", "says"),
    [
        ("UPDATE rollup SET complete_weight = weight, complete = items", "readiness counters"),
        ("UPDATE pending SET open = 0", "overdue counters"),
        ("UPDATE instance SET evidence = 'forged' WHERE id = 1", "evidence is 'forged'"),
        ("UPDATE instance SET retired = 1 WHERE id = 3", "retired is True, the log says False"),
        ("UPDATE instance SET reason = NULL WHERE reason IS NOT NULL", "reason is None"),
    ],
)
def test_forged_figures_and_fields_are_caught(worked: Path, sql: str, says: str) -> None:
    edit(worked, sql)
    code, out = run_verify(worked)
    assert code == 1 and says in out


def test_sync_retire_and_revive_replay(tmp_path: Path, clock: Clock) -> None:
    from tests.helpers import TEAM

    db = tmp_path / "kt.db"
    store = open_store(str(db))
    root = write_tiny(tmp_path / "tiny")
    sync(store, root, actor="t", login="t", clock=clock)
    write_tiny(root, team=TEAM.replace('systems = ["api", "db"]', 'systems = ["api"]'))
    sync(store, root, actor="t", login="t", clock=clock)
    store.dispose()
    assert run_verify(db)[0] == 0
    edit(db, "UPDATE instance SET retired = 0")
    code, out = run_verify(db)
    assert code == 1 and "retired is False, the log says True" in out


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        ("UPDATE member SET role = 'lead' WHERE handle = 'eve'", "member 3: role is 'lead'"),
        ("UPDATE member SET active = 0 WHERE handle = 'lou'", "member 2: active is False"),
        ("UPDATE member SET db_user = 'pg_eve' WHERE handle = 'eve'", "member 3: db_user"),
        ("UPDATE system SET tier = 3 WHERE key = 'api'", "system 1: tier is 3"),
        ("UPDATE receiver SET active = 0 WHERE member_id = 1", "receiver 1/1: active is False"),
        ("DELETE FROM receiver WHERE member_id = 3 AND system_id = 2", "receiver 3/2: recorded"),
        ("UPDATE meta SET value = '0.5' WHERE key = 'ready_threshold'", "setting ready_threshold"),
        ("UPDATE meta SET value = '1' WHERE key = 'sample'", "setting sample"),
        ("UPDATE meta SET value = '2027-12-31' WHERE key = 'target_date'", "setting target_date"),
        ("UPDATE meta SET value = '0' WHERE key = 'min_ready_per_system'", "min_ready_per_system"),
        ("UPDATE item SET weight = 9 WHERE key = 'runbook'", "item 1: weight is 9"),
        ("UPDATE instance SET weight = 9 WHERE id = 1", "item instance #1: weight is 9"),
        ("UPDATE instance SET signoff = 0 WHERE id = 1", "item instance #1: signoff"),
        ("UPDATE instance SET due = '2020-01-01' WHERE id = 1", "item instance #1: due"),
        ("UPDATE instance SET stage_idx = 1 WHERE id = 1", "item instance #1: stage_idx"),
        ("UPDATE instance SET member_id = 3 WHERE id = 1", "added by sync event 1"),
        ("UPDATE instance SET system_id = 1 WHERE id = 2", "added by sync event 1"),
        ("UPDATE instance SET item_id = 2 WHERE id = 1", "added by sync event 1"),
        (
            "INSERT INTO instance (item_id, member_id, system_id, state, retired, weight,"
            " signoff, stage_idx, due, revision, version) VALUES (1, NULL, 2, 'todo', 0, 2,"
            " 1, 0, NULL, 1, 1)",
            "no sync event added it",
        ),
        (
            "UPDATE rollup SET complete = complete + 1 WHERE member_id = 0 AND system_id = 0",
            "the handover's readiness totals",
        ),
        ("UPDATE instance SET revision = 0 WHERE id = 1", "item instance #1: revision is 0"),
        ("UPDATE instance SET done_at = '2020-01-01' WHERE done_at IS NOT NULL", "done_at"),
        ("UPDATE item SET title = 'Forged' WHERE key = 'runbook'", "item 1: title"),
        ("UPDATE item SET evidence = 1 WHERE key = 'runbook'", "item 1: evidence"),
        ("UPDATE template SET key = 'renamed' WHERE key = 'docs'", "template 1: key"),
        ("UPDATE pending SET due = 'garbage' WHERE rowid = 1", "cannot be read"),
        ("UPDATE instance SET due = 'garbage' WHERE id = 1", "cannot be read"),
    ],
)
def test_every_table_is_held_to_the_log(worked: Path, sql: str, named: str) -> None:
    """A direct edit of the roster, receivers, settings, items, an instance's copied
    fields or identity, or the counters' totals is named by verify (exit 1)."""
    edit(worked, sql)
    code, out = run_verify(worked)
    assert code == 1, out
    assert named in out


def test_an_event_the_rules_could_not_have_written_is_named(worked: Path, clock: Clock) -> None:
    """A correctly chained event that skips a state (signed off straight from todo) fails."""
    store = open_store(str(worked))
    with store.write() as conn:
        forged = {"instance_id": 1, "ref": "docs/runbook", "before": "blocked"}
        audit.record(
            conn,
            at=clock.stamp(),
            actor="mallory",
            login="m",
            verb="note",
            after="signed_off",
            **forged,
        )
        conn.exec_driver_sql("UPDATE instance SET state = 'signed_off' WHERE id = 1")
    store.dispose()
    code, out = run_verify(worked)
    assert code == 1 and "event 6: note on item instance #1 from 'blocked'" in out


# --- parties, rejects and scores (format 2) ----------------------------------------


@pytest.fixture
def parties_worked(tmp_path: Path, clock: Clock) -> Path:
    """A two-sided store: a partial and a full two-party sign-off, a reject, scores."""
    from tests import two_sides

    db = tmp_path / "two.db"
    store = open_store(str(db))
    sync(store, two_sides.write(tmp_path / "two"), actor="lea", login="lea", clock=clock)
    script = [
        ("pete", "done", "handoff/runbook", None, "api", {"evidence": "wiki/rb"}),
        ("lea", "signoff", "handoff/runbook", None, "api", {}),
        ("pia", "signoff", "handoff/runbook", None, "api", {}),
        ("pete", "done", "handoff/walkthrough", None, "api", {}),
        ("eve", "signoff", "handoff/walkthrough", None, "api", {}),  # partial
        ("eve", "done", "quiz/teachback", "eve", None, {}),
        ("lea", "assess", "quiz/teachback", "eve", None, {"score": 2}),
        ("eve", "done", "quiz/teachback", "eve", None, {}),
        ("lou", "assess", "quiz/teachback", "eve", None, {"score": 4}),
        ("cal", "done", "quiz/teachback", "cal", None, {}),
        ("pia", "assess", "quiz/teachback", "cal", None, {"score": 1}),
    ]
    for who, verb, ref, member, system, kw in script:
        with store.read() as conn:
            iid = actions.resolve_ref(conn, ref, actor_of(store, who), member, system, verb=verb)
        actions.act(store, actor_of(store, who), verb, iid, clock=clock, **kw)  # type: ignore[arg-type]
    # a reject after a partial sign-off: sent back, signatures gone
    with store.read() as conn:
        iid = actions.resolve_ref(conn, "handoff/walkthrough", actor_of(store, "lea"), None, "api")
    actions.act(store, actor_of(store, "lou"), "reject", iid, reason="no failover", clock=clock)
    actions.act(store, actor_of(store, "pete"), "done", iid, clock=clock)
    actions.act(store, actor_of(store, "cal"), "signoff", iid, clock=clock)
    store.dispose()
    return db


def test_parties_store_verifies(parties_worked: Path) -> None:
    code, out = run_verify(parties_worked)
    assert code == 0, out


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        ("UPDATE signature SET by = 'lou' WHERE party = 'client-lead'", "party client-lead"),
        ("DELETE FROM signature WHERE party = 'provider-lead'", "party provider-lead"),
        (
            "INSERT INTO signature (instance_id, party, by, at) "
            "SELECT instance_id, 'lead', 'lou', 'T' FROM signature WHERE party = 'receiver'",
            "party lead",
        ),
        ("UPDATE instance SET score = 4 WHERE score = 1", "score is 4, the log says 1"),
        ("UPDATE instance SET sent_back = 1 WHERE score = 1", "sent_back is True"),
    ],
)
def test_forged_signatures_scores_and_send_backs_are_caught(
    parties_worked: Path, sql: str, named: str
) -> None:
    edit(parties_worked, sql)
    code, out = run_verify(parties_worked)
    assert code == 1 and named in out, out


def test_an_assess_event_whose_outcome_does_not_follow_from_its_score_is_caught(
    parties_worked: Path,
) -> None:
    """Rehashing the chain after raising a failing score keeps the chain intact, but the
    replay sees that a score of 3 cannot send the item back to todo."""
    conn = sqlite3.connect(parties_worked)
    conn.row_factory = sqlite3.Row
    conn.execute("UPDATE event SET score = 3 WHERE score = 1")
    conn.execute("UPDATE instance SET score = 3 WHERE score = 1")
    prev = ""
    for row in conn.execute("SELECT * FROM event ORDER BY id").fetchall():
        fields = dict(row)
        fields["prev_hash"] = prev
        new = event_hash(hashed_fields(fields))
        conn.execute(
            "UPDATE event SET prev_hash = ?, hash = ? WHERE id = ?", (prev, new, row["id"])
        )
        prev = new
    conn.commit()
    conn.close()
    code, out = run_verify(parties_worked)
    assert code == 1 and "assess with score 3 cannot lead to 'todo'" in out
