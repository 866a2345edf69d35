"""core/rules.py, owners and parties: the Python and SQL forms of may_do, may_fill,
may_sign and may_assess agree on every combination, and the rules are DESIGN's."""

from __future__ import annotations

import itertools
import json

import pytest
from sqlalchemy import create_engine, insert, select

from kt_tui.core import rules
from kt_tui.core.rules import Person, Verb
from kt_tui.core.tables import INSTANCE, ITEM, RECEIVER, SIGNATURE

# two leads (one a side), two engineers (one a side); who has which system
RECEIVERS = {1: {7}, 2: {8}, 3: {7}, 4: {7}}
PEOPLE = [
    Person(1, "ann", True, "client", frozenset(RECEIVERS[1])),
    Person(2, "bob", True, "provider", frozenset(RECEIVERS[2])),
    Person(3, "cat", False, "client", frozenset(RECEIVERS[3])),
    Person(4, "dan", False, "provider", frozenset(RECEIVERS[4])),
    Person(5, "eli", False, "client", frozenset()),
]
OWNERS = ["receiver", "provider", "lead", "cat"]
PARTIES = [
    ["lead"],
    ["provider-lead", "client-lead"],
    ["receiver", "lead"],
    ["dan"],
    ["receiver"],
    ["eli", "lead"],
]
# (member, system): member, member, system, system, member_system x2, handover
BEARINGS = [(1, None), (3, None), (None, 7), (None, 8), (3, 7), (4, 7), (None, None)]
DONE_BY = [None, "ann", "cat"]
SIGNED = [{}, {"lead": "bob"}, {"receiver": "ann"}, {"provider-lead": "cat"}]


@pytest.fixture(scope="module")
def table() -> list[dict[str, object]]:
    rows = []
    combos = itertools.product(range(len(OWNERS) * len(PARTIES)), BEARINGS, DONE_BY, SIGNED)
    for i, (item, (member, system), done_by, signed) in enumerate(combos, start=1):
        rows.append(
            {
                "id": i,
                "item_id": item + 1,
                "member_id": member,
                "system_id": system,
                "done_by": done_by,
                "signed": signed,
            }
        )
    return rows


