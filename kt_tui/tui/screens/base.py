"""What every data screen shares: its workers' failures go to the app's one handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker

from kt_tui.present import printable
from kt_tui.tui.messages import Loaded
from kt_tui.tui.widgets.context_bar import ContextBar

if TYPE_CHECKING:
    from kt_tui.core.service import Refusals, Service
    from kt_tui.tui.app import KtApp


TOASTED = 2  # reasons said in toasts, one each; more open the report of them all
NAMED = 3  # items a toast names under a reason; more open the report


class DataScreen(Screen[None]):
    """A screen that loads from the store in thread workers and reloads on StoreChanged.

    Every such screen starts with the ContextBar: who, as what, on which store.
    """

    app: KtApp
    RELOAD_ON_RESUME = "changed"  # or "always"

    def on_mount(self) -> None:
        self.mount(ContextBar(id="context"), before=0)

    def show_refusals(self, groups: Refusals, done: str = "") -> None:
        """What a verb over many items did (``done``, if given) and its refusals
        (BulkResult.grouped_refusals), each reason once with the items it refused.
        One or two reasons, each over a few items: a toast each. More: one toast, and
        the whole list in a report to scroll (escape closes it), so that no reason goes
        unsaid when the toasts go."""
        if not groups or (len(groups) <= TOASTED and all(len(i) <= NAMED for _, i in groups)):
            if done:
                self.notify(done, markup=False)
            for why, items in groups:
                text = items[0][1]
                if len(items) > 1:
                    names = ", ".join(label for label, _ in items)
                    text = f"{why}\n{len(items)} items: {names}"
                self.notify(printable(text), title="Refused", severity="error", markup=False)
            return
        from kt_tui.tui.screens.refusals import RefusalsScreen, refusals_heading

        said = f"{done}; " if done else ""
        self.notify(
            f"{said}{refusals_heading(groups)}: each listed (escape closes the list)",
            title="Refused",
            severity="error",
            markup=False,
        )
        self.app.push_screen(RefusalsScreen(done, groups))

    @work(
        thread=True,
        exclusive=True,
        group="fetch",
        description="Cannot load",
        exit_on_error=False,
    )
    def fetch(self, call: Callable[[Service], Any], ready: Callable[[Any, Any], Message]) -> None:
        """Ask the service in a thread; post ``ready(self, answer)`` back (a screen whose
        whole data is one question: blockers, competency)."""
        service = self.app.service
        if service is not None:
            self.post_message(ready(self, call(service)))

    def reload_data(self) -> None:
        """Load the screen's data again (the store changed)."""

    def action_back(self) -> None:
        """escape: back from a detail; from a top-level view, to the dashboard."""
        self.app.back_from(self)

    def shown(self, what: str) -> None:
        """Say the data is on screen, after the refresh that lays it out."""
        self._shown_at = self.app.marker  # the newest event the data on screen knows
        self.call_after_refresh(self.post_message, Loaded(self, what))

    def on_screen_resume(self) -> None:
        """Back in view (a view switched to, a detail closed): reload if the store
        changed meanwhile (a change reloads only the screen in view), or always."""
        if self.app.service is None:
            return
        seen = getattr(self, "_shown_at", None)
        if self.RELOAD_ON_RESUME == "always" or (seen is not None and seen != self.app.marker):
            self.reload_data()

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        # a worker's state reaches only its own node: the app translates failures
        self.app.worker_state(event)
