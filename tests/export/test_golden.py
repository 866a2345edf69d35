"""Golden files for md, csv and json on the scripted sample (fixed clock, fixed logins).

Regenerate after an intended change with ``KT_UPDATE_GOLDEN=1 pytest tests/export``
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kt_tui.core import audit
from kt_tui.core.store import Store
from kt_tui.export.command import render
from tests.export import scenario

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("KT_UPDATE_GOLDEN") == "1"


def check_golden(name: str, text: str, head: str = "") -> None:
    """Compare with the golden file; the chain head is masked (it moves with the core's hashing)."""
    if head:
        assert head in text
        text = text.replace(head, "<CHAIN-HEAD>")
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
        return
    assert path.exists(), f"{path} missing: run with KT_UPDATE_GOLDEN=1 to create it"
    with path.open(encoding="utf-8", newline="") as f:
        expected = f.read()
    assert text == expected, f"{name} differs from its golden file (KT_UPDATE_GOLDEN=1 to update)"


def head_of(store: Store) -> str:
    with store.read() as conn:
        return audit.head(conn)


@pytest.mark.parametrize("fmt", ["md", "csv", "json"])
def test_golden_with_since(sample_store: Store, fmt: str) -> None:
    text = render(
        sample_store,
        fmt,
        actor=scenario.actor(sample_store, "asha"),
        clock=scenario.NOW,
        since=scenario.SINCE,
    )
    check_golden(f"sample-since.{fmt}", text, head_of(sample_store))


@pytest.mark.parametrize("fmt", ["md"])
def test_golden_without_since(sample_store: Store, fmt: str) -> None:
    text = render(
        sample_store, fmt, actor=scenario.actor(sample_store, "tomas"), clock=scenario.NOW
    )
    check_golden(f"sample.{fmt}", text, head_of(sample_store))


def test_render_is_deterministic(sample_store: Store) -> None:
    who = scenario.actor(sample_store, "asha")
    for fmt in ("md", "csv", "json", "html"):
        a = render(sample_store, fmt, actor=who, clock=scenario.NOW, since=scenario.SINCE)
        b = render(sample_store, fmt, actor=who, clock=scenario.NOW, since=scenario.SINCE)
        assert a == b
