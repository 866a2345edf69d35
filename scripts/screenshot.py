"""Regenerate docs/dashboard.svg: the dashboard on the bundled sample, some work done.

    python scripts/screenshot.py [OUT.svg]

A temp store gets the bundled sample, then three weeks of work (engineers
mark items done, a lead signs them off, a few a day) so the burn-up has a
shape; the app opens at 120x40 on a fixed clock and the dashboard is saved
once the app's own Loaded messages say the figures and the burn-up are in.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual.message import Message  # noqa: E402

from kt_tui.core import actions, filters, instances  # noqa: E402
from kt_tui.core.clock import Clock  # noqa: E402
from kt_tui.core.identity import resolve_actor  # noqa: E402
from kt_tui.core.store import open_store  # noqa: E402
from kt_tui.core.sync import sync  # noqa: E402
from kt_tui.paths import sample_dir  # noqa: E402
from kt_tui.tui.app import KtApp  # noqa: E402
from kt_tui.tui.messages import Loaded  # noqa: E402

START = date(2026, 11, 2)
DAYS = 23
SIZE = (120, 40)
# (member, share of their items done over the period)
WORK = (("chloe", 0.8), ("ben", 0.45), ("dev", 0.3), ("erin", 0.15))


def clock_at(day: date, hour: int = 10) -> Clock:
    return Clock.fixed(datetime(day.year, day.month, day.day, hour, tzinfo=UTC), day)


def build(db: str) -> date:
    """The sample store with DAYS of work; the last day (the app's today)."""
    store = open_store(db)
    try:
        sync(store, sample_dir(), actor="kt", login="kt", clock=clock_at(START, 9))
        with store.read() as conn:
            actors = {h: resolve_actor(store, conn, h) for h, _ in WORK}
            lead = resolve_actor(store, conn, "asha")
            plan: list[tuple[str, instances.InstanceRow]] = []
            for handle, share in WORK:
                rows = instances.list_instances(
                    conn,
                    filters.Filter(),
                    None,
                    START,
                    extra=instances.scope_conditions(handle, None),
                )
                plan += [(handle, r) for r in rows[: int(len(rows) * share)]]
        plan.sort(key=lambda p: p[1].id)
        for n, (handle, row) in enumerate(plan):
            day = START + timedelta(days=1 + (n * (DAYS - 1)) // len(plan))
            clock = clock_at(day)
            evidence = f"KT-{100 + n}" if row.evidence_required else None
            actions.act(store, actors[handle], "done", row.id, evidence=evidence, clock=clock)
            if row.signoff and n % 4 != 3:  # a few left in the sign-off queue
                actions.act(store, lead, "signoff", row.id, clock=clock_at(day, 16))
    finally:
        store.dispose()
    return START + timedelta(days=DAYS)


async def shoot(db: str, today: date, out: Path) -> None:
    app = KtApp(db=db, as_handle="asha", clock=clock_at(today), start="dashboard")
    seen: set[str] = set()

    def note(message: Message) -> None:
        if isinstance(message, Loaded):
            seen.add(message.what)

    async with app.run_test(size=SIZE, message_hook=note) as pilot:
        for _ in range(500):
            if {"dashboard", "burnup"} <= seen:
                break
            await pilot.pause(0.02)
        await pilot.pause()
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(app.export_screenshot(title="kt-tui dashboard"), encoding="utf-8")


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "dashboard.svg"
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "kt.db")
        today = build(db)
        asyncio.run(shoot(db, today, out))
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv)
