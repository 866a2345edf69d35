"""The HTML renders in a real browser: a headless chromium screenshot at A4 size."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from kt_tui.core.store import Store
from kt_tui.export.command import render
from tests.export import scenario

pytestmark = pytest.mark.browser

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.mark.skipif(chromium() is None, reason="no chromium binary found")
def test_html_screenshot_in_chromium(sample_store: Store, tmp_path: Path) -> None:
    html = render(
        sample_store,
        "html",
        actor=scenario.actor(sample_store, "asha"),
        clock=scenario.NOW,
        since=scenario.SINCE,
    )
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    shot = tmp_path / "report.png"
    binary = chromium()
    assert binary is not None
    subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--screenshot={shot}",
            "--window-size=1240,1754",
            page.as_uri(),
        ],
        check=False,
        capture_output=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert shot.exists(), "chromium wrote no screenshot"
    data = shot.read_bytes()
    assert data.startswith(PNG_MAGIC)
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    assert (width, height) == (1240, 1754)
    assert len(data) > 20_000  # a rendered page, not a blank one
