"""The command line's exit codes, messages and JSON shapes, through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kt_tui.cli import cli
from tests.helpers import DOCS, write_tiny


def run(db: str, *args: str, user: str | None = None) -> Result:
    env = {"KT_USER": user} if user else {}
    return CliRunner().invoke(cli, ["--db", db, *args], env=env, catch_exceptions=False)


@pytest.fixture
def synced(tmp_path: Path, db_url: str) -> str:
    root = write_tiny(tmp_path / "tiny")
    assert run(db_url, "sync", str(root)).exit_code == 0
    return db_url


def test_sync_dry_run_prints_a_plan_and_writes_nothing(tmp_path: Path, db_url: str) -> None:
    db = db_url
    root = write_tiny(tmp_path / "tiny")
    r = run(db, "sync", str(root), "--dry-run")
    assert r.exit_code == 0
    assert "template docs (new): 5 added" in r.output
    assert "dry run: nothing written" in r.output
    r = run(db, "status", "--json")
    assert r.exit_code == 2 and ("holds no handover yet" in r.output or "no store here" in r.output)


def test_sync_twice_says_no_changes(tmp_path: Path, synced: str) -> None:
    db = synced
    r = run(db, "sync", str(tmp_path / "tiny"), user="lea")
    assert r.exit_code == 0 and r.output.strip() == "no changes"


def test_invalid_folder_exits_2_with_path_where_message(tmp_path: Path, synced: str) -> None:
    db = synced
    root = write_tiny(tmp_path / "tiny", docs=DOCS.replace("weight = 2", "weight = -1"))
    r = CliRunner().invoke(cli, ["--db", db, "sync", str(root)])
    assert r.exit_code == 2
    assert f"{root}/docs.toml: items[0].weight: must be > 0, got -1" in r.output
    assert "Traceback" not in r.output


def test_status_json_shape(tmp_path: Path, synced: str) -> None:
    db = synced
    data = json.loads(run(db, "status", "--json").output)
    assert set(data) == {"handover", "overall", "handover_items", "members", "systems", "cells"}
    assert data["handover"] == {"name": "Tiny", "target_date": "2027-01-31"}
    figure_keys = {"readiness", "progress", "items", "complete", "overdue", "level"}
    figure_keys |= {"blocked", "lapsed", "awaiting"}
    assert set(data["overall"]) == figure_keys
    # no handover-scope item in the folder: still present, with nothing counted
    assert data["handover_items"]["items"] == 0 and data["handover_items"]["readiness"] is None
    assert set(data["members"][0]) == {"handle", "name", "role", "side"} | figure_keys
    assert data["members"][0]["side"] == "client"
    assert (
        set(data["systems"][0])
        == {"key", "name", "tier", "min_ready", "ready_receivers", "can_transfer"} | figure_keys
    )
    assert set(data["cells"][0]) == {"member", "system"} | figure_keys
    assert [m["handle"] for m in data["members"]] == ["lea", "lou", "eve"]
    assert data["members"][1]["readiness"] == 0.0


def test_status_table_shows_every_member_and_system(tmp_path: Path, synced: str) -> None:
    db = synced
    r = run(db, "status")
    assert r.exit_code == 0
    for word in ("lea", "lou", "eve", "api", "db", "Members", "Systems"):
        assert word in r.output


def test_verbs_exit_codes(tmp_path: Path, synced: str) -> None:
    db = synced
    ok = run(db, "done", "kt/read", "--system", "api", user="eve")
    assert ok.exit_code == 0 and "todo -> done" in ok.output
    refused = run(db, "signoff", "kt/read", "--member", "eve", "--system", "api", user="eve")
    assert (
        refused.exit_code == 1
        and "may sign off kt/read --member eve --system api now (it waits on lead)"
        in refused.output
    )
    ambiguous = run(db, "done", "kt/read", user="eve")
    assert ambiguous.exit_code == 2 and "candidates" in ambiguous.output
    missing = run(db, "block", "kt/read", "--system", "db", user="eve")
    assert missing.exit_code == 2 and "--reason" in missing.output
    outsider = run(db, "note", "docs/runbook", "hello", "--system", "api", user="mallory")
    assert outsider.exit_code == 1 and "read-only" in outsider.output
    signed = run(db, "signoff", "kt/read", "--member", "eve", "--system", "api", "--as", "lea")
    assert signed.exit_code == 0, signed.output


def test_list_and_log_json(tmp_path: Path, synced: str) -> None:
    db = synced
    run(db, "done", "kt/read", "--system", "api", "--note", "ok", user="eve")
    items = json.loads(run(db, "list", "state:done", "--json").output)
    assert [(i["ref"], i["member"], i["system"], i["state"]) for i in items] == [
        ("kt/read", "eve", "api", "done")
    ]
    assert {
        "ref",
        "template",
        "item",
        "title",
        "kind",
        "scope",
        "stage",
        "weight",
        "due",
        "done_by",
        "done_at",
        "signed_off_by",
        "signed_off_at",
        "evidence",
        "note",
        "reason",
    } <= set(items[0])
    mine = json.loads(run(db, "list", "mine", "--json", user="eve").output)
    assert len(mine) == 5 + 3 + 2  # her own 5, plus the system items of api (3) and db (2)
    events = json.loads(run(db, "log", "--json", "--limit", "1").output)
    assert [(e["verb"], e["actor"], e["note"]) for e in events] == [("done", "eve", "ok")]
    bad = run(db, "list", "colour:red")
    assert bad.exit_code == 2 and "unknown token 'colour'" in bad.output


def test_verify_intact(tmp_path: Path, synced: str) -> None:
    db = synced
    r = run(db, "verify")
    assert r.exit_code == 0 and r.output.startswith("intact: 1 events, head ")


def test_init_writes_a_copy_of_the_sample(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["init", str(tmp_path / "new")])
    assert r.exit_code == 0
    assert (tmp_path / "new" / "team.toml").is_file()
    again = CliRunner().invoke(cli, ["init", str(tmp_path / "new")])
    assert again.exit_code == 2 and "not empty" in again.output


def test_read_commands_never_create_a_store(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "kt.db"
    r = CliRunner().invoke(cli, ["--db", str(missing), "status"])
    assert r.exit_code == 2 and "no store here" in r.output
    assert not missing.parent.exists()


def test_bad_stores_say_what_is_wrong(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("# not a database\n" * 200)
    r = CliRunner().invoke(cli, ["--db", str(junk), "status"])
    assert r.exit_code == 2 and "cannot use this store: file is not a database" in r.output
    r = CliRunner().invoke(cli, ["--db", "postgresql+psycopg://u:s3cret@127.0.0.1:1/x", "status"])
    assert r.exit_code == 2 and "u:***@127.0.0.1" in r.output and "s3cret" not in r.output
    import sqlite3

    with sqlite3.connect(tmp_path / "app.db") as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    r = CliRunner().invoke(cli, ["--db", str(tmp_path / "app.db"), "sync", str(tmp_path)])
    assert r.exit_code == 2 and "not a kt-tui store: it holds other tables (invoices)" in r.output


def test_export_never_replaces_what_is_not_a_file(tmp_path: Path, synced: str) -> None:
    import os

    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    r = run(synced, "export", "md", "-o", str(fifo))
    assert r.exit_code == 2 and "not a regular file" in r.output
    assert fifo.is_fifo()
    target = tmp_path / "target.md"
    target.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    assert run(synced, "export", "md", "-o", str(link)).exit_code == 0
    assert link.is_symlink() and target.read_text().startswith("# ")


def test_blank_evidence_is_no_evidence(synced: str) -> None:
    r = run(synced, "done", "docs/dr", "--system", "api", "--evidence", "  ", user="eve")
    assert r.exit_code == 1 and "needs evidence to be done" in r.output
    r = run(synced, "evidence", "docs/dr", " ", "--system", "api", user="eve")
    assert r.exit_code == 2 and "evidence needs its text" in r.output


def test_filter_words_are_literal_and_limits_bounded(synced: str) -> None:
    assert json.loads(run(synced, "list", "%", "--json").output) == []
    r = run(synced, "list", "--limit", "-1")
    assert r.exit_code == 2
    r = run(synced, "list", "tier:99999999999999999999")
    assert r.exit_code == 2 and "from 1 to 9" in r.output


def test_outsider_on_the_sample_is_told_who_they_act_as(tmp_path: Path) -> None:
    from kt_tui.paths import sample_dir

    db = str(tmp_path / "s.db")
    assert run(db, "sync", str(sample_dir())).exit_code == 0
    r = run(db, "done", "onboarding/repo-access", user="newcomer")
    assert r.exit_code == 0
    assert "acting as asha, the sample's lead: you typed 'newcomer'" in r.output
    # no name given: the login name, which nobody typed, is named as such
    login = run(db, "done", "onboarding/vpn-access")
    assert login.exit_code == 0, login.output
    assert "acting as asha, the sample's lead: your login name is '" in login.output
    assert "you typed" not in login.output


def test_list_limit_0_streams_every_row_tab_separated(synced: str) -> None:
    full = run(synced, "list", "--limit", "0")
    lines = full.output.splitlines()
    assert (
        full.exit_code == 0 and lines[0] == "ref\tmember\tsystem\tstate\tdue\ttitle\tsigning\tscore"
    )
    counted = run(synced, "list", "--limit", "10000")
    assert f"{len(lines) - 1} item(s)" in counted.output
    assert all(len(line.split("\t")) == 8 for line in lines)
    as_json = run(synced, "list", "--limit", "0", "--json")
    assert len(json.loads(as_json.output)) == len(lines) - 1
    # made in SQL, the streamed objects hold what the paged listing's json.dumps holds
    paged = run(synced, "list", "--limit", "10000", "--json")
    assert json.loads(as_json.output) == json.loads(paged.output)
