"""The sort keys of core/sorting.py: each is an order a user can predict, total (pages
from any offset join up into the whole listing), exactly reversed by '-', the same on
SQLite and PostgreSQL; a key outside the whitelist is bad input naming the closest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from kt_tui.core import actions, filters, instances
from kt_tui.core.clock import Clock
from kt_tui.core.errors import BadInput, Refused
from kt_tui.core.instances import InstanceRow
from kt_tui.core.sorting import SORT_KEYS, parse_sort
from kt_tui.core.store import Store
from kt_tui.core.sync import sync
from tests.conftest import actor_of
from tests.helpers import FORMAT1


def _last(value: Any) -> tuple[bool, Any]:
    """An empty value sorts after every other (ascending)."""
    return (value is None, value if value is not None else 0)


# what each key means, said again in Python: the SQL must agree
MEANING: dict[str, Callable[[InstanceRow], Any]] = {
    "ref": lambda r: (r.template, r.item),
    "title": lambda r: r.title.lower(),
    "member": lambda r: (_last(r.member), _last(r.system)),
    "system": lambda r: (_last(r.system), _last(r.member)),
    "state": lambda r: ["blocked", "todo", "done", "signed_off", "na"].index(r.state),
    "weight": lambda r: r.weight,
    "due": lambda r: _last(r.due),
    "done_by": lambda r: _last(r.done_by),
    "signed": lambda r: _last(r.signed_off_by),
}


@pytest.fixture
def sample(store: Store, clock: Clock) -> Store:
    """The format-1 sample with some work done, signed and blocked: states, doers and
    signers to sort by, and items without a due date or a member."""
    sync(store, FORMAT1, actor="setup", login="setup", clock=clock)
    rows = listing(store, "")
    for who, verb, kw in (
        ("ben", "done", {"evidence": "PR-1"}),
        ("chloe", "done", {"evidence": "PR-2"}),
        ("dev", "block", {"reason": "no access yet"}),
    ):
        acted = 0
        # items that need a sign-off first: one of them is signed below
        for r in sorted((r for r in rows if r.member == who), key=lambda r: not r.signoff):
            try:
                actions.act(store, actor_of(store, who), verb, r.id, clock=clock, **kw)
            except Refused:  # a prerequisite waits: another item will do
                continue
            acted += 1
            if acted == 3:
                break
    done = [r for r in listing(store, "") if r.state == "done" and r.signoff]
    actions.act(store, actor_of(store, "asha"), "signoff", done[0].id, clock=clock)
    return store


def listing(store: Store, sort: str, **page: Any) -> list[InstanceRow]:
    with store.read() as conn:
        return instances.list_instances(
            conn, filters.Filter(), None, date(2026, 11, 25), sort=parse_sort(sort), **page
        )


def ids(rows: list[InstanceRow]) -> list[int]:
    return [r.id for r in rows]


def test_each_key_orders_as_it_says_ties_in_the_checklist_order(sample: Store) -> None:
    default = listing(sample, "")
    assert len({r.state for r in default}) >= 4, "the sample must hold states to sort"
    assert any(r.due is None for r in default) or any(r.member is None for r in default)
    for key, meaning in MEANING.items():
        want = sorted(default, key=meaning)  # stable: ties keep the default order
        assert ids(listing(sample, key)) == ids(want), key
        assert ids(listing(sample, f"-{key}")) == ids(want)[::-1], key


@pytest.mark.parametrize("key", list(SORT_KEYS))
def test_every_key_pages_up_into_the_whole_listing_and_reverses_exactly(
    sample: Store, key: str
) -> None:
    whole = listing(sample, key)
    paged: list[InstanceRow] = []
    while len(paged) < len(whole):
        paged += listing(sample, key, limit=37, offset=len(paged))
    assert ids(paged) == ids(whole)
    assert sorted(ids(whole)) == sorted(ids(listing(sample, "")))
    assert ids(listing(sample, f"-{key}")) == ids(whole)[::-1]


def test_the_empty_sort_is_the_checklist_order_and_a_dash_or_case_is_forgiven() -> None:
    assert parse_sort(None) == parse_sort("") == parse_sort("template")
    assert parse_sort("-Due").descending and parse_sort("-Due").key == "due"
    assert parse_sort("done-by").key == "done_by"
    assert parse_sort("-due").label == "Due, descending"
    assert parse_sort("due").reversed() == parse_sort("-due")


@pytest.mark.parametrize(("typed", "closest"), [("dew", "due"), ("-titel", "title")])
def test_an_unknown_key_is_bad_input_naming_the_closest_and_every_key(
    typed: str, closest: str
) -> None:
    with pytest.raises(BadInput) as caught:
        parse_sort(typed)
    said = str(caught.value)
    assert f"did you mean {closest}?" in said
    assert all(k in said for k in SORT_KEYS)
    assert said[0].isupper() and said.endswith(".")
