"""`list --sort KEY` and `queue --sort KEY` (-KEY: descending) order the rows by one key of
core/sorting.py's whitelist; any other key is bad input (exit 2) naming the closest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kt_tui.core.sorting import SORT_KEYS
from tests.helpers import FORMAT1, kt


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "kt.db"
    assert kt(path, "sync", str(FORMAT1), user="asha").exit_code == 0
    for who in ("ben", "chloe"):  # done, awaiting a lead's signature
        assert kt(path, "done", "onboarding/transition-plan", user=who).exit_code == 0
    return path


def listed(db: Path, *args: str, user: str | None = None) -> list[dict]:  # type: ignore[type-arg]
    r = kt(db, "list", "--json", "--limit", "0", *args, user=user)
    assert r.exit_code == 0, r.output
    return list(json.loads(r.stdout))


def test_list_sort_orders_the_rows_and_a_dash_reverses_them(db: Path) -> None:
    plain = listed(db)
    by_due = listed(db, "--sort", "due")
    dues = [row["due"] for row in by_due]
    dated = [d for d in dues if d is not None]
    assert dated == sorted(dated) and dues[: len(dated)] == dated  # undated ones last
    assert [row["id"] for row in by_due] != [row["id"] for row in plain]
    assert [row["id"] for row in listed(db, "--sort", "-due")] == [
        row["id"] for row in reversed(by_due)
    ]
    # the table (a page, not the stream) in the same order
    r = kt(db, "list", "--sort=-title", "--json", "--limit", "5")
    titles = [row["title"] for row in json.loads(r.stdout)]
    assert r.exit_code == 0 and titles == sorted(titles, key=str.lower, reverse=True)
    assert titles[0].lower() == max(row["title"].lower() for row in plain)


def test_list_sort_by_who_did_it_puts_the_done_ones_first(db: Path) -> None:
    rows = listed(db, "--sort", "done_by")
    assert [row["done_by"] for row in rows[:2]] == ["ben", "chloe"]
    assert all(row["done_by"] is None for row in rows[2:])


@pytest.mark.parametrize("limit", ["0", "200"])
def test_an_unknown_sort_key_is_bad_input_with_the_closest_and_every_key(
    db: Path, limit: str
) -> None:
    r = kt(db, "list", "--sort", "-dew", "--limit", limit)
    assert r.exit_code == 2 and r.stdout == ""
    said = r.stderr
    assert "There is no sort key 'dew' (did you mean due?)" in said
    assert all(key in said for key in SORT_KEYS)


def test_the_queue_sorts_too(db: Path) -> None:
    r = kt(db, "queue", "--json", "--sort", "-member", user="asha")
    assert r.exit_code == 0, r.output
    assert [row["member"] for row in json.loads(r.stdout)] == ["chloe", "ben"]
    r = kt(db, "queue", "--sort", "membr", user="asha")
    assert r.exit_code == 2 and "did you mean member?" in r.stderr
