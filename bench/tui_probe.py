"""Time the terminal app headless: first frame, dashboard, toggles, peak memory.

    python bench/tui_probe.py bare          # a bare Textual app with one Static
    python bench/tui_probe.py app DB_PATH   # KtApp on that store (KT_USER: a lead)

Prints ``key=value`` lines for bench/run.py: ``first_frame`` and
``dashboard`` in seconds from the top of this script (before Textual is
imported), ``burnup`` likewise (the dashboard's burn-up and forecast, which
follow the figures), ``toggle_ms`` (a comma-separated list, one per press),
``toggle_median_ms``, ``toggle_p95_ms``, ``checklist_items`` and ``peak_mb``
(ru_maxrss).

Definitions, the same in both modes:
- first frame: the App's ``events.Ready``, which Textual posts right after the
  first layout and compositor refresh of the first screen (the first frame is
  rendered; headless, it is not written to a terminal).
- a frame: one compositor refresh that reaches ``App._display`` with an
  update (all changed lines rendered); headless at 120x40.
- toggle: space on the highlighted row of the "Every item" checklist (the
  command palette's every-item checklist, Scope() with no filter: every
  counted and na instance, >= 100,000 at 100k instances and up), 30 presses
  alternating done/undo on one item whose "done" needs no evidence prompt;
  each time is from just before the key is sent to the end of the first frame
  painted after the checklist put the changed row in place.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import asyncio  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SIZE = (120, 40)
PRESSES = 30
TIMEOUT = 120.0


def since_top() -> float:
    return time.perf_counter() - T0


def emit(key: str, value: object) -> None:
    print(f"{key}={value}", flush=True)


def peak_mb() -> float:
    """This process's peak resident memory.

    VmHWM, not ru_maxrss: Linux carries ru_maxrss across fork and exec, so a
    probe started by a large parent (bench.run holds a million rows) would
    report the parent's size.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare() -> None:
    from textual import events
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Bare(App[None]):
        first_frame: float | None = None

        def compose(self) -> ComposeResult:
            yield Static("Hello from a bare Textual app.")

        def on_ready(self, _event: events.Ready) -> None:
            self.first_frame = since_top()

    async def run() -> float | None:
        app = Bare()
        async with app.run_test(size=SIZE) as pilot:
            while app.first_frame is None:
                await pilot.pause(0.001)
            return app.first_frame

    emit("first_frame", f"{asyncio.run(run()):.4f}")
    emit("peak_mb", f"{peak_mb():.1f}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def app_mode(db: str) -> None:
    from textual import events, on

    from kt_tui.tui.app import KtApp
    from kt_tui.tui.messages import Loaded

    class Probe(KtApp):
        """KtApp, noting when things happen; nothing it does is changed."""

        CSS_PATH = str(Path(sys.modules[KtApp.__module__].__file__ or "").with_name("app.tcss"))

        def __init__(self, **kw: Any) -> None:
            super().__init__(**kw)
            self.first_frame: float | None = None
            self.seen: dict[str, float] = {}
            self.frames: list[float] = []  # when each frame was rendered

        @on(events.Ready)
        def _first_frame(self) -> None:
            if self.first_frame is None:
                self.first_frame = since_top()

        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if renderable is not None and not self._batch_count:
                self.frames.append(time.perf_counter())

        def post_message(self, message: Any) -> bool:
            if isinstance(message, Loaded):  # the time the screen posts it
                self.seen.setdefault(message.what, since_top())
            return super().post_message(message)

    async def wait(pilot: Any, check: Any, what: str) -> None:
        end = time.perf_counter() + TIMEOUT
        while not check():
            if time.perf_counter() > end:
                raise SystemExit(f"tui_probe: timed out waiting for {what}")
            await pilot.pause(0.001)

    async def run() -> None:
        app = Probe(db=db, as_handle=None, start="dashboard")
        async with app.run_test(size=SIZE) as pilot:
            await wait(pilot, lambda: app.first_frame is not None, "the first frame")
            emit("first_frame", f"{app.first_frame:.4f}")
            await wait(pilot, lambda: "dashboard" in app.seen, "the dashboard")
            emit("dashboard", f"{app.seen['dashboard']:.4f}")
            await wait(pilot, lambda: "burnup" in app.seen, "the burn-up")
            emit("burnup", f"{app.seen['burnup']:.4f}")
            service = app.service
            if service is None or service.actor.read_only or not service.actor.is_lead:
                raise SystemExit("tui_probe: KT_USER must name a lead of the store")

            # imported as the app imports them: after the first frame
            from kt_tui.tui.screens.checklist import ChecklistScreen
            from kt_tui.tui.widgets.checklist_view import ChecklistView

            app.open_checklist()  # the palette's "Every item"
            await wait(pilot, lambda: "checklist" in app.seen, "the checklist")
            screen = app.screen
            assert isinstance(screen, ChecklistScreen)
            view = screen.query_one(ChecklistView)
            emit("checklist_items", view.total)
            # the first row whose done needs no evidence prompt, and is todo or done
            target = next(
                i
                for i in range(min(view.total, 200))
                if (r := view.rows.get(i)) is not None
                and r.state in ("todo", "done")
                and (r.state == "done" or not r.evidence_required or r.evidence)
            )
            for _ in range(target):
                await pilot.press("down")
            await pilot.pause(0.05)

            changed: list[float] = []
            replace = view.replace_row

            def replace_row(row: Any) -> int | None:
                index = replace(row)
                changed.append(time.perf_counter())
                return index

            view.replace_row = replace_row  # type: ignore[method-assign]
            times: list[float] = []
            for n in range(PRESSES):
                before = view.current
                assert before is not None
                start = time.perf_counter()
                await pilot.press("space")
                await wait(pilot, lambda n=n: len(changed) > n, "the changed row")
                mark = changed[n]
                await wait(pilot, lambda mark=mark: app.frames[-1] > mark, "the next frame")
                frame = next(t for t in app.frames if t > mark)
                times.append((frame - start) * 1000)
                after = view.current
                if after is None or after.state == before.state:
                    raise SystemExit(f"tui_probe: press {n + 1} did not change the row")
                del app.frames[:-1]
                await pilot.pause(0.02)
            emit("toggle_ms", ",".join(f"{t:.2f}" for t in times))
            emit("toggle_median_ms", f"{statistics.median(times):.2f}")
            emit("toggle_p95_ms", f"{percentile(times, 0.95):.2f}")
            emit("peak_mb", f"{peak_mb():.1f}")
            app.exit()

    asyncio.run(run())


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] not in ("bare", "app") or (argv[1] == "app" and len(argv) < 3):
        raise SystemExit("usage: python bench/tui_probe.py bare | app DB_PATH  (env KT_USER)")
    if argv[1] == "bare":
        bare()
    else:
        app_mode(argv[2])


if __name__ == "__main__":
    main(sys.argv)
