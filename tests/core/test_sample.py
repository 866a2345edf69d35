"""The bundled sample shows format 2 where a real plan would use it: what a reader of
the sample, or of `kt-tui demo`, expects to find in it."""

from __future__ import annotations

from pathlib import Path

from kt_tui.core import readiness
from kt_tui.core.clock import Clock
from kt_tui.core.store import open_store
from kt_tui.core.sync import sync
from kt_tui.core.templates import load_folder
from kt_tui.paths import sample_dir


def test_the_sample_uses_every_format_2_feature() -> None:
    folder = load_folder(sample_dir())
    team = folder.team
    assert team.handover.start_date is not None
    sides = {m.side for m in team.members}
    assert sides == {"client", "provider"}
    assert {tr for m in team.members for tr in m.tracks} >= {"oncall", "dev"}
    scopes = {t.spec.template.scope for t in folder.templates}
    assert scopes == {"member", "system", "member_system", "handover"}
    items = {f"{t.spec.template.key}/{i.key}": i for t in folder.templates for i in t.spec.items}
    assert items["access-handover/admin-rights"].parties == ["provider-lead", "client-lead"]
    assert items["access-handover/admin-rights"].owner == "provider"
    assert items["system-docs/runbooks"].owner == "provider"
    assert items["system-docs/runbooks"].parties == ["receiver"]
    teach = items["assessments/teach-back"]
    assert (teach.pass_, teach.scale) == (3, 4)
    assert items["system-kt/dr-drill"].valid_days == 90
    assert items["system-kt/lead-release"].after == ["shadow-release"]
    assert len(items["training/observability"].all_sessions) == 3
    assert all(s.location for s in items["training/observability"].all_sessions)
    assert any(str(i.due).startswith("T+") for i in items.values())
    assert any(str(i.due).startswith("S+") for i in items.values())
    assert any(i.tiers for i in items.values()) and any(i.sides for i in items.values())
    assert any(i.tracks for i in items.values())


def test_the_sample_syncs_to_a_readable_size_without_warnings(tmp_path: Path, clock: Clock) -> None:
    store = open_store(str(tmp_path / "kt.db"))
    try:
        result = sync(store, sample_dir(), actor="t", login="t", clock=clock)
        assert result.applied and result.plan.warnings == []
        with store.read() as conn:
            st = readiness.status(store, conn, clock.today())
    finally:
        store.dispose()
    assert st is not None
    assert 250 <= st.overall.items <= 400
    assert st.handover_items.items == 4
