"""core/rules.py: the Python and SQL forms of each predicate agree on the same rows,
and the transition table, rights and verb effects are what DESIGN's table says."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy import create_engine, insert, select

from kt_tui.core import rules
from kt_tui.core.rules import State, Verb
from kt_tui.core.tables import INSTANCE, RECEIVER

TODAY = date(2026, 11, 26)
DUES = (None, date(2026, 11, 25), TODAY, date(2026, 11, 27))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, object]]:
    """Every combination of state, sign-off flag, retired flag and due date."""
    out = []
    combos = itertools.product(rules.STATES, (True, False), (True, False), DUES, (None, 1, 2))
    for i, (state, signoff, retired, due, member) in enumerate(combos, start=1):
        out.append(
            {
                "id": i,
                "item_id": 1,
                "member_id": member,
                "system_id": None if member else 7,
                "state": state,
                "signoff": signoff,
                "retired": retired,
                "due": due,
                "weight": 1,
                "done_by": "ann" if i % 3 == 0 else None,
            }
        )
    return out


@pytest.fixture(scope="module")
def sql_answers(rows: list[dict[str, object]]) -> dict[str, dict[int, bool]]:
    """Each predicate's SQL form, asked of every row in a real SQLite table."""
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        INSTANCE.create(conn)
        RECEIVER.create(conn)
        conn.execute(insert(RECEIVER).values(member_id=1, system_id=7, active=True))
        conn.execute(insert(INSTANCE), rows)
        predicates = {
            "counted": rules.counted_sql(),
            "complete": rules.complete_sql(),
            "progress": rules.progress_sql(),
            "open": rules.open_sql(),
            "overdue": rules.overdue_sql(TODAY),
            "awaiting": rules.awaiting_sql(),
        }
        return {
            name: {r.id: bool(r.flag) for r in conn.execute(select(INSTANCE.c.id, p.label("flag")))}
            for name, p in predicates.items()
        }


def python_answer(name: str, r: dict[str, object]) -> bool:
    state, signoff, due = str(r["state"]), bool(r["signoff"]), r["due"]
    assert due is None or isinstance(due, date)
    return {
        "counted": lambda: rules.is_counted(state, bool(r["retired"])),
        "complete": lambda: rules.is_complete(state, signoff),
        "progress": lambda: rules.is_progress(state, signoff),
        "open": lambda: rules.is_open(state, signoff),
        "overdue": lambda: rules.is_overdue(state, signoff, due, TODAY),
        "awaiting": lambda: rules.is_awaiting(state, signoff),
    }[name]()


@pytest.mark.parametrize("name", ["counted", "complete", "progress", "open", "overdue", "awaiting"])
def test_sql_and_python_forms_agree(
    name: str, rows: list[dict[str, object]], sql_answers: dict[str, dict[int, bool]]
) -> None:
    differ = [r for r in rows if python_answer(name, r) != sql_answers[name][int(str(r["id"]))]]
    assert not differ, f"{name}: SQL and Python disagree on {differ[:3]}"
    assert any(sql_answers[name].values()) and not all(sql_answers[name].values())


def test_transition_table_is_designs() -> None:
    table = {v: (set(src), to) for v, (src, to) in rules.TRANSITIONS.items()}
    assert table == {
        "done": ({"todo", "blocked"}, "done"),
        "undo": ({"done"}, "todo"),
        "block": ({"todo"}, "blocked"),
        "unblock": ({"blocked"}, "todo"),
        "signoff": ({"done"}, "signed_off"),
        "na": ({"todo", "blocked", "done"}, "na"),
        "reopen": ({"signed_off", "na"}, "todo"),
        "reject": ({"done"}, "todo"),
        "assess": ({"todo", "blocked", "done"}, "signed_off"),
    }
    # signoff stays done until the last party signs; assess sends a failing score to todo
    assert rules.may_lead_to(Verb.SIGNOFF, State.DONE) == ("done", "signed_off")
    assert rules.may_lead_to(Verb.ASSESS, State.TODO) == ("signed_off", "todo")
    assert not rules.allowed_from(Verb.SIGNOFF, State.TODO)
    assert rules.allowed_from(Verb.NOTE, State.SIGNED_OFF)  # text verbs fit every state


