"""The steering committee's page: the HTML summary prints on one A4 page (Chromium's
print to PDF), the appendix after it, from its own page on."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from kt_tui.core.clock import Clock
from kt_tui.core.service import fill_demo
from kt_tui.core.store import open_store
from kt_tui.export.command import render

pytestmark = pytest.mark.browser

DAY = Clock.fixed(datetime(2026, 11, 26, 9, 0, tzinfo=UTC), date(2026, 11, 26))


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def _demo_html(tmp_path: Path) -> str:
    store = open_store(str(tmp_path / "demo.db"))
    try:
        fill_demo(store, DAY)
        return render(store, "html", actor="asha", clock=DAY)
    finally:
        store.dispose()


def _large_html(tmp_path: Path) -> str:
    """A roster four times the sample's and twice its systems and more: 44 members, 18
    systems (bench's generator)."""
    from bench.generate import Size, write
    from kt_tui.core.sync import sync

    folder = write(tmp_path / "large", Size(members=44, systems=18, per_member=3, items=2))
    store = open_store(str(tmp_path / "large.db"))
    try:
        sync(store, folder, actor="t", login="t", clock=DAY)
        return render(store, "html", actor="t", clock=DAY)
    finally:
        store.dispose()


@pytest.mark.parametrize("make", [_demo_html, _large_html], ids=["demo", "44x18"])
def test_the_summary_prints_on_one_a4_page(tmp_path: Path, make: Any) -> None:
    from playwright.sync_api import sync_playwright

    html = make(tmp_path)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Debian's chromium is needed (.ci/run installs it)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        page.set_content(html)
        whole = page.pdf(format="A4")
        page.evaluate("document.getElementById('details').remove()")
        summary = page.pdf(format="A4")
        browser.close()
    assert pages(summary) == 1  # verdict, figures, systems, burn-up, heat map, members
    assert pages(whole) > 1  # the appendix starts on a page of its own


def test_a_large_roster_folds_into_the_appendix(tmp_path: Path) -> None:
    """The summary shows the least ready members and the systems that cannot transfer;
    every member and system, and the whole heat map, are in the appendix."""
    html = _large_html(tmp_path)
    summary, appendix = html.split('id="details"', 1)
    assert "least ready of 44 members" in summary
    assert "5 systems furthest from transfer, of 18" in summary
    assert appendix.count("<h2>Every member</h2>") == 1 and "The whole heat map" in appendix
    assert all(f"m{n:04d}" in appendix for n in range(44))
