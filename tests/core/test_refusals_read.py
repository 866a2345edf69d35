"""Every refusal reads as a sentence (issue 12 point 6): for each verb, one who may act is
let through and those who may not are told who may, naming the item and who they are;
never a code, a Python repr, or a fragment such as "not allowed"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kt_tui.core import actions
from kt_tui.core.clock import Clock
from kt_tui.core.errors import Refused
from kt_tui.core.service import Service
from kt_tui.core.store import Store
from kt_tui.core.sync import sync
from tests import two_sides
from tests.conftest import actor_of
from tests.helpers import TEAM, write_tiny
from tests.test_cli_bulk import COURSE, IAN

# what a refusal names: the rule's people, or the state the verb needs
WHO_OR_RULE = re.compile(
    r"\b(lead|receiver|member|provider-side|roster|trainer|signs|party|Wrong state|waits on"
    r"|evidence|sign-off|assessment|score)\b"
)


def is_sentence(text: str) -> bool:
    return (
        bool(text)
        and (text[0].isupper() or re.match(r"[a-z0-9-]+/[a-z0-9-]+", text) is not None)
        and text.endswith(".")
        and "\n" not in text
        and not re.search(r"<[A-Za-z]|Refused\(|\bNone\b|\{|\}|'\w+'\)", text)
        and WHO_OR_RULE.search(text) is not None
    )


def refusal(store: Store, clock: Clock, who: str, verb: str, iid: int, **kw: object) -> str:
    with pytest.raises(Refused) as caught:
        if verb == "attend":
            actions.act(store, actor_of(store, who), "done", iid, clock=clock, attendance=True)
        else:
            actions.act(store, actor_of(store, who), verb, iid, clock=clock, **kw)  # type: ignore[arg-type]
    text = str(caught.value)
    assert is_sentence(text), text
    return text


def ok(store: Store, clock: Clock, who: str, verb: str, iid: int, **kw: object) -> None:
    if verb == "attend":
        actions.act(store, actor_of(store, who), "done", iid, clock=clock, attendance=True)
    else:
        actions.act(store, actor_of(store, who), verb, iid, clock=clock, **kw)  # type: ignore[arg-type]


def ref(store: Store, text: str, member: str | None = None, system: str | None = None) -> int:
    with store.read() as conn:
        lea = actor_of(store, "lea")
        return actions.resolve_ref(conn, text, lea, member, system, verb="signoff")


@pytest.fixture
def tiny(store: Store, tmp_path: Path, clock: Clock) -> Store:
    root = write_tiny(tmp_path / "tiny", team=TEAM + IAN, course=COURSE)
    sync(store, root, actor="setup", login="setup", clock=clock)
    return store


def test_done_undo_block_and_na_refuse_in_sentences(tiny: Store, clock: Clock) -> None:
    read = ref(tiny, "kt/read", "eve", "api")
    said = refusal(tiny, clock, "ian", "done", read)  # eve's own item
    assert said.startswith("Only its receiver (or a lead) may mark kt/read --member eve")
    assert said.endswith("you are ian, an engineer on the client side.")
    said = refusal(tiny, clock, "eve", "undo", read)  # not done yet
    assert said.startswith("Wrong state: kt/read --member eve --system api is todo")
    ok(tiny, clock, "eve", "done", read)
    ok(tiny, clock, "eve", "undo", read)
    said = refusal(tiny, clock, "ian", "block", read, reason="no VPN")
    assert "may block kt/read --member eve --system api" in said
    ok(tiny, clock, "eve", "block", read, reason="no VPN")
    said = refusal(tiny, clock, "eve", "na", read, reason="not here")
    assert said.startswith("Only a lead may mark kt/read --member eve --system api not applicable")
    ok(tiny, clock, "lea", "na", read, reason="not here")
    dr = ref(tiny, "docs/dr", system="api")
    said = refusal(tiny, clock, "eve", "done", dr)
    assert said == (
        "docs/dr --system api needs evidence to be done: give --evidence (a link, ticket id "
        "or path)."
    )


def test_signoff_reject_and_assess_refuse_in_sentences(
    store: Store, tmp_path: Path, clock: Clock
) -> None:
    two = two_sides.synced(store, tmp_path / "two", clock)
    runbook = ref(two, "handoff/runbook", system="api")
    said = refusal(two, clock, "lea", "signoff", runbook)  # not done yet
    assert said.startswith("Wrong state: handoff/runbook --system api is todo, and signoff")
    said = refusal(two, clock, "eve", "done", runbook, evidence="wiki")
    assert said.startswith(
        "Only a provider-side member who has api (or a lead) may mark handoff/runbook"
    )
    ok(two, clock, "pete", "done", runbook, evidence="wiki")
    said = refusal(two, clock, "eve", "signoff", runbook)
    assert said.startswith(
        "Only a provider-side lead or a client-side lead may sign off handoff/runbook "
        "--system api now (it waits on provider-lead, client-lead)"
    )
    said = refusal(two, clock, "cal", "reject", runbook, reason="no")
    assert said.startswith("Only a provider-side lead or a client-side lead may send ")
    ok(two, clock, "lea", "signoff", runbook)
    said = refusal(two, clock, "lea", "signoff", runbook)  # one person, one party
    assert said.startswith("Only a provider-side lead may sign off handoff/runbook")
    ok(two, clock, "pia", "reject", runbook, reason="the restore section is empty")

    quiz = ref(two, "quiz/teachback", "eve")
    said = refusal(two, clock, "eve", "assess", quiz, score=4)  # her own
    assert said.startswith("Only someone who may sign it as lead, and is not its member")
    ok(two, clock, "eve", "done", quiz)  # done: it awaits its score
    said = refusal(two, clock, "lea", "signoff", quiz)
    assert said == (
        "quiz/teachback --member eve is an assessment, signed off by its score: assess it "
        "(--score N) instead."
    )
    ok(two, clock, "lea", "assess", quiz, score=4)
    said = refusal(two, clock, "lou", "assess", quiz, score=4)  # signed off now
    assert said.startswith("Wrong state: quiz/teachback --member eve is signed_off")


def test_attendance_refuses_in_a_sentence_naming_who_may_mark_it(tiny: Store, clock: Clock) -> None:
    eve_s = ref(tiny, "course/intro", "eve")
    ian_s = ref(tiny, "course/intro", "ian")
    said = refusal(tiny, clock, "ian", "attend", eve_s)
    assert said == (
        "Only its member, a trainer of its session on the roster, or a lead may mark the "
        "attendance of course/intro --member eve; you are ian, an engineer on the client side."
    )
    ok(tiny, clock, "eve", "attend", ian_s)  # eve trains the session
    said = refusal(tiny, clock, "eve", "attend", ian_s)  # marked already
    assert said.startswith("Wrong state: course/intro --member ian is done")


def test_the_tui_asks_the_same_refusal_before_it_asks_for_text(tiny: Store, clock: Clock) -> None:
    """Service.refusal, which the TUI asks before a prompt, says the same sentence."""
    read = ref(tiny, "kt/read", "eve", "api")
    ian = Service(tiny, actor_of(tiny, "ian"), clock)
    said = ian.refusal("block", read)
    assert said is not None and is_sentence(said)
    assert said == refusal(tiny, clock, "ian", "block", read, reason="why")
    outsider = Service(tiny, actor_of(tiny, "nobody"), clock)
    said = outsider.refusal("done", read)
    assert said == (
        "Only a member of the roster may mark kt/read --member eve --system api done; nobody "
        "is not in it, so this session is read-only."
    )
