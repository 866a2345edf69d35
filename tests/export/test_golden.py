"""Golden files for md, csv and json on the scripted sample (fixed clock, fixed logins).

The goldens are syrupy snapshots, one readable file each under
``__snapshots__/test_golden/``. Regenerate after an intended change with
``pytest tests/export/test_golden.py --snapshot-update`` and review the diff.
"""

from __future__ import annotations

from functools import cache

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from kt_tui.core import audit
from kt_tui.core.store import Store
from kt_tui.export.command import render
from tests.export import scenario


class GoldenFile(SingleFileSnapshotExtension):
    """One file per snapshot, compared byte for byte (the CSV's CRLF line ends included)."""

    _write_mode = WriteMode.BINARY


@cache
def golden_file(fmt: str) -> type[GoldenFile]:
    """The extension that names the file ``<test>.<fmt>``; one class per format, made once."""
    return type(f"GoldenFile_{fmt}", (GoldenFile,), {"_file_extension": fmt})


def golden(snapshot: SnapshotAssertion, fmt: str, text: str, head: str) -> None:
    """Compare with the golden file; the chain head is masked (it moves with the core's hashing)."""
    assert head in text
    data = text.replace(head, "<CHAIN-HEAD>").encode("utf-8")
    assert data == snapshot(extension_class=golden_file(fmt))


def head_of(store: Store) -> str:
    with store.read() as conn:
        return audit.head(conn)


@pytest.mark.parametrize("fmt", ["md", "csv", "json"])
def test_golden_with_since(sample_store: Store, fmt: str, snapshot: SnapshotAssertion) -> None:
    text = render(
        sample_store,
        fmt,
        actor=scenario.actor(sample_store, "asha"),
        clock=scenario.NOW,
        since=scenario.SINCE,
    )
    golden(snapshot, fmt, text, head_of(sample_store))


@pytest.mark.parametrize("fmt", ["md"])
def test_golden_without_since(sample_store: Store, fmt: str, snapshot: SnapshotAssertion) -> None:
    text = render(
        sample_store, fmt, actor=scenario.actor(sample_store, "tomas"), clock=scenario.NOW
    )
    golden(snapshot, fmt, text, head_of(sample_store))


def test_render_is_deterministic(sample_store: Store) -> None:
    who = scenario.actor(sample_store, "asha")
    for fmt in ("md", "csv", "json", "html"):
        a = render(sample_store, fmt, actor=who, clock=scenario.NOW, since=scenario.SINCE)
        b = render(sample_store, fmt, actor=who, clock=scenario.NOW, since=scenario.SINCE)
        assert a == b
