"""Every sync rule of DESIGN.md: add, retire, revive, update in place, revision reopen, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from kt_tui.core import actions, audit
from kt_tui.core.clock import Clock
from kt_tui.core.errors import ValidationFailed
from kt_tui.core.models import Event, Instance, Member
from kt_tui.core.store import Store
from kt_tui.core.sync import describe, sync
from kt_tui.core.templates import load_folder
from tests.conftest import actor_of
from tests.helpers import DOCS, KT, TEAM, write_tiny


def resync(store: Store, root: Path, clock: Clock, dry: bool = False):  # type: ignore[no-untyped-def]
    return sync(store, root, actor="t", login="t", clock=clock, dry_run=dry)


def count(store: Store, model, *where) -> int:  # type: ignore[no-untyped-def]
    with store.read() as conn:
        return int(
            conn.execute(select(func.count()).select_from(model).where(*where)).scalar() or 0
        )


def state(
    store: Store, ref: str, member: str | None = None, system: str | None = None
) -> tuple[str, bool]:
    """(state, retired) of one instance, retired ones included."""
    from kt_tui.core import filters, instances

    template, item = ref.split("/")
    with store.read() as conn:
        found = [
            r
            for flag in ("", "retired")
            for r in instances.list_instances(
                conn, filters.parse_filter(f"template:{template} {flag}"), None, Clock().today()
            )
            if r.item == item and r.member == member and r.system == system
        ]
    (r,) = found
    return r.state, r.retired


def test_first_sync_adds_everything_in_one_event(tiny: Store) -> None:
    assert count(tiny, Instance) == 14
    assert count(tiny, Event) == 1
    with tiny.read() as conn:
        (e,) = audit.recent(conn)
    assert e.verb == "sync"
    assert e.detail["counts"] == {
        "added": 14,
        "retired": 0,
        "revived": 0,
        "reopened": 0,
        "total": 14,
    }


def test_unchanged_files_change_nothing(tiny: Store, tiny_dir: Path, clock: Clock) -> None:
    result = resync(tiny, tiny_dir, clock)
    assert not result.applied
    assert describe(result.plan) == ["no changes"]
    assert count(tiny, Event) == 1


def test_dry_run_writes_nothing(store: Store, tiny_dir: Path, clock: Clock) -> None:
    result = resync(store, tiny_dir, clock, dry=True)
    assert not result.applied
    assert len(result.plan.add) == 14
    assert count(store, Instance) == 0 and count(store, Event) == 0


def test_invalid_files_change_nothing(tiny: Store, tiny_dir: Path, clock: Clock) -> None:
    write_tiny(
        tiny_dir,
        docs=DOCS.replace("weight = 2", "weight = 5"),
        kt=KT.replace("weight = 3", "weight = -3"),
    )
    with pytest.raises(ValidationFailed):
        resync(tiny, tiny_dir, clock)
    assert count(tiny, Event) == 1
    assert count(tiny, Instance, Instance.weight == 5) == 0  # type: ignore[arg-type]


def test_removed_item_is_retired_with_history_and_revived_with_progress(
    tiny: Store, tiny_dir: Path, clock: Clock
) -> None:
    actions.act(
        tiny, actor_of(tiny, "lea"), "done", _id(tiny, "docs/selfcheck", system="db"), clock=clock
    )
    write_tiny(tiny_dir, docs=DOCS.split('[[items]]\nkey = "selfcheck"')[0])
    result = resync(tiny, tiny_dir, clock)
    assert result.plan.counts()["retired"] == 2
    assert "  items removed: selfcheck" in describe(result.plan)
    # the plan names the work a change retires (DESIGN: "names what costs work")
    assert (
        "template docs: 2 retired, 1 of them done or signed off (their work leaves every "
        "figure)" in describe(result.plan)
    )
    docs = next(t for t in result.plan.summary()["templates"] if t["template"] == "docs")
    assert (docs["retired"], docs["retired_done_or_signed_off"]) == (2, 1)
    assert state(tiny, "docs/selfcheck", system="db") == ("done", True)
    write_tiny(tiny_dir)
    result = resync(tiny, tiny_dir, clock)
    assert result.plan.counts()["revived"] == 2
    assert state(tiny, "docs/selfcheck", system="db") == ("done", False)
    with tiny.read() as conn:
        history = audit.for_instance(conn, _id(tiny, "docs/selfcheck", system="db"))
    assert [e.verb for e in history] == ["done"]


def test_member_leaving_is_deactivated_not_deleted(
    tiny: Store, tiny_dir: Path, clock: Clock
) -> None:
    write_tiny(
        tiny_dir,
        team=TEAM.replace('[[members]]\nhandle = "lou"\nname = "Lou Lead"\nrole = "lead"\n', ""),
    )
    result = resync(tiny, tiny_dir, clock)
    assert result.plan.members_deactivated == ["lou"]
    assert count(tiny, Member) == 3
    assert count(tiny, Member, Member.active == False) == 1  # type: ignore[arg-type]  # noqa: E712
    assert state(tiny, "onboard/access", member="lou") == ("todo", True)
    write_tiny(tiny_dir)
    result = resync(tiny, tiny_dir, clock)
    assert result.plan.members_reactivated == ["lou"]
    assert state(tiny, "onboard/access", member="lou") == ("todo", False)


def test_member_systems_change_retires_their_cell(
    tiny: Store, tiny_dir: Path, clock: Clock
) -> None:
    write_tiny(tiny_dir, team=TEAM.replace('systems = ["api", "db"]', 'systems = ["api"]'))
    result = resync(tiny, tiny_dir, clock)
    assert result.plan.receivers_dropped == [("eve", "db")]
    assert result.plan.counts()["retired"] == 2
    assert state(tiny, "kt/read", member="eve", system="db") == ("todo", True)


def test_tier_change_retires_tier_filtered_items(tiny: Store, tiny_dir: Path, clock: Clock) -> None:
    # api and db swap tiers: the tier-1 item leaves api for db
    swapped = TEAM.replace("tier = 1", "tier = X").replace("tier = 2", "tier = 1")
    write_tiny(tiny_dir, team=swapped.replace("tier = X", "tier = 2"))
    result = resync(tiny, tiny_dir, clock)
    assert result.plan.systems_changed == ["api", "db"]
    assert state(tiny, "docs/dr", system="api") == ("todo", True)
    assert state(tiny, "docs/dr", system="db") == ("todo", False)


def test_a_tier_no_system_has_is_a_validation_error(tiny_dir: Path) -> None:
    write_tiny(tiny_dir, team=TEAM.replace("tier = 1", "tier = 3"))
    with pytest.raises(ValidationFailed) as exc:
        load_folder(tiny_dir, "tiny")
    assert "tiny/docs.toml: items[1].tiers[0]: no system of tier 1 in team.toml" in [
        str(p) for p in exc.value.problems
    ]


def test_changed_attributes_update_in_place_and_are_listed(
    tiny: Store, tiny_dir: Path, clock: Clock
) -> None:
    write_tiny(
        tiny_dir,
        docs=DOCS.replace("weight = 2", "weight = 4").replace(
            'title = "Runbook"', 'title = "Runbooks"'
        ),
    )
    result = resync(tiny, tiny_dir, clock)
    assert "  runbook: title, weight changed" in describe(result.plan)
    assert result.plan.counts()["added"] == 0
    assert count(tiny, Instance, Instance.weight == 4) == 2  # type: ignore[arg-type]


def test_raised_revision_reopens_done_and_signed_off_not_na(
    tiny: Store, tiny_dir: Path, clock: Clock
) -> None:
    lea, lou = actor_of(tiny, "lea"), actor_of(tiny, "lou")
    api, db = _id(tiny, "docs/runbook", system="api"), _id(tiny, "docs/runbook", system="db")
    actions.act(tiny, lea, "done", api, clock=clock)
    actions.act(tiny, lou, "signoff", api, clock=clock)
    actions.act(tiny, lea, "na", db, reason="not ours", clock=clock)
    events_before = count(tiny, Event)
    write_tiny(tiny_dir, docs=DOCS.replace("weight = 2", "weight = 2\nrevision = 2"))
    result = resync(tiny, tiny_dir, clock)
    assert result.plan.counts()["reopened"] == 1
    assert state(tiny, "docs/runbook", system="api") == ("todo", False)
    assert state(tiny, "docs/runbook", system="db") == ("na", False)
    with tiny.read() as conn:
        assert [e.verb for e in audit.for_instance(conn, api)] == ["done", "signoff"]
    assert count(tiny, Event) == events_before + 1
    assert not resync(tiny, tiny_dir, clock).applied


def test_another_handovers_folder_is_refused(tiny: Store, tiny_dir: Path, clock: Clock) -> None:
    write_tiny(tiny_dir, team=TEAM.replace('name = "Tiny"', 'name = "Other"'))
    with pytest.raises(
        ValidationFailed, match=r"handover\.name: this store holds the handover 'Tiny'"
    ):
        resync(tiny, tiny_dir, clock)
    assert count(tiny, Event) == 1


def test_new_template_and_scope_change(tiny: Store, tiny_dir: Path, clock: Clock) -> None:
    write_tiny(tiny_dir, kt=KT.replace('scope = "member_system"', 'scope = "member"'))
    result = resync(tiny, tiny_dir, clock)
    c = result.plan.counts()
    assert (c["added"], c["retired"]) == (6, 6)


def _id(store: Store, ref: str, member: str | None = None, system: str | None = None) -> int:
    with store.read() as conn:
        return actions.resolve_ref(conn, ref, actor_of(store, "lea"), member, system)


def test_revision_raised_while_retired_reopens_on_revival(
    tiny: Store, tiny_dir: Path, clock: Clock
) -> None:
    lea, lou = actor_of(tiny, "lea"), actor_of(tiny, "lou")
    iid = _id(tiny, "kt/read", member="eve", system="db")
    actions.act(tiny, actor_of(tiny, "eve"), "done", iid, clock=clock)
    actions.act(tiny, lea, "signoff", iid, clock=clock)
    del lou
    dropped = TEAM.replace('systems = ["api", "db"]', 'systems = ["api"]')
    raised = KT.replace('title = "Read the docs"', 'title = "Read the docs"\nrevision = 2')
    write_tiny(tiny_dir, team=dropped, kt=raised)
    resync(tiny, tiny_dir, clock)
    assert state(tiny, "kt/read", member="eve", system="db") == ("signed_off", True)
    write_tiny(tiny_dir, kt=raised)
    result = resync(tiny, tiny_dir, clock)
    assert result.plan.counts()["reopened"] == 1
    assert state(tiny, "kt/read", member="eve", system="db") == ("todo", False)
    assert not resync(tiny, tiny_dir, clock).applied


def test_a_copy_of_the_sample_is_a_real_handover(
    store: Store, tmp_path: Path, clock: Clock
) -> None:
    import shutil

    from kt_tui.paths import sample_dir

    copy = tmp_path / "copy"
    shutil.copytree(sample_dir(), copy)
    sync(store, copy, actor="t", login="t", clock=clock)
    assert actor_of(store, "newcomer").read_only
