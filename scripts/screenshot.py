"""Regenerate the README's screens (docs/*.svg): the dashboard, an engineer's items, a
lead's queue, the blockers and the competency view.

    python scripts/screenshot.py [OUT_DIR]

A temp store gets the demo (the bundled sample with eight weeks of history, as
`kt-tui demo` makes it) on a fixed day; the app opens at 120x40 on that day and
each view is saved once the app's own Loaded messages say it is in.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual.message import Message  # noqa: E402

from kt_tui.core.clock import Clock  # noqa: E402
from kt_tui.core.service import fill_demo  # noqa: E402
from kt_tui.core.store import open_store  # noqa: E402
from kt_tui.tui.app import KtApp  # noqa: E402
from kt_tui.tui.messages import Loaded  # noqa: E402

TODAY = date(2026, 11, 26)
SIZE = (120, 40)
# (file, view, the Loaded messages to wait for, as whom)
SHOTS = (
    ("dashboard.svg", "dashboard", {"dashboard", "burnup"}, "asha"),
    ("mine.svg", "mine", {"checklist"}, "ben"),
    ("queue.svg", "queue", {"queue"}, "asha"),
    ("blockers.svg", "blockers", {"blockers"}, "asha"),
    ("competency.svg", "competency", {"competency"}, "priya"),
)


def clock() -> Clock:
    return Clock.fixed(datetime(2026, 11, 26, 10, tzinfo=UTC), TODAY)


async def shoot(db: str, view: str, wanted: set[str], who: str, out: Path) -> None:
    app = KtApp(db=db, as_handle=who, clock=clock(), start=view)
    seen: set[str] = set()

    def note(message: Message) -> None:
        if isinstance(message, Loaded):
            seen.add(message.what)

    async with app.run_test(size=SIZE, message_hook=note) as pilot:
        for _ in range(500):
            if wanted <= seen:
                break
            await pilot.pause(0.02)
        await pilot.pause()
        out.write_text(app.export_screenshot(title=f"kt-tui {view}"), encoding="utf-8")


def main(argv: list[str]) -> None:
    folder = Path(argv[1]) if len(argv) > 1 else ROOT / "docs"
    folder.mkdir(parents=True, exist_ok=True)
    # a fixed path: the screens' top line names the store, the same on every run
    home = Path(tempfile.gettempdir()) / "kt-tui-demo"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir()
    try:
        db = str(home / "demo.db")
        store = open_store(db)
        try:
            fill_demo(store, clock())
        finally:
            store.dispose()
        for name, view, wanted, who in SHOTS:
            asyncio.run(shoot(db, view, wanted, who, folder / name))
            print(f"wrote {folder / name}")
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv)
