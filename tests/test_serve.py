"""`kt-tui serve`: the app in headless Chromium through textual-serve, read-only by default.

Playwright drives Debian's Chromium (/usr/bin/chromium; no browser download).
The terminal is drawn on a canvas, so the test reads what the app sent over
the page's WebSocket, and checks the store itself for writes.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kt_tui.core.errors import Refused
from kt_tui.core.service import Scope, open_service
from tests.helpers import kt, write_tiny

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def events(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM event").fetchone()[0])


@pytest.fixture
def served(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, Path]]:
    writes = ["--allow-writes"] if getattr(request, "param", False) else []
    db = tmp_path / "kt.db"
    assert kt(db, "sync", str(write_tiny(tmp_path / "tiny")), user="lea").exit_code == 0
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kt_tui",
            "--db",
            str(db),
            "--as",
            "lea",
            "serve",
            "--port",
            str(port),
            *writes,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # the server and its app children stop together
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        else:
            pytest.fail("kt-tui serve did not listen within 20 s")
        yield f"http://127.0.0.1:{port}", db
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Debian's chromium is needed (.ci/run installs it)"
    return found


def drive(url: str) -> str:
    """Load the page, wait for the dashboard, open the first member's checklist and
    mark its first item done; what the app sent to the page."""
    from playwright.sync_api import sync_playwright

    received: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.on(
            "websocket",
            lambda ws: ws.on(
                "framereceived",
                lambda f: received.append(
                    f if isinstance(f, str) else f.decode("utf-8", "replace")
                ),
            ),
        )
        page.goto(url)
        page.wait_for_selector(".textual-terminal.-connected", timeout=20_000)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "identity" not in "".join(received):
            page.wait_for_timeout(200)  # the context bar: the app is up
        page.wait_for_timeout(1000)
        page.focus(".xterm-helper-textarea")  # keys to the terminal, no click on a widget
        page.keyboard.press("1")  # the dashboard (a lead lands on the queue)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "Tiny" not in "".join(received):
            page.wait_for_timeout(200)
        screen = "".join(received)
        page.wait_for_timeout(1000)
        page.keyboard.press("Enter")  # the first member's checklist
        page.wait_for_timeout(1500)
        page.keyboard.press("Space")  # done on its first item
        page.wait_for_timeout(1500)
        browser.close()
    return screen


def test_the_page_loads_the_dashboard_and_a_read_only_view_cannot_write(
    served: tuple[str, Path],
) -> None:
    url, db = served
    before = events(db)
    screen = drive(url)
    assert "Tiny" in screen  # the handover's name, on the dashboard
    assert "read-only view" in screen  # who and how, said on screen
    assert events(db) == before  # nothing was written


@pytest.mark.parametrize("served", [True], indirect=True)
def test_with_allow_writes_the_same_keys_do_write(served: tuple[str, Path]) -> None:
    url, db = served
    before = events(db)
    screen = drive(url)
    assert "Tiny" in screen and "read-only view" not in screen
    assert events(db) > before


def test_a_read_only_service_refuses_every_write(tmp_path: Path) -> None:
    db = tmp_path / "kt.db"
    assert kt(db, "sync", str(write_tiny(tmp_path / "tiny")), user="lea").exit_code == 0
    opened = open_service(str(db), "lea", read_only=True)
    service = opened.service
    assert service.actor.read_only and "read-only view" in service.actor.describe()
    first = service.page(Scope(member="eve"), "", 0, 1).rows[0]
    with pytest.raises(Refused):
        service.act("done", first.id)
    with pytest.raises(Refused):
        service.sync(tmp_path / "tiny", dry_run=False)
    service.store.dispose()
    assert events(db) == 1  # the first sync only


def test_serve_without_a_store_says_so(tmp_path: Path) -> None:
    r = kt(tmp_path / "none.db", "serve", "--port", "1")
    assert r.exit_code == 2 and "no store here" in r.output


def test_a_read_only_view_never_creates_a_store(tmp_path: Path) -> None:
    from kt_tui.core.errors import StoreError

    missing = tmp_path / "none.db"
    with pytest.raises(StoreError, match="no store here"):
        open_service(str(missing), "lea", read_only=True)
    assert not missing.exists()
