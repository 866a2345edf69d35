"""The kt-tui terminal app: the first frame is drawn before the store is opened.

The first frame is one line ("opening the store"); the dashboard's module is
imported, its screen pushed and the store opened (in a thread) once that
frame is on screen, so nothing heavy competes with it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import Provider
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from kt_tui.core.clock import SYSTEM_CLOCK, Clock
from kt_tui.tui.messages import Loaded, StoreChanged
from kt_tui.tui.theme import KT_DARK

if TYPE_CHECKING:
    from kt_tui.core.readiness import Status
    from kt_tui.core.service import Service

POLL_SECONDS = 1.0


def _commands() -> type[Provider]:
    from kt_tui.tui.commands import KtCommands

    return KtCommands


class KtApp(App[None]):
    """The knowledge-transfer desk."""

    CSS_PATH = "app.tcss"
    TITLE = "kt-tui"
    COMMANDS = App.COMMANDS | {_commands}
    BINDINGS = [
        Binding("S", "queue", "Sign-off queue", id="app.queue"),
        Binding("t", "sessions", "Sessions", id="app.sessions"),
        Binding("x", "export", "Export", id="app.export"),
        Binding("question_mark", "help", "Help", id="app.help"),
    ]

    @dataclass
    class ServiceOpened(Message):
        service: Service
        synced_sample: bool

    @dataclass
    class ServiceFailed(Message):
        reason: str

    @dataclass
    class Synced(Message):
        lines: list[str]

    def __init__(
        self, db: str | None = None, as_handle: str | None = None, clock: Clock | None = None
    ) -> None:
        super().__init__()
        self.db = db
        self.as_handle = as_handle
        self.clock = clock or SYSTEM_CLOCK
        self.service: Service | None = None
        self.status: Status | None = None
        self.marker = 0
        self.loaded: Counter[str] = Counter()
        self.register_theme(KT_DARK)
        self.theme = KT_DARK.name

    def compose(self) -> ComposeResult:
        yield Static("kt-tui: opening the store…", id="splash")

    def on_ready(self) -> None:
        """The first frame is drawn: now the dashboard, and the store in a thread."""
        from kt_tui.tui.screens.dashboard import DashboardScreen

        self.push_screen(DashboardScreen())
        self.open_service()

    # -- opening and watching the store -------------------------------------------

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def open_service(self) -> None:
        from kt_tui.core.errors import KtError
        from kt_tui.core.service import open_service

        try:
            opened = open_service(self.db, self.as_handle, self.clock)
            self.marker = opened.service.change_marker()
        except KtError as exc:
            self.post_message(self.ServiceFailed(str(exc)))
            return
        except Exception as exc:  # never a traceback: say what failed
            self.post_message(self.ServiceFailed(f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(self.ServiceOpened(opened.service, opened.synced_sample))

    @on(ServiceOpened)
    def _service_opened(self, message: ServiceOpened) -> None:
        self.service = message.service
        if message.synced_sample:
            self.notify("The store was empty: synced the bundled sample handover.", title="Sample")
        self.sub_title = message.service.actor.describe()
        self.set_interval(POLL_SECONDS, self.poll)
        self._reload_screens()

    @on(ServiceFailed)
    def _service_failed(self, message: ServiceFailed) -> None:
        self.notify(
            message.reason,
            title="Cannot open the store",
            severity="error",
            timeout=30,
            markup=False,
        )

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """A worker that failed unexpectedly: say so, keep the session (no traceback)."""
        if event.state != WorkerState.ERROR or event.worker.group == "poll":
            return
        error = event.worker.error
        self.notify(
            f"{type(error).__name__}: {error}",
            title="Something went wrong; nothing was lost",
            severity="error",
            timeout=15,
            markup=False,
        )

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.loaded[message.what] += 1

    def poll(self) -> None:
        if self.service is not None:
            self._poll()

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def _poll(self) -> None:
        """A failed poll (a store briefly unreachable) is retried at the next tick."""
        service = self.service
        if service is None:
            return
        marker = service.change_marker()
        if marker != self.marker:
            self.marker = marker
            self.post_message(StoreChanged(marker))

    @on(StoreChanged)
    def _store_changed(self, message: StoreChanged) -> None:
        self._reload_screens()

    def _reload_screens(self) -> None:
        """The topmost screen with data (beneath any modal) reloads it."""
        for screen in reversed(self.screen_stack):
            reload = getattr(screen, "reload_data", None)
            if reload is not None:
                reload()
                return

    # -- navigation ------------------------------------------------------------

    def open_checklist(self, member: str | None = None, system: str | None = None) -> None:
        from kt_tui.core.service import Scope
        from kt_tui.tui.screens.checklist import ChecklistScreen

        if self.service is None:
            return
        self.push_screen(ChecklistScreen(Scope(member, system)))

    def action_queue(self) -> None:
        from kt_tui.tui.screens.queue import QueueScreen

        if self.service is None:
            return
        if not isinstance(self.screen, QueueScreen):
            self.push_screen(QueueScreen())

    def action_sessions(self) -> None:
        from kt_tui.tui.screens.sessions import SessionsScreen

        if self.service is None:
            return
        if not isinstance(self.screen, SessionsScreen):
            self.push_screen(SessionsScreen())

    def action_help(self) -> None:
        from kt_tui.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        shown: list[tuple[str, str]] = []
        others: list[tuple[str, str]] = []
        for active in self.screen.active_bindings.values():
            b = active.binding
            what = b.description or b.tooltip or b.action
            entry = (self.get_key_display(b), what)
            if what and entry not in shown and entry not in others:
                (shown if b.show else others).append(entry)
        keys = shown + others
        keys.append((self.get_key_display(Binding("ctrl+p", "")), "Command palette"))
        name = type(self.screen).__name__.removesuffix("Screen").lower()
        self.push_screen(HelpScreen(name, keys))

    # -- export and sync -----------------------------------------------------------

    def action_export(self) -> None:
        try:
            from kt_tui.export import command  # type: ignore[attr-defined,unused-ignore]
        except ImportError:
            self.notify("export not available yet", severity="warning")
            return
        if not hasattr(command, "render") or self.service is None:
            self.notify("export not available yet", severity="warning")
            return
        self._export(command)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _export(self, command: Any) -> None:
        from kt_tui.paths import export_dir

        service = self.service
        if service is None:
            return
        day: date = service.today()
        name = command.default_filename("md", day)
        path = export_dir() / name
        n = 2
        while path.exists():  # never overwrite an earlier summary
            path = export_dir() / name.replace(".md", f"-{n}.md")
            n += 1
        try:
            with open(path, "x", encoding="utf-8", newline="") as fh:
                command.write(service.store, "md", fh, actor=service.actor, clock=service.clock)
        except Exception as exc:  # an export failure must not end the session
            self.call_from_thread(
                self.notify, f"export failed: {exc}", severity="error", markup=False
            )
            return
        self.call_from_thread(self.notify, f"wrote {path}", title="Export")

    def ask_sync_folder(self) -> None:
        from kt_tui.tui.screens.prompt import PromptScreen

        def answered(text: str | None) -> None:
            if text:
                self.sync_folder(text)

        self.push_screen(PromptScreen("Sync which folder?", "./checklists"), answered)

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False)
    def sync_folder(self, folder: str | None) -> None:
        from kt_tui.core.errors import KtError

        service = self.service
        if service is None:
            return
        try:
            lines = service.sync_folder(Path(folder).expanduser() if folder else None)
        except KtError as exc:
            self.call_from_thread(
                self.notify, str(exc), title="Sync refused", severity="error", markup=False
            )
            return
        except Exception as exc:  # never a traceback: the store is unchanged
            self.call_from_thread(
                self.notify,
                f"{type(exc).__name__}: {exc}",
                title="Sync failed; nothing was written",
                severity="error",
                markup=False,
            )
            return
        self.post_message(self.Synced(lines))

    @on(Synced)
    def _synced(self, message: Synced) -> None:
        self.notify("\n".join(message.lines[-6:]), title="Synced", markup=False)


def run_app(db: str | None = None, as_handle: str | None = None) -> None:
    """Open the terminal app (the CLI's `kt-tui` with no command)."""
    KtApp(db=db, as_handle=as_handle).run()
