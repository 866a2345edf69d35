"""renamed_from: a renamed template or item keeps its instances, state and history."""

from __future__ import annotations

from pathlib import Path

import pytest

from kt_tui.core import actions, audit
from kt_tui.core.clock import Clock
from kt_tui.core.errors import BadInput, ValidationFailed
from kt_tui.core.store import Store
from kt_tui.core.sync import describe, sync
from kt_tui.core.verify import verify
from tests.conftest import actor_of
from tests.helpers import DOCS, write_tiny

# docs -> system-docs, and its item runbook -> run-book, in the same file
RENAMED = DOCS.replace('key = "docs"', 'key = "system-docs"\nrenamed_from = ["docs"]').replace(
    'key = "runbook"', 'key = "run-book"\nrenamed_from = ["runbook"]'
)


def resync(store: Store, root: Path, clock: Clock):  # type: ignore[no-untyped-def]
    return sync(store, root, actor="lea", login="lea", clock=clock)


def signed_runbook(store: Store, clock: Clock) -> int:
    """The api runbook, done by eve and signed off by lea: its instance id."""
    with store.read() as conn:
        iid = actions.resolve_ref(conn, "docs/runbook", actor_of(store, "lea"), None, "api")
    actions.act(store, actor_of(store, "eve"), "done", iid, clock=clock, note="read")
    actions.act(store, actor_of(store, "lea"), "signoff", iid, clock=clock)
    return iid


def test_rename_keeps_state_history_and_verify(tiny: Store, tiny_dir: Path, clock: Clock) -> None:
    iid = signed_runbook(tiny, clock)
    result = resync(tiny, write_tiny(tiny_dir, docs=RENAMED), clock)
    lines = describe(result.plan)
    assert "renamed: template docs -> system-docs" in lines
    assert "renamed: system-docs/runbook -> system-docs/run-book" in lines
    assert result.plan.counts()["retired"] == 0 and result.plan.counts()["added"] == 0
    with tiny.read() as conn:
        same = actions.resolve_ref(conn, "system-docs/run-book", actor_of(tiny, "lea"), None, "api")
        row = actions.load_target(conn, same, clock.today())
        history = audit.for_instance(conn, same)
        (sync_event,) = [e for e in audit.recent(conn, 1)]
        assert verify(conn).ok, verify(conn).problem
    assert same == iid
    assert (row.state, row.done_by, row.signed_off_by, row.note) == (
        "signed_off",
        "eve",
        "lea",
        "read",
    )
    assert [e.verb for e in history] == ["done", "signoff"]
    assert sync_event.detail["renamed"] == {
        "templates": [["docs", "system-docs"]],
        "items": [["system-docs", "runbook", "run-book"]],
    }
    with pytest.raises(BadInput, match="no such item"), tiny.read() as conn:
        actions.resolve_ref(conn, "docs/runbook", actor_of(tiny, "lea"), None, "api")


def test_rename_again_changes_nothing(tiny: Store, tiny_dir: Path, clock: Clock) -> None:
    root = write_tiny(tiny_dir, docs=RENAMED)
    assert resync(tiny, root, clock).applied
    again = resync(tiny, root, clock)
    assert not again.applied and describe(again.plan) == ["no changes"]


def test_rename_with_other_changes_in_one_sync(tiny: Store, tiny_dir: Path, clock: Clock) -> None:
    iid = signed_runbook(tiny, clock)
    docs = RENAMED.replace('title = "Runbook"', 'title = "Runbook, revised"').replace(
        'key = "selfcheck"', 'key = "selfcheck2"'
    )
    result = resync(tiny, write_tiny(tiny_dir, docs=docs), clock)
    lines = describe(result.plan)
    assert "renamed: template docs -> system-docs" in lines
    assert "  run-book: title changed" in lines
    assert "  items added: selfcheck2" in lines and "  items removed: selfcheck" in lines
    with tiny.read() as conn:
        row = actions.load_target(conn, iid, clock.today())
        assert verify(conn).ok, verify(conn).problem
    assert (row.ref, row.title, row.state) == (
        "system-docs/run-book",
        "Runbook, revised",
        "signed_off",
    )
    # the verbs go on working on the renamed instance, and verify still holds
    actions.act(tiny, actor_of(tiny, "lea"), "reopen", iid, clock=clock)
    with tiny.read() as conn:
        assert verify(conn).ok, verify(conn).problem


def test_rename_into_a_key_the_store_holds_is_refused(
    tiny: Store, tiny_dir: Path, clock: Clock
) -> None:
    # first a second template "system-docs" exists beside "docs"
    other = DOCS.replace('key = "docs"', 'key = "system-docs"')
    resync(tiny, write_tiny(tiny_dir, other=other), clock)
    # now system-docs claims to be the old docs, which is still active in the store
    with pytest.raises(ValidationFailed) as caught:
        resync(tiny, write_tiny(tiny_dir, docs="", other=RENAMED), clock)
    (problem,) = caught.value.problems
    assert problem.path.endswith("other.toml") and problem.where == "template.renamed_from"
    assert "'docs' (still active) cannot be renamed into it" in problem.message
