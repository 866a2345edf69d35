"""What every data screen shares: its workers' failures go to the app's one handler."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.screen import Screen
from textual.worker import Worker

from kt_tui.tui.messages import Loaded

if TYPE_CHECKING:
    from kt_tui.tui.app import KtApp


class DataScreen(Screen[None]):
    """A screen that loads from the store in thread workers and reloads on StoreChanged."""

    app: KtApp

    def reload_data(self) -> None:
        """Load the screen's data again (the store changed)."""

    def shown(self, what: str) -> None:
        """Say the data is on screen, after the refresh that lays it out."""
        self.call_after_refresh(self.post_message, Loaded(self, what))

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        # a worker's state reaches only its own node: the app translates failures
        self.app.worker_state(event)
