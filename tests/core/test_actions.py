"""Every rule of "Who may do what" and of the state table, for lead, engineer and outsider."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kt_tui.core import actions, audit
from kt_tui.core.clock import Clock
from kt_tui.core.errors import BadInput, Refused
from kt_tui.core.models import Event
from kt_tui.core.store import Store
from tests.conftest import actor_of


def ref_id(
    store: Store, who: str, ref: str, member: str | None = None, system: str | None = None
) -> int:
    with store.read() as conn:
        return actions.resolve_ref(conn, ref, actor_of(store, who), member, system)


def act(
    store: Store, clock: Clock, who: str, verb: str, ref: str, **kw: str | None
) -> actions.Outcome:
    member, system = kw.pop("member", None), kw.pop("system", None)
    iid = ref_id(store, who, ref, member, system)
    return actions.act(store, actor_of(store, who), verb, iid, clock=clock, **kw)


def events(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(Event)).scalar() or 0)


def refused(
    store: Store, clock: Clock, who: str, verb: str, ref: str, match: str, **kw: str | None
) -> None:
    before = events(store)
    with pytest.raises(Refused, match=match):
        act(store, clock, who, verb, ref, **kw)
    assert events(store) == before, "a refused action must write nothing"


def test_engineer_does_own_items_and_records_one_event(tiny: Store, clock: Clock) -> None:
    before = events(tiny)
    out = act(tiny, clock, "eve", "done", "kt/read", system="api", note="read it all")
    assert (out.before, out.after) == ("todo", "done")
    assert events(tiny) == before + 1
    with tiny.read() as conn:
        (e,) = audit.recent(conn, 1)
    assert (e.actor, e.verb, e.ref, e.before, e.after, e.note) == (
        "eve",
        "done",
        "kt/read",
        "todo",
        "done",
        "read it all",
    )
    assert e.at == "2026-11-25T09:00:00.000000Z"


def test_engineer_may_act_on_system_items_of_systems_received(tiny: Store, clock: Clock) -> None:
    act(tiny, clock, "eve", "done", "docs/runbook", system="db")


def test_engineer_may_not_sign_off_or_na_or_reopen(tiny: Store, clock: Clock) -> None:
    act(tiny, clock, "eve", "done", "kt/read", system="api")
    refused(
        tiny,
        clock,
        "eve",
        "signoff",
        "kt/read",
        r"Only a lead may sign off kt/read --member eve --system api now \(it waits on lead\)",
        system="api",
    )
    act(tiny, clock, "eve", "done", "docs/runbook", system="api")
    refused(
        tiny,
        clock,
        "eve",
        "signoff",
        "docs/runbook",
        "Only a lead may sign off docs/runbook --system api as lead; you are eve",
        system="api",
        party="lead",
    )
    refused(
        tiny,
        clock,
        "eve",
        "na",
        "kt/shadow",
        "Only a lead may mark kt/shadow --member eve --system api not applicable; you are eve",
        system="api",
        reason="x",
    )
    refused(tiny, clock, "eve", "reopen", "kt/read", "Only a lead may reopen kt/read", system="api")


def test_engineer_may_not_touch_others_items(tiny: Store, clock: Clock) -> None:
    refused(
        tiny,
        clock,
        "eve",
        "done",
        "kt/read",
        "may mark kt/read --member lea --system api done; you are eve",
        member="lea",
        system="api",
    )
    refused(
        tiny,
        clock,
        "eve",
        "note",
        "onboard/access",
        "Only someone who does or signs it may leave a note on onboard/access",
        member="lou",
        text="hi",
    )


def test_nobody_signs_off_what_they_marked_done(tiny: Store, clock: Clock) -> None:
    act(tiny, clock, "lea", "done", "docs/runbook", system="db")
    refused(tiny, clock, "lea", "signoff", "docs/runbook", "you marked it done", system="db")
    act(tiny, clock, "lou", "signoff", "docs/runbook", system="db")


def test_nobody_signs_off_an_item_bearing_their_handle(tiny: Store, clock: Clock) -> None:
    act(tiny, clock, "lou", "done", "kt/read", member="lea", system="api")
    refused(
        tiny, clock, "lea", "signoff", "kt/read", "bears your handle", member="lea", system="api"
    )
    act(tiny, clock, "lou", "undo", "kt/read", member="lea", system="api")


def test_no_signoff_for_signoff_false(tiny: Store, clock: Clock) -> None:
    act(tiny, clock, "eve", "done", "docs/selfcheck", system="api")
    refused(tiny, clock, "lea", "signoff", "docs/selfcheck", "needs no sign-off", system="api")


def test_evidence_required(tiny: Store, clock: Clock) -> None:
    refused(
        tiny,
        clock,
        "eve",
        "done",
        "docs/dr",
        "docs/dr --system api needs evidence to be done: give --evidence",
        system="api",
    )
    act(tiny, clock, "eve", "done", "docs/dr", system="api", evidence="https://wiki/dr")
    with tiny.read() as conn:
        (e,) = audit.recent(conn, 1)
    assert e.evidence == "https://wiki/dr"


def test_evidence_set_earlier_satisfies_done(tiny: Store, clock: Clock) -> None:
    act(tiny, clock, "eve", "evidence", "docs/dr", system="api", text="TICKET-12")
    act(tiny, clock, "eve", "done", "docs/dr", system="api")


def test_unknown_actor_is_read_only(tiny: Store, clock: Clock) -> None:
    actor = actor_of(tiny, "mallory")
    assert actor.read_only
    iid = ref_id(tiny, "lea", "docs/runbook", system="api")
    with pytest.raises(Refused, match="is not in it, so this session is read-only"):
        actions.act(tiny, actor, "note", iid, text="x", clock=clock)


@pytest.mark.parametrize(
    ("setup", "verb", "kw"),
    [
        ([], "undo", {}),
        ([], "unblock", {}),
        ([], "signoff", {}),
        ([], "reopen", {}),
        ([("done", {})], "block", {"reason": "waiting"}),
        ([("done", {}), ("signoff", {})], "done", {}),
        ([("na", {"reason": "n/a"})], "block", {"reason": "waiting"}),
    ],
)
def test_wrong_state_is_refused(tiny: Store, clock: Clock, setup, verb, kw) -> None:  # type: ignore[no-untyped-def]
    for v, extra in setup:
        who = "lou" if v == "signoff" else "lea"
        act(tiny, clock, who, v, "docs/runbook", system="db", **extra)
    refused(
        tiny,
        clock,
        "lea",
        verb,
        "docs/runbook",
        "Wrong state: docs/runbook --system db is ",
        system="db",
        **kw,
    )


def test_full_state_table(tiny: Store, clock: Clock) -> None:
    path = [
        ("lea", "block", {"reason": "waiting for access"}, "blocked"),
        ("lea", "unblock", {}, "todo"),
        ("lea", "block", {"reason": "again"}, "blocked"),
        ("lea", "done", {}, "done"),
        ("lea", "undo", {}, "todo"),
        ("lea", "done", {}, "done"),
        ("lou", "signoff", {}, "signed_off"),
        ("lou", "reopen", {}, "todo"),
        ("lou", "na", {"reason": "not used"}, "na"),
        ("lou", "reopen", {}, "todo"),
    ]
    for who, verb, kw, expected in path:
        out = act(tiny, clock, who, verb, "docs/runbook", system="db", **kw)
        assert out.after == expected, verb


def test_block_and_na_need_a_reason(tiny: Store, clock: Clock) -> None:
    with pytest.raises(BadInput, match="needs --reason"):
        act(tiny, clock, "lea", "block", "docs/runbook", system="db")
    with pytest.raises(BadInput, match="needs --reason"):
        act(tiny, clock, "lea", "na", "docs/runbook", system="db", reason="  ")


def test_ref_resolution(tiny: Store) -> None:
    # --member defaults to the actor for member-bearing items
    a = ref_id(tiny, "eve", "kt/read", system="api")
    b = ref_id(tiny, "lea", "kt/read", member="eve", system="api")
    assert a == b
    with pytest.raises(BadInput, match="matches 2 instances") as info:
        ref_id(tiny, "eve", "kt/read")
    assert "kt/read --member eve --system api" in str(info.value)
    with pytest.raises(BadInput, match="--system nope: no system is called that"):
        ref_id(tiny, "eve", "kt/read", system="nope")
    with pytest.raises(BadInput, match="matches no instance"):  # db exists: not this pair
        ref_id(tiny, "lea", "kt/read", member="lea", system="db")
    with pytest.raises(BadInput, match="no such item; items of kt: read, shadow"):
        ref_id(tiny, "eve", "kt/nope")
    with pytest.raises(BadInput, match="REF must be template/item"):
        ref_id(tiny, "eve", "kt")


def test_stale_version_is_refused(tiny: Store, clock: Clock) -> None:
    iid = ref_id(tiny, "lea", "docs/runbook", system="db")
    act(tiny, clock, "lea", "note", "docs/runbook", system="db", text="first")
    with pytest.raises(
        Refused, match="was changed by lea since you read it: reload, then try again"
    ):
        actions.act(
            tiny, actor_of(tiny, "lou"), "note", iid, text="second", expect_version=1, clock=clock
        )


def test_bundled_sample_outsider_acts_as_first_lead(store: Store, clock: Clock) -> None:
    from kt_tui.core.sync import sync
    from kt_tui.paths import sample_dir

    sync(store, sample_dir(), actor="t", login="t", clock=clock)
    actor = actor_of(store, "newcomer")
    assert (actor.handle, actor.role, actor.stand_in) == ("asha", "lead", True)
    assert "acting as asha" in actor.describe()


def test_outsider_on_a_real_handover_is_not_promoted(tiny: Store) -> None:
    assert actor_of(tiny, "newcomer").read_only
