"""The steering committee's page: the HTML summary prints on one A4 page (Chromium's
print to PDF), the appendix after it, from its own page on."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kt_tui.core.clock import Clock
from kt_tui.core.service import fill_demo
from kt_tui.core.store import open_store
from kt_tui.export.command import render

pytestmark = pytest.mark.browser

DAY = Clock.fixed(datetime(2026, 11, 26, 9, 0, tzinfo=UTC), date(2026, 11, 26))


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_the_summary_prints_on_one_a4_page(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    store = open_store(str(tmp_path / "demo.db"))
    try:
        fill_demo(store, DAY)
        html = render(store, "html", actor="asha", clock=DAY)
    finally:
        store.dispose()
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
