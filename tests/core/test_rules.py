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


# --- attendance (training sessions) -------------------------------------------------


def test_trainers_are_every_parts_trainer() -> None:
    parts = '[{"at": "2027-01-12T09:00:00", "trainer": "eve"}, {"at": "x", "trainer": null}]'
    assert rules.trainers_of(parts, "Priya N") == {"eve", "Priya N"}
    assert rules.trainers_of(None, None) == frozenset()


@pytest.mark.parametrize(
    ("is_lead", "actor", "attendee", "allowed"),
    [
        (False, "ian", "ian", True),  # anyone for themselves
        (True, "lea", "ian", True),  # leads for anyone
        (False, "eve", "ian", True),  # a trainer of the item who is on the roster
        (False, "ian", "eve", False),  # another engineer: no
        (False, None, "ian", False),  # read-only: no
    ],
)
def test_who_may_mark_attendance(
    is_lead: bool, actor: str | None, attendee: str, allowed: bool
) -> None:
    trainers = frozenset({"eve", "Priya N"})
    got = rules.may_mark_attendance(
        is_lead=is_lead, actor=actor, attendee=attendee, trainers=trainers
    )
    assert got is allowed


# --- lapsing and waiting (issue 11) ------------------------------------------------------

LAPSES = (None, date(2026, 11, 25), TODAY, date(2026, 11, 27))


@pytest.fixture(scope="module")
def lapse_rows() -> list[dict[str, object]]:
    """Every state, sign-off flag, due date and lapse day."""
    combos = itertools.product(rules.STATES, (True, False), DUES, LAPSES)
    return [
        {
            "id": i,
            "item_id": 1,
            "state": s,
            "signoff": so,
            "retired": False,
            "due": due,
            "weight": 1,
            "lapses_on": lp,
        }
        for i, (s, so, due, lp) in enumerate(combos, start=1)
    ]


def test_lapsing_predicates_agree_in_python_and_sql(lapse_rows: list[dict[str, object]]) -> None:
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        INSTANCE.create(conn)
        conn.execute(insert(INSTANCE), lapse_rows)
        sql = {
            name: {r.id: bool(r.flag) for r in conn.execute(select(INSTANCE.c.id, p.label("flag")))}
            for name, p in {
                "lapsed": rules.lapsed_sql(TODAY),
                "complete_on": rules.complete_on_sql(TODAY),
                "overdue_on": rules.overdue_on_sql(TODAY),
                "blocks": rules.blocks_dependants_sql(TODAY),
            }.items()
        }
    for r in lapse_rows:
        state, so, due, lp = str(r["state"]), bool(r["signoff"]), r["due"], r["lapses_on"]
        assert (due is None or isinstance(due, date)) and (lp is None or isinstance(lp, date))
        python = {
            "lapsed": rules.is_lapsed(state, so, lp, TODAY),
            "complete_on": rules.is_complete_on(state, so, lp, TODAY),
            "overdue_on": rules.is_overdue_on(state, so, due, lp, TODAY),
            "blocks": rules.blocks_dependants(state, so, lp, TODAY),
        }
        for name, answer in python.items():
            assert sql[name][int(str(r["id"]))] == answer, (name, r)


def test_lapsed_means_complete_and_after_its_day() -> None:
    day = date(2026, 11, 25)
    assert rules.is_lapsed("signed_off", True, day, date(2026, 11, 26))
    assert not rules.is_lapsed("signed_off", True, day, day)  # the last valid day
    assert not rules.is_lapsed("done", True, day, date(2027, 1, 1))  # not complete
    assert not rules.is_complete_on("done", False, day, date(2026, 11, 26))


def test_lapses_on_is_the_completion_day_plus_valid_days() -> None:
    stamp = "2026-11-25T09:00:00.000000Z"
    assert rules.lapses_on("done", False, stamp, 30) == date(2026, 12, 25)
    assert rules.lapses_on("done", True, stamp, 30) is None  # awaiting its sign-off
    assert rules.lapses_on("signed_off", True, stamp, None) is None
    assert rules.lapses_on("todo", False, stamp, 30) is None
    assert rules.completion_stamp(True, "a", "b") == "b"
    assert rules.completion_stamp(False, "a", None) == "a"


