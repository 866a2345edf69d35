"""Rights are read from the store at the moment of each write (issue 10, point 3 and 5)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kt_tui.core import actions
from kt_tui.core.clock import Clock
from kt_tui.core.errors import Refused
from kt_tui.core.service import open_service
from kt_tui.core.store import Store
from kt_tui.core.sync import sync
from tests.conftest import actor_of
from tests.helpers import DOCS, TEAM, write_tiny


def _id(store: Store, ref: str, who: str, **where: str) -> int:
    with store.read() as conn:
        return actions.resolve_ref(conn, ref, actor_of(store, who), **where)


def test_a_lead_demoted_by_a_sync_cannot_sign_off_with_the_old_rights(
    tmp_path: Path, clock: Clock
) -> None:
    root = write_tiny(tmp_path / "tiny")
    db = str(tmp_path / "kt.db")
    lead = open_service(db, "lea", clock, fill_sample=False).service
    lead.sync(root)
    eve = actor_of(lead.store, "eve")
    iid = _id(lead.store, "docs/runbook", "lea", system="db")
    actions.act(lead.store, eve, "done", iid, evidence="wiki/db", clock=clock)
    assert lead.actor.is_lead  # resolved when the "TUI" opened
    lea = 'handle = "lea"\nname = "Lea Lead"\nrole = '
    demoted = TEAM.replace(lea + '"lead"', lea + '"engineer"')
    assert demoted != TEAM
    write_tiny(root, team=demoted)
    sync(lead.store, root, actor="lou", login="lou", clock=clock)
    with pytest.raises(Refused, match=r"now \(it waits on"):
        lead.act("signoff", iid)


def test_sync_is_a_leads_act_dry_run_is_open_to_all(tmp_path: Path, clock: Clock) -> None:
    root = write_tiny(tmp_path / "tiny")
    db = str(tmp_path / "kt.db")
    first = open_service(db, "nobody", clock, fill_sample=False).service
    assert first.sync(root).applied  # an empty store accepts anyone
    write_tiny(root, docs=DOCS.replace('title = "Self check"', 'title = "Self-check"'))
    for who in ("eve", "nobody"):  # an engineer, an outsider
        svc = open_service(db, who, clock, fill_sample=False).service
        assert not svc.sync(root, dry_run=True).applied
        with pytest.raises(Refused, match="Only a lead may sync once the store holds a handover"):
            svc.sync(root)
    assert open_service(db, "lea", clock, fill_sample=False).service.sync(root).applied


def test_evidence_is_frozen_after_sign_off(tmp_path: Path, clock: Clock) -> None:
    root = write_tiny(tmp_path / "tiny")
    svc = open_service(str(tmp_path / "kt.db"), "lea", clock, fill_sample=False).service
    svc.sync(root)
    eve = actor_of(svc.store, "eve")
    iid = _id(svc.store, "docs/runbook", "lea", system="db")
    actions.act(svc.store, eve, "done", iid, evidence="wiki/db", clock=clock)
    svc.act("signoff", iid)
    with pytest.raises(Refused, match="a lead must reopen it before the evidence changes"):
        actions.act(svc.store, eve, "evidence", iid, text="other", clock=clock)
    svc.act("note", iid, text="a note is still fine")
    svc.act("reopen", iid)
    actions.act(svc.store, eve, "evidence", iid, text="other", clock=clock)


def test_a_stand_in_loses_the_leads_rights_once_the_store_is_not_the_sample(
    tmp_path: Path, clock: Clock
) -> None:
    from kt_tui.paths import sample_dir

    db = str(tmp_path / "kt.db")
    outsider = open_service(db, "mallory", clock, fill_sample=False).service
    outsider.sync(sample_dir())  # an empty store accepts anyone
    outsider.refresh_actor()
    assert outsider.actor.stand_in and outsider.actor.is_lead
    copy = tmp_path / "copy"
    shutil.copytree(sample_dir(), copy)
    lead = outsider.actor.handle
    open_service(db, lead, clock, fill_sample=False).service.sync(copy)  # no longer the sample
    with outsider.store.read() as conn:
        iid = actions.resolve_ref(conn, "onboarding/vpn-access", actor_of(outsider.store, "ben"))
    with pytest.raises(Refused, match="so this session is read-only"):
        outsider.act("na", iid, reason="stale rights")
    with pytest.raises(Refused, match="Only a lead may sync once the store holds a handover"):
        outsider.sync(copy)


def test_sample_fill_never_overwrites_a_store_that_filled_meanwhile(
    tmp_path: Path, clock: Clock
) -> None:
    from kt_tui.core.service import _still_empty

    root = write_tiny(tmp_path / "tiny")
    svc = open_service(str(tmp_path / "kt.db"), "lea", clock, fill_sample=False).service
    svc.sync(root)
    with pytest.raises(Refused, match="no longer empty"), svc.store.write() as conn:
        _still_empty(conn)