def test_which_verbs_need_which_right() -> None:
    """DESIGN: doing is the owner's, signing and rejecting a party's, na and reopen leads'."""
    assert {"done", "undo", "block", "unblock", "evidence"} == rules.OWNER_VERBS
    assert {"signoff", "reject"} == rules.SIGNER_VERBS
    assert {"na", "reopen"} == rules.LEAD_VERBS
    assert set(rules.VERBS) == {
        *rules.OWNER_VERBS,
        *rules.SIGNER_VERBS,
        *rules.LEAD_VERBS,
        "note",
        "assess",
    }


def test_verb_effects() -> None:
    done = rules.effect("done", "blocked", actor="ben", at="T1")
    assert done == {
        "state": "done",
        "done_by": "ben",
        "done_at": "T1",
        "reason": None,
        "sent_back": False,
    }
    undo = rules.effect("undo", "done", actor="ben", at="T2")
    assert undo["state"] == "todo" and undo["done_by"] is None and undo["signed_off_by"] is None
    block = rules.effect("block", "todo", actor="ben", at="T3", reason="VPN")
    assert block == {"state": "blocked", "reason": "VPN"}
    note = rules.effect("note", "signed_off", actor="ben", at="T4", note="hi", evidence="x")
    assert note == {"note": "hi"}  # a note never changes the evidence
    assert rules.toggle_done_verb(State.DONE) == "undo"
    assert rules.toggle_done_verb(State.BLOCKED) == "done"
    assert rules.toggle_block_verb(State.BLOCKED) == "unblock"


def test_figures_rules() -> None:
    assert rules.fraction(0, 0) is None and rules.fraction(1, 4) == 0.25
    assert not rules.is_ready_receiver(0, 0)  # nothing counted: not ready
    assert rules.is_ready_receiver(3, 3)
    # float rounding never denies a transfer the integers allow
    assert rules.can_transfer(0.1 + 0.2, 2, 2, 0.3)
    assert not rules.can_transfer(None, 5, 2, 0.0)
    assert not rules.can_transfer(1.0, 1, 2, 1.0)
    assert rules.min_ready_of(None, 2) == 2 and rules.min_ready_of(3, 2) == 3


# DESIGN's definitions, pinned as truth tables: a change that moves both forms together
# still fails here.
COMPLETE = {
    ("todo", True): False, ("todo", False): False,
    ("blocked", True): False, ("blocked", False): False,
    ("done", True): False, ("done", False): True,
    ("signed_off", True): True, ("signed_off", False): True,
    ("na", True): False, ("na", False): False,
}  # fmt: skip


@pytest.mark.parametrize(("state", "signoff"), list(COMPLETE))
def test_complete_awaiting_open_and_overdue_are_designs(state: str, signoff: bool) -> None:
    complete = COMPLETE[(state, signoff)]
    assert rules.is_complete(state, signoff) is complete
    assert rules.is_awaiting(state, signoff) is (state == "done" and signoff)
    assert rules.is_open(state, signoff) is (not complete and state != "na")
    yesterday, tomorrow = date(2026, 11, 25), date(2026, 11, 27)
    is_open = not complete and state != "na"
    assert rules.is_overdue(state, signoff, yesterday, TODAY) is is_open
    assert rules.is_overdue(state, signoff, TODAY, TODAY) is False  # due today is not late
    assert rules.is_overdue(state, signoff, tomorrow, TODAY) is False
    assert rules.is_overdue(state, signoff, None, TODAY) is False
    assert rules.is_counted(state, retired=False) is (state != "na")
    assert rules.is_counted(state, retired=True) is False


def test_level_and_threshold_are_designs() -> None:
    stages = ["documented", "shadowed", "independent"]
    assert rules.level({0: (2, 2), 1: (1, 1), 2: (3, 2)}, stages) == "shadowed"
    assert rules.level({0: (2, 1), 1: (1, 1)}, stages) is None
    assert rules.level({0: (1, 1), 1: (1, 1), 2: (1, 1)}, stages) == "independent"
    assert rules.reaches(0.999999, 1.0) is False  # a real shortfall is not rounded away
    assert rules.reaches(1.0 - 1e-12, 1.0) is True  # float noise is
    assert rules.reaches(None, 0.0) is False


def test_core_has_no_import_cycles() -> None:
    """readiness <-> rollup and store -> migrate -> rollup -> readiness -> store are gone;
    none may come back."""
    import grimp

    graph = grimp.build_graph("kt_tui")
    core = sorted(m for m in graph.modules if m.startswith("kt_tui.core."))
    cycles = [
        (a, b)
        for i, a in enumerate(core)
        for b in core[i + 1 :]
        if graph.chain_exists(a, b) and graph.chain_exists(b, a)
    ]
    assert not cycles