def _item(item_id: int) -> tuple[str, list[str]]:
    return OWNERS[(item_id - 1) // len(PARTIES)], PARTIES[(item_id - 1) % len(PARTIES)]


@pytest.fixture(scope="module")
def sql_answers(table: list[dict[str, object]]) -> dict[tuple[str, int], set[int]]:
    """For each (predicate, person): the instance ids its SQL form picks."""
    engine = create_engine("sqlite://")
    out: dict[tuple[str, int], set[int]] = {}
    with engine.begin() as conn:
        for t in (ITEM, INSTANCE, RECEIVER, SIGNATURE):
            t.create(conn)
        n = len(OWNERS) * len(PARTIES)
        items = []
        for k in range(1, n + 1):
            owner, parties = _item(k)
            items.append(
                {
                    "id": k,
                    "template_id": 1,
                    "key": f"i{k}",
                    "title": "t",
                    "owner": owner,
                    "parties": json.dumps(parties),
                }
            )
        conn.execute(insert(ITEM), items)
        conn.execute(
            insert(RECEIVER),
            [{"member_id": m, "system_id": s} for m, ss in RECEIVERS.items() for s in ss],
        )
        conn.execute(
            insert(INSTANCE),
            [{k: v for k, v in r.items() if k != "signed"} | {"state": "done"} for r in table],
        )
        sigs = [
            {"instance_id": r["id"], "party": p, "by": by, "at": "T"}
            for r in table
            for p, by in r["signed"].items()  # type: ignore[attr-defined]
        ]
        conn.execute(insert(SIGNATURE), sigs)
        joined = INSTANCE.join(ITEM, ITEM.c.id == INSTANCE.c.item_id)
        for person in PEOPLE:
            forms = {
                "may_do": rules.may_do_sql(person),
                "mine": rules.mine_sql(person),
                "may_sign": rules.may_sign_sql(person),
                "may_assess": rules.may_assess_sql(person),
                **{
                    f"fill:{p}": rules.may_fill_sql(p, person)
                    for p in (*rules.NAMED_PARTIES, "dan", "eli")
                },
            }
            for name, cond in forms.items():
                q = select(INSTANCE.c.id).select_from(joined).where(cond)
                out[(name, person.member_id or 0)] = set(conn.execute(q).scalars())
    return out


def python_answer(name: str, person: Person, r: dict[str, object]) -> bool:
    owner, parties = _item(int(str(r["item_id"])))
    member, system = r["member_id"], r["system_id"]
    assert member is None or isinstance(member, int)
    assert system is None or isinstance(system, int)
    signed = r["signed"]
    assert isinstance(signed, dict)
    done_by = r["done_by"]
    assert done_by is None or isinstance(done_by, str)
    if name == "may_do":
        return rules.may_do(owner, person, member, system)
    if name == "mine":
        return rules.is_mine(owner, person, member, system)
    if name == "may_sign":
        fill = rules.fillable_parties(
            parties, signed, person, member_id=member, system_id=system, done_by=done_by
        )
        return bool(fill)
    if name == "may_assess":
        return rules.may_assess(parties, person, member, system)
    return rules.may_fill(name.removeprefix("fill:"), person, member, system)


NAMES = ["may_do", "mine", "may_sign", "may_assess", *(f"fill:{p}" for p in rules.NAMED_PARTIES)]


@pytest.mark.parametrize("name", [*NAMES, "fill:dan", "fill:eli"])
@pytest.mark.parametrize("who", range(len(PEOPLE)))
def test_sql_and_python_forms_agree(
    name: str,
    who: int,
    table: list[dict[str, object]],
    sql_answers: dict[tuple[str, int], set[int]],
) -> None:
    person = PEOPLE[who]
    picked = sql_answers[(name, person.member_id or 0)]
    differ = [r for r in table if python_answer(name, person, r) != (r["id"] in picked)]
    assert not differ, f"{name} for {person.handle}: SQL and Python disagree on {differ[:3]}"


@pytest.mark.parametrize("name", NAMES)
def test_each_form_picks_some_and_not_all(
    name: str, sql_answers: dict[tuple[str, int], set[int]], table: list[dict[str, object]]
) -> None:
    picked = set().union(*(sql_answers[(name, p.member_id or 0)] for p in PEOPLE))
    assert picked and any(not all(r["id"] in sql_answers[(name, p.member_id or 0)]
                                  for r in table) for p in PEOPLE)  # fmt: skip


ANN, BOB, CAT, DAN, ELI = PEOPLE


def test_owner_is_designs() -> None:
    # receiver: a member item's own member; a system item's client members with it
    assert rules.may_do("receiver", CAT, 3, None) and not rules.may_do("receiver", CAT, 1, None)
    assert rules.may_do("receiver", CAT, None, 7) and not rules.may_do("receiver", DAN, None, 7)
    assert not rules.may_do("receiver", CAT, None, None)  # handover items: leads
    assert rules.may_do("receiver", ANN, None, None) and rules.may_do("receiver", BOB, 3, 7)
    # provider: provider-side members, with the system for system-bearing items
    assert rules.may_do("provider", DAN, None, 7) and not rules.may_do("provider", DAN, None, 8)
    assert rules.may_do("provider", DAN, 3, None) and not rules.may_do("provider", CAT, 3, None)
    # lead, and a handle
    assert not rules.may_do("lead", CAT, 3, None) and rules.may_do("lead", ANN, 3, None)
    assert rules.may_do("cat", CAT, None, 8) and not rules.may_do("cat", DAN, None, 8)
    # read-only: nobody
    assert not rules.may_do("receiver", Person(None, None, False, "client"), None, 7)


def test_parties_are_designs() -> None:
    assert rules.may_fill("lead", BOB, 3, None) and not rules.may_fill("lead", CAT, 3, None)
    assert rules.may_fill("client-lead", ANN, 3, None)
    assert not rules.may_fill("client-lead", BOB, 3, None)
    assert rules.may_fill("provider-lead", BOB, 3, None)
    assert rules.may_fill("receiver", CAT, 3, 7) and not rules.may_fill("receiver", ELI, 3, 7)
    assert rules.may_fill("receiver", CAT, None, 7) and not rules.may_fill("receiver", DAN, None, 7)
    assert rules.may_fill("receiver", ELI, None, None)  # a handover item: any client member
    assert rules.may_fill("dan", DAN, None, 8) and not rules.may_fill("dan", CAT, None, 8)


def test_conflicts_are_designs() -> None:
    # one person fills at most one party
    assert rules.sign_conflict("client-lead", ANN, member_id=3, done_by=None, signed_by=["ann"])
    # nobody signs an item they marked done
    assert rules.sign_conflict("lead", ANN, member_id=3, done_by="ann", signed_by=[])
    # a lead never signs, as a lead party, an item bearing their own handle
    assert rules.sign_conflict("lead", ANN, member_id=1, done_by="cat", signed_by=[])
    assert rules.sign_conflict("receiver", ANN, member_id=1, done_by="cat", signed_by=[]) is None
    # the first missing party in the listed order that the signer may fill
    both = ["provider-lead", "client-lead"]
    fill = rules.fillable_parties(both, {}, ANN, member_id=3, system_id=None, done_by="cat")
    assert fill == ["client-lead"]
    fill = rules.fillable_parties(
        ["lead", "client-lead"], {"lead": "bob"}, ANN, member_id=3, system_id=None, done_by="cat"
    )
    assert fill == ["client-lead"]


def test_outcomes_and_scores() -> None:
    both = ["provider-lead", "client-lead"]
    assert rules.sign_outcome(Verb.SIGNOFF, parties=both, signed=["client-lead"]) == "done"
    assert rules.sign_outcome(Verb.SIGNOFF, parties=both, signed=both) == "signed_off"
    assert rules.sign_outcome(Verb.ASSESS, score=3, pass_score=3) == "signed_off"
    assert rules.sign_outcome(Verb.ASSESS, score=2, pass_score=3) == "todo"
    assert rules.score_problem(0, 4) and rules.score_problem(5, 4)
    assert rules.score_problem(5, 5) is None and rules.score_problem(4, None) is None
    # a partial sign-off sets no signed_off_by: that means the completing signature
    partial = rules.effect(Verb.SIGNOFF, "done", actor="ann", at="T", to="done")
    assert partial == {"state": "done"}
    full = rules.effect(Verb.SIGNOFF, "done", actor="ann", at="T", to="signed_off")
    assert full["signed_off_by"] == "ann"
    reject = rules.effect(Verb.REJECT, "done", actor="ann", at="T", reason="no link")
    assert reject["state"] == "todo" and reject["sent_back"] is True
    assert reject["reason"] == "no link" and reject["done_by"] is None
    failed = rules.effect(Verb.ASSESS, "done", actor="ann", at="T", to="todo", score=2)
    assert failed["state"] == "todo" and failed["score"] == 2 and failed["done_by"] is None
    assert rules.effect(Verb.REOPEN, "signed_off", actor="ann", at="T")["score"] is None
    assert {Verb.UNDO, Verb.REOPEN, Verb.REJECT, Verb.EVIDENCE} <= rules.DROPS_SIGNATURES
    assert Verb.SIGNOFF not in rules.DROPS_SIGNATURES and Verb.NOTE not in rules.DROPS_SIGNATURES
