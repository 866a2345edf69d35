"""Format 2's audience keys, sides and the handover scope, through sync and the figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from kt_tui.core import readiness, rollup, verify
from kt_tui.core.clock import Clock
from kt_tui.core.errors import ValidationFailed
from kt_tui.core.store import Store
from kt_tui.core.sync import sync
from kt_tui.core.tables import INSTANCE, ITEM, MEMBER, SYSTEM
from kt_tui.core.templates import load_folder
from tests.helpers import TEAM, write_tiny

# a provider expert who hands over api, with a track; the client's eve has tracks too
PROVIDER = """
[[members]]
handle = "pia"
name = "Pia Provider"
role = "engineer"
side = "provider"
systems = ["api"]
tracks = ["oncall"]
"""
TEAM2 = (
    TEAM.replace('systems = ["api", "db"]', 'systems = ["api", "db"]\ntracks = ["oncall", "dev"]')
    .replace("[[systems]]", PROVIDER + "\n[[systems]]", 1)
    .replace("min_ready_per_system = 1", "min_ready_per_system = 1\nstart_date = 2026-10-01")
)

AUDIENCE = """
[template]
key = "aud"
title = "Audiences"
kind = "training"
scope = "member"
sides = ["client"]

[[items]]
key = "everyone-client"
title = "Client side only (template default)"

[[items]]
key = "oncall"
title = "On-call track"
tracks = ["oncall"]
sides = ["client", "provider"]

[[items]]
key = "eve-only"
title = "Named member"
members = ["eve"]
due = "S+2w"
"""

PAIRS = """
[template]
key = "pairs"
title = "Per system"
kind = "handover"
scope = "member_system"

[[items]]
key = "tier1-engineers"
title = "Tier 1, engineers"
tiers = [1]
roles = ["engineer"]

[[items]]
key = "db-only"
title = "Only db"
systems = ["db"]
"""

GOLIVE = """
[template]
key = "golive"
title = "Go-live"
kind = "handover"
scope = "handover"

[[items]]
key = "approval"
title = "Steering committee approves go-live"
due = "T+1w"
"""


def folder(tmp_path: Path, **extra: str) -> Path:
    files = {"team": TEAM2, "aud": AUDIENCE, "pairs": PAIRS, "golive": GOLIVE, **extra}
    return write_tiny(tmp_path / "tiny", **files)


def instances(store: Store, template: str, item: str) -> set[tuple[str | None, str | None]]:
    from kt_tui.core.tables import TEMPLATE

    q = (
        select(MEMBER.c.handle, SYSTEM.c.key)
        .select_from(INSTANCE)
        .join(ITEM, ITEM.c.id == INSTANCE.c.item_id)
        .join(TEMPLATE, TEMPLATE.c.id == ITEM.c.template_id)
        .outerjoin(MEMBER, MEMBER.c.id == INSTANCE.c.member_id)
        .outerjoin(SYSTEM, SYSTEM.c.id == INSTANCE.c.system_id)
        .where(TEMPLATE.c.key == template, ITEM.c.key == item, INSTANCE.c.retired == False)  # noqa: E712
    )
    with store.read() as conn:
        return {(m, s) for m, s in conn.execute(q)}


def test_audience_keys_narrow_and_together_they_and(
    store: Store, tmp_path: Path, clock: Clock
) -> None:
    sync(store, folder(tmp_path), actor="setup", login="setup", clock=clock)
    client = {("lea", None), ("lou", None), ("eve", None)}
    assert instances(store, "aud", "everyone-client") == client  # the template's default
    assert instances(store, "aud", "oncall") == {("eve", None), ("pia", None)}
    assert instances(store, "aud", "eve-only") == {("eve", None)}
    # tier 1 is api; engineers who have api: eve (client) and pia (provider)
    assert instances(store, "pairs", "tier1-engineers") == {("eve", "api"), ("pia", "api")}
    assert instances(store, "pairs", "db-only") == {("eve", "db")}
    assert instances(store, "golive", "approval") == {(None, None)}


def test_the_plan_names_the_audience_keys_that_changed(
    store: Store, tmp_path: Path, clock: Clock
) -> None:
    """Only roles changed: the plan said 'audience (tiers, systems, sides, roles,
    tracks, members)'."""
    from kt_tui.core.sync import describe

    sync(store, folder(tmp_path), actor="setup", login="setup", clock=clock)
    narrowed = AUDIENCE.replace('tracks = ["oncall"]', 'tracks = ["oncall"]\nroles = ["engineer"]')
    again = sync(store, folder(tmp_path, aud=narrowed), actor="setup", login="setup", clock=clock)
    assert "  oncall: audience (roles) changed" in describe(again.plan)


def test_due_forms_resolve_from_target_and_start(
    store: Store, tmp_path: Path, clock: Clock
) -> None:
    root = folder(tmp_path)
    f = load_folder(root, "tiny")
    items = {it.key: it for tf in f.templates for it in tf.spec.items}
    assert str(f.due_date(items["eve-only"])) == "2026-10-15"  # S+2w from 2026-10-01
    assert str(f.due_date(items["approval"])) == "2027-02-07"  # T+1w from 2027-01-31


def test_start_relative_due_needs_a_start_date(tmp_path: Path) -> None:
    root = write_tiny(
        tmp_path / "tiny", team=TEAM2.replace("start_date = 2026-10-01", ""), aud=AUDIENCE
    )
    with pytest.raises(ValidationFailed) as exc:
        load_folder(root, "tiny")
    assert any("items[2].due" in str(p) and "start_date" in str(p) for p in exc.value.problems), (
        exc.value.problems
    )


