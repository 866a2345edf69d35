"""Orders of a listing: one sort key per column, ascending or descending, empty values
last, ties in the plan's order; the same from `list --sort`, the `sort:` filter token,
`list --limit 0` (streamed) and `queue --sort`; an unknown key is bad input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from kt_tui.core import instances
from kt_tui.core.clock import Clock
from kt_tui.core.errors import BadInput
from kt_tui.core.filters import parse_filter
from kt_tui.core.sorting import SORT_KEYS, Sort, next_sort, parse_sort
from kt_tui.core.store import Store
from kt_tui.core.sync import sync
from tests import two_sides
from tests.helpers import FORMAT1, kt


def _rows(store: Store, words: str) -> list[instances.InstanceRow]:
    with store.read() as conn:
        return instances.list_instances(conn, parse_filter(words), None, date(2026, 11, 25))


@pytest.fixture
def sample(store: Store, clock: Clock) -> Store:
    sync(store, FORMAT1, actor="t", login="t", clock=clock)
    return store


def test_each_key_orders_both_ways_with_empty_values_last(sample: Store) -> None:
    for key in SORT_KEYS:
        up = _rows(sample, f"sort:{key}")
        down = _rows(sample, f"sort:-{key}")
        assert sorted(r.id for r in up) == sorted(r.id for r in down)  # the same rows
        assert len(up) == len(_rows(sample, ""))
    due = [r.due for r in _rows(sample, "sort:due")]
    dated = [d for d in due if d is not None]
    assert dated == sorted(dated) and due[: len(dated)] == dated  # no date: last
    back = [r.due for r in _rows(sample, "sort:-due")]
    assert [d for d in back if d is not None] == sorted(dated, reverse=True)
    assert back[len(dated) :] == [None] * (len(back) - len(dated))
    titles = [r.title.lower() for r in _rows(sample, "sort:item")]
    assert titles == sorted(titles)


def test_pages_of_a_sorted_listing_neither_overlap_nor_skip(sample: Store) -> None:
    f = parse_filter("sort:-weight")
    with sample.read() as conn:
        whole = [r.id for r in instances.list_instances(conn, f, None, date(2026, 11, 25))]
        paged: list[int] = []
        for offset in range(0, len(whole), 7):
            paged += [
                r.id
                for r in instances.list_instances(
                    conn, f, None, date(2026, 11, 25), limit=7, offset=offset
                )
            ]
    assert paged == whole


def test_a_sort_token_selects_nothing_and_the_last_one_wins() -> None:
    f = parse_filter("sort:due open sort:-for")
    assert f.sort == Sort("for", descending=True) and f.flags == {"open"}
    assert parse_filter("sort:due").is_empty()  # a bulk --where needs a real filter


def test_an_unknown_key_is_bad_input_with_the_keys() -> None:
    with pytest.raises(BadInput, match=r"no sort key 'dew' \(did you mean due\?\).*done_by"):
        parse_sort("dew")
    with pytest.raises(BadInput, match="no sort key"):
        parse_filter("open sort:title")


def test_the_o_key_cycles_up_down_then_the_next_key_then_the_plans_order() -> None:
    keys = ("due", "for")
    seen = []
    current: Sort | None = None
    for _ in range(5):
        current = next_sort(current, keys)
        seen.append(current.token if current else None)
    assert seen == ["sort:due", "sort:-due", "sort:for", "sort:-for", None]


# --- the command line ---------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "kt.db"
    assert kt(path, "sync", str(FORMAT1)).exit_code == 0
    return path


def _refs_due(db: Path, *args: str) -> list[str | None]:
    r = kt(db, "list", *args, "--json", "--limit", "0")
    assert r.exit_code == 0, r.stderr
    return [row["due"] for row in json.loads(r.output)]


def test_list_sort_and_the_token_agree_streamed_or_not(db: Path) -> None:
    limited = [row["due"] for row in json.loads(kt(db, "list", "--sort=-due", "--json").output)]
    streamed = _refs_due(db, "sort:-due")
    assert limited == streamed[: len(limited)]
    dated = [d for d in streamed if d]
    assert dated == sorted(dated, reverse=True)
    tsv = kt(db, "list", "--sort", "due", "--limit", "0").output.splitlines()[1:]
    firsts = [line.split("\t")[4] for line in tsv if line.split("\t")[4]]
    assert firsts == sorted(firsts)


def test_list_with_an_unknown_sort_key_exits_2_naming_the_keys(db: Path) -> None:
    r = kt(db, "list", "--sort", "duedate")
    assert r.exit_code == 2 and "did you mean due?" in r.stderr and "done_by" in r.stderr


def test_queue_sorts_by_for_whom(tmp_path: Path) -> None:
    path = tmp_path / "two.db"
    assert kt(path, "sync", str(two_sides.write(tmp_path / "two"))).exit_code == 0
    for member in ("eve", "cal"):
        r = kt(path, "done", "quiz/teachback", "--member", member, user=member)
        assert r.exit_code == 0, r.stderr

    def members(*sort: str) -> list[str]:
        out = kt(path, "queue", *sort, "--json", user="lea").output
        return [r["member"] for r in json.loads(out)]

    assert members("--sort", "for") == ["cal", "eve"]
    assert members("--sort=-for") == ["eve", "cal"]
    assert kt(path, "queue", "--sort", "nope", user="lea").exit_code == 2