def test_done_again_only_once_lapsed_and_it_drops_sign_off_and_score() -> None:
    assert rules.may_redo(Verb.DONE, State.SIGNED_OFF, lapsed=True)
    assert not rules.may_redo(Verb.DONE, State.SIGNED_OFF, lapsed=False)
    assert not rules.may_redo(Verb.UNDO, State.DONE, lapsed=True)
    assert rules.redo_clears(Verb.DONE, State.SIGNED_OFF) == {
        "signed_off_by": None, "signed_off_at": None, "score": None,
    }  # fmt: skip
    assert rules.redo_clears(Verb.DONE, State.TODO) == {}
    assert rules.toggle_done_verb_on(State.DONE, lapsed=True) == Verb.DONE
    assert rules.toggle_done_verb_on(State.DONE, lapsed=False) == Verb.UNDO


def test_waiting_agrees_in_python_and_sql() -> None:
    """Items 1 (system scope), 2 (member scope), 3 (member_system, audience of member 1
    only), 4 (handover), and 5 waiting on all four; every mix of their states."""
    from kt_tui.core.tables import ITEM, TEMPLATE

    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        for table in (TEMPLATE, ITEM, INSTANCE):
            table.create(conn)
        conn.execute(insert(TEMPLATE), [
            {"id": 1, "key": "t_a", "title": "T", "kind": "training", "scope": "x"},
            {"id": 2, "key": "tXa", "title": "T", "kind": "training", "scope": "x"},
        ])  # fmt: skip
        after = '["t_a/sys", "t_a/mem", "t_a/cell", "t_a/all"]'
        conn.execute(insert(ITEM), [
            {"id": i, "template_id": 1 + (i == 6), "key": k, "title": k, "after": a}
            # item 6, tXa/sys, is no prerequisite: "_" is no wildcard in the match
            for i, k, a in ((1, "sys", None), (2, "mem", None), (3, "cell", None),
                            (4, "all", None), (5, "late", after), (6, "sys", None))
        ])  # fmt: skip
        gates = [(1, None, 7), (1, None, 8), (2, 1, None), (2, 2, None), (3, 1, 7), (4, None, None),
                 (6, None, 7)]  # fmt: skip
        waiting = [(1, 7), (2, 8), (1, None), (None, 7), (2, 7)]
        states = ("todo", "signed_off")  # n/a: blocks_dependants, checked above
        answers = []
        iid = 0
        for combo in itertools.product(states, repeat=len(gates)):
            conn.execute(INSTANCE.delete())
            rows = []
            for (item, m, s), st in zip(gates, combo, strict=True):
                iid += 1
                rows.append({"id": iid, "item_id": item, "member_id": m, "system_id": s,
                             "state": st, "retired": iid % 11 == 0})  # fmt: skip
            for m, s in waiting:
                iid += 1
                rows.append({"id": iid, "item_id": 5, "member_id": m, "system_id": s,
                             "state": "todo", "retired": False})  # fmt: skip
            conn.execute(insert(INSTANCE), [{"signoff": True, **r} for r in rows])
            flagged = {
                i for (i,) in conn.execute(select(INSTANCE.c.id).where(rules.waiting_sql(TODAY)))
            }
            refs = {
                i: joined
                for i, joined in conn.execute(select(INSTANCE.c.id, rules.waiting_refs_sql(TODAY)))
            }
            prereq = {
                ref: [{**r, "signoff": True, "lapses_on": None} for r in rows if r["item_id"] == n]
                for n, ref in ((1, "t_a/sys"), (2, "t_a/mem"), (3, "t_a/cell"), (4, "t_a/all"))
            }
            for r in rows[len(gates) :]:
                held = rules.waits_on(r["member_id"], r["system_id"], prereq, TODAY)
                assert (r["id"] in flagged) == bool(held), (combo, r)
                assert rules.split_refs(refs[r["id"]]) == sorted({ref for ref, _g in held})
                answers.append(bool(held))
        assert any(answers) and not all(answers)


def test_done_asks_evidence_where_none_on_file_counts() -> None:
    from kt_tui.core.rules import asks_evidence

    assert asks_evidence("done", "todo", True, None)
    assert not asks_evidence("done", "todo", True, "CHG-1")  # given before, kept
    assert asks_evidence("done", "signed_off", True, "CHG-1")  # lapsed: the last one's
    assert asks_evidence("done", "done", True, "CHG-1")
    assert not asks_evidence("done", "todo", False, None)
    assert not asks_evidence("signoff", "done", True, None)
