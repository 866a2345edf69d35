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
    assert r.exit_code == 2 and "holds no handover yet" in r.output


def test_sync_twice_says_no_changes(tmp_path: Path, synced: str) -> None:
    db = synced
    r = run(db, "sync", str(tmp_path / "tiny"))
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
    assert set(data) == {"handover", "overall", "members", "systems", "cells"}
    assert data["handover"] == {"name": "Tiny", "target_date": "2027-01-31"}
    figure_keys = {"readiness", "progress", "items", "complete", "overdue", "level"}
    assert set(data["overall"]) == figure_keys
    assert set(data["members"][0]) == {"handle", "name", "role"} | figure_keys
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
    refused = run(db, "signoff", "kt/read", "--system", "api", user="eve")
    assert refused.exit_code == 1 and "only a lead may signoff" in refused.output
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
