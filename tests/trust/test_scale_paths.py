"""Slow paths found by the hostile review (issue 10, point 12), at a size a test affords."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from sqlalchemy import event

from bench.generate import size_for, write
from kt_tui.core.clock import Clock
from kt_tui.core.service import open_service

pytestmark = pytest.mark.slow


def _statements_of_a_revival(tmp_path: Path, clock: Clock, size: int) -> int:
    full = write(tmp_path / "full", size_for(size))
    roster_only = tmp_path / "roster"
    roster_only.mkdir()
    shutil.copyfile(full / "team.toml", roster_only / "team.toml")
    service = open_service(str(tmp_path / "kt.db"), "m0000", clock, fill_sample=False).service
    assert service.sync(full).applied
    assert service.sync(roster_only).applied  # retires every instance
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(service.store.engine, "before_cursor_execute", count)
    revived = service.sync(full)
    assert revived.plan.counts()["revived"] >= size * 0.95
    return statements


def test_reviving_takes_as_many_statements_for_ten_thousand_instances_as_for_a_thousand(
    tmp_path: Path, clock: Clock
) -> None:
    """The slow revival the review found ran statements per instance (8.5 s against a
    first sync's 6.1 s at 300k); counted, the rule cannot flicker with the machine."""
    small = _statements_of_a_revival(tmp_path / "small", clock, 1_000)
    large = _statements_of_a_revival(tmp_path / "large", clock, 10_000)
    assert large == small, (small, large)


def test_reviving_retired_instances_is_no_slower_than_syncing_them_first(
    tmp_path: Path, clock: Clock
) -> None:
    full = write(tmp_path / "full", size_for(30_000))
    roster_only = tmp_path / "roster"
    roster_only.mkdir()
    shutil.copyfile(full / "team.toml", roster_only / "team.toml")
    service = open_service(str(tmp_path / "kt.db"), "m0000", clock, fill_sample=False).service

    # CPU time of this process, not wall time: the suite runs beside other work
    started = time.process_time()
    first = service.sync(full)
    first_s = time.process_time() - started
    assert first.applied
    # the best of two revivals: one sample swung by 50% with the other core busy, and a
    # CI run gave 1.75x (0.76 s, 1.33 s) where this machine gives 0.95-1.1x; the count
    # above holds the rule exactly, this bound catches a revival gone quadratic
    revive_s = float("inf")
    for _ in range(2):
        assert service.sync(roster_only).applied  # retires every instance
        started = time.process_time()
        revived = service.sync(full)
        revive_s = min(revive_s, time.process_time() - started)
        assert revived.plan.counts()["revived"] >= 29_000
    assert revive_s <= first_s * 2 + 0.5, (first_s, revive_s)


def test_a_full_listing_streams(tmp_path: Path, clock: Clock) -> None:
    folder = write(tmp_path / "f", size_for(30_000))
    service = open_service(str(tmp_path / "kt.db"), "m0000", clock, fill_sample=False).service
    service.sync(folder)
    started = time.process_time()  # CPU time, as above: wall time measures the neighbours
    n = sum(1 for _ in service.stream(""))
    elapsed = time.process_time() - started
    assert n >= 29_000
    assert n / elapsed >= 20_000, f"{n / elapsed:.0f} rows/s"