def test_handover_items_have_their_own_figures_and_count_overall(
    store: Store, tmp_path: Path, clock: Clock
) -> None:
    sync(store, folder(tmp_path), actor="setup", login="setup", clock=clock)
    with store.read() as conn:
        st = readiness.status(store, conn, clock.today())
        assert rollup.recount_difference(conn) == ""
        assert verify.verify(conn).ok
    assert st is not None and st.handover_items is not None
    assert st.handover_items.items == 1 and st.handover_items.readiness == 0.0
    data = st.to_json()
    assert data["handover_items"]["items"] == 1
    members = sum(m.figures.items for m in st.members)
    systems_only = st.overall.items - members - 1  # minus member items, minus the handover's
    assert systems_only == sum(s.figures.items for s in st.systems) - sum(
        c.figures.items for c in st.cells
    )


def test_ready_receivers_count_the_client_side_only(
    store: Store, tmp_path: Path, clock: Clock
) -> None:
    sync(store, folder(tmp_path), actor="setup", login="setup", clock=clock)
    with store.read() as conn:
        st = readiness.status(store, conn, clock.today())
    assert st is not None
    # pia (provider) has api in her systems: a cell, never a receiver
    assert st.cell("pia", "api") is not None
    sides = {m.handle: m.side for m in st.members}
    assert sides["pia"] == "provider" and sides["eve"] == "client"
    # pia completes every api item of hers: her cell is ready, api's ready receivers
    # stay 0 and the gate stays shut (eve, the client's receiver, has done nothing)
    from kt_tui.core.actions import act
    from tests.conftest import actor_of

    pia, lea = actor_of(store, "pia"), actor_of(store, "lea")
    with store.read() as conn:
        ids = (
            conn.execute(
                select(INSTANCE.c.id)
                .join(MEMBER, MEMBER.c.id == INSTANCE.c.member_id)
                .join(SYSTEM, SYSTEM.c.id == INSTANCE.c.system_id)
                .where(MEMBER.c.handle == "pia", SYSTEM.c.key == "api")
            )
            .scalars()
            .all()
        )
    assert len(ids) == 3
    for iid in ids:
        if act(store, pia, "done", iid, clock=clock).after == "done":
            act(store, lea, "signoff", iid, clock=clock)
    with store.read() as conn:
        st = readiness.status(store, conn, clock.today())
    assert st is not None
    cell = st.cell("pia", "api")
    assert cell is not None and cell.figures.readiness == 1.0 and cell.ready
    api = next(s for s in st.systems if s.key == "api")
    assert api.ready_receivers == 0 and api.can_transfer is False


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ('tracks = ["oncall"]', "no track"),
        ('members = ["nobody"]', "no member 'nobody' in team.toml"),
        ('systems = ["nope"]', "no system 'nope' in team.toml"),
        ('owner = "nobody"', "must be receiver, provider, lead or a handle"),
        ('signoff = ["boss"]', "must be lead, client-lead, provider-lead, receiver or a handle"),
    ],
)
def test_names_an_item_uses_must_be_on_the_roster(tmp_path: Path, bad: str, message: str) -> None:
    body = AUDIENCE.replace('title = "On-call track"\ntracks = ["oncall"]', 'title = "x"\n' + bad)
    team = (
        TEAM2
        if "tracks" not in bad
        else TEAM2.replace('tracks = ["oncall", "dev"]', "").replace('tracks = ["oncall"]', "")
    )
    root = write_tiny(tmp_path / "tiny", team=team, aud=body)
    with pytest.raises(ValidationFailed) as exc:
        load_folder(root, "tiny")
    assert any(message in str(p) for p in exc.value.problems), exc.value.problems


@pytest.mark.parametrize(
    ("scope", "key", "why"),
    [
        ("member", "tiers = [1]", "bears no system"),
        ("system", 'sides = ["client"]', "bears no member"),
        ("handover", 'members = ["eve"]', "bears no member"),
        ("handover", 'systems = ["api"]', "bears no system"),
    ],
)
def test_keys_that_cannot_apply_to_the_scope_are_errors(
    tmp_path: Path, scope: str, key: str, why: str
) -> None:
    body = GOLIVE.replace('scope = "handover"', f'scope = "{scope}"').replace('due = "T+1w"', key)
    root = write_tiny(tmp_path / "tiny", team=TEAM2, golive=body)
    with pytest.raises(ValidationFailed) as exc:
        load_folder(root, "tiny")
    assert any(why in str(p) for p in exc.value.problems), exc.value.problems


def test_after_cycle_and_unknown_reference_are_errors(tmp_path: Path) -> None:
    body = GOLIVE + '\n[[items]]\nkey = "b"\ntitle = "B"\nafter = ["approval", "nope/x"]\n'
    body = body.replace('due = "T+1w"', 'after = ["b"]')
    root = write_tiny(tmp_path / "tiny", team=TEAM2, golive=body)
    with pytest.raises(ValidationFailed) as exc:
        load_folder(root, "tiny")
    text = [str(p) for p in exc.value.problems]
    assert any("no item 'nope/x' in the folder" in t for t in text), text
    assert any(
        "prerequisites form a cycle: golive/approval -> golive/b -> golive/approval" in t
        for t in text
    ), text


def test_two_items_may_not_claim_the_same_old_key(tmp_path: Path) -> None:
    body = GOLIVE + '\n[[items]]\nkey = "b"\ntitle = "B"\nrenamed_from = ["old"]\n'
    body += '\n[[items]]\nkey = "c"\ntitle = "C"\nrenamed_from = ["old"]\n'
    root = write_tiny(tmp_path / "tiny", team=TEAM2, golive=body)
    with pytest.raises(ValidationFailed) as exc:
        load_folder(root, "tiny")
    assert any("item 'old' is renamed to 'b' already" in str(p) for p in exc.value.problems)
