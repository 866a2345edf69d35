"""Assessments: done says ready, assess scores it; the last score is kept; competency."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from kt_tui.core import verify
from kt_tui.core.clock import Clock
from kt_tui.core.errors import BadInput, Refused
from kt_tui.core.service import Service
from kt_tui.core.store import Store
from kt_tui.core.tables import EVENT
from tests import two_sides
from tests.conftest import actor_of
from tests.core.test_parties import act, refused, row


@pytest.fixture
def two(store: Store, tmp_path: Path, clock: Clock) -> Store:
    return two_sides.synced(store, tmp_path / "two", clock)


QUIZ = "quiz/teachback"


def test_done_on_an_assessment_makes_it_awaiting(two: Store, clock: Clock) -> None:
    out = act(two, clock, "eve", "done", QUIZ, member="eve")
    assert out.after == "done"
    r = row(two, QUIZ, clock, member="eve", system=None)  # type: ignore[arg-type]
    assert r.signing == "awaiting assessment" and not r.complete
    st = Service(two, actor_of(two, "lea"), clock).require_status()
    assert st.overall.awaiting == 1


def test_a_passing_score_signs_it_off_a_failing_one_sends_it_back(two: Store, clock: Clock) -> None:
    act(two, clock, "eve", "done", QUIZ, member="eve")
    failed = act(two, clock, "lea", "assess", QUIZ, member="eve", score=2)
    assert (failed.before, failed.after) == ("done", "todo")
    r = row(two, QUIZ, clock, member="eve", system=None)  # type: ignore[arg-type]
    assert r.score == 2 and r.score_label == "2/4 (pass 3)" and r.done_by is None
    passed = act(two, clock, "lou", "assess", QUIZ, member="eve", score=3)  # from todo
    assert passed.after == "signed_off"
    r = row(two, QUIZ, clock, member="eve", system=None)  # type: ignore[arg-type]
    assert r.score == 3 and r.signed_off_by == "lou" and r.complete
    with two.read() as conn:
        scores = list(conn.execute(select(EVENT.c.score).where(EVENT.c.verb == "assess")).scalars())
        assert scores == [2, 3]
        assert verify.verify(conn).ok
    act(two, clock, "lea", "reopen", QUIZ, member="eve")
    assert row(two, QUIZ, clock, member="eve", system=None).score is None  # type: ignore[arg-type]


def test_who_may_assess(two: Store, clock: Clock) -> None:
    # a person who may fill one of its parties (lead) and is not its member
    refused(
        two,
        clock,
        "cal",
        "assess",
        QUIZ,
        "is not its member, may assess quiz/teachback --member eve; you are cal",
        member="eve",
        score=4,
    )
    refused(
        two,
        clock,
        "eve",
        "assess",
        QUIZ,
        "is not its member, may assess quiz/teachback --member eve; you are eve",
        member="eve",
        score=4,
    )
    assert act(two, clock, "pia", "assess", QUIZ, member="eve", score=4).after == "signed_off"
    # assess is for assessments only; an assessment is not signed off by signoff
    refused(two, clock, "lea", "assess", "handoff/walkthrough", "not an assessment", score=3)
    act(two, clock, "cal", "done", QUIZ, member="cal")
    refused(two, clock, "lea", "signoff", QUIZ, "signed off by its score: assess it", member="cal")


@pytest.mark.parametrize("score", [0, 5, -1])
def test_a_score_outside_the_scale_is_bad_input(two: Store, clock: Clock, score: int) -> None:
    with pytest.raises(BadInput, match="a score is a whole number from 1 to 4"):
        act(two, clock, "lea", "assess", QUIZ, member="eve", score=score)
    with pytest.raises(BadInput, match="--score"):
        act(two, clock, "lea", "assess", QUIZ, member="eve")


def test_assess_is_refused_from_signed_off_and_na(two: Store, clock: Clock) -> None:
    act(two, clock, "lea", "assess", QUIZ, member="eve", score=4)
    with pytest.raises(Refused, match="Wrong state: "):
        act(two, clock, "lea", "assess", QUIZ, member="eve", score=4)


def test_competency_is_each_members_last_score(two: Store, clock: Clock) -> None:
    act(two, clock, "lea", "assess", QUIZ, member="eve", score=2)
    act(two, clock, "lea", "assess", QUIZ, member="eve", score=4)
    got = Service(two, actor_of(two, "lea"), clock).competency()
    assert [(c.member, c.ref, c.score, c.pass_score, c.scale, c.passed) for c in got] == [
        ("eve", QUIZ, 4, 3, 4, True),
        ("cal", QUIZ, None, 3, 4, False),
    ]
    assert got[0].to_json()["passed"] is True
