"""The kt-tui terminal app: the first frame is drawn before the store is opened.

The first frame is one line ("opening the store"); the dashboard's module is
imported, its screen pushed and the store opened (in a thread) once that
frame is on screen, so nothing heavy competes with it.

Workers raise; ``worker_state`` is the one place their failures become
notifications. Workers never write app state: they post messages, and the
handlers (on the main thread) set it.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Console
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import Provider
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from kt_tui.core.clock import SYSTEM_CLOCK, Clock
from kt_tui.present import printable
from kt_tui.tui.messages import NodeMessage, StoreChanged
from kt_tui.tui.theme import KT_DARK

if TYPE_CHECKING:
    from kt_tui.config import Config
    from kt_tui.core.identity import Actor
    from kt_tui.core.readiness import Status
    from kt_tui.core.service import Opened, Service

POLL_SECONDS = 1.0
UNEXPECTED = "Something went wrong; nothing was lost"


def _commands() -> type[Provider]:
    from kt_tui.tui.commands import KtCommands

    return KtCommands


class KtApp(App[None]):
    """The knowledge-transfer desk."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # also for subclasses elsewhere
    TITLE = "kt-tui"
    COMMANDS = App.COMMANDS | {_commands}
    # top-level views switch like tabs (each keeps its own stack of details), as in
    # lazygit or k9s; they never pile up
    MODES = {
        "dashboard": lambda: _view("dashboard"),
        "mine": lambda: _view("mine"),
        "queue": lambda: _view("queue"),
        "sessions": lambda: _view("sessions"),
        "blockers": lambda: _view("blockers"),
        "competency": lambda: _view("competency"),
    }
    BINDINGS = [
        Binding(
            "1",
            "view('dashboard')",
            "Dashboard",
            id="app.view.dashboard",
            tooltip="Readiness of every member and system",
        ),
        Binding(
            "2",
            "view('mine')",
            "My items",
            id="app.view.mine",
            tooltip="Your open items, by due date",
        ),
        Binding(
            "3",
            "view('queue')",
            "Queue",
            id="app.view.queue",
            tooltip="What waits for your signature",
        ),
        Binding(
            "4",
            "view('sessions')",
            "Sessions",
            id="app.view.sessions",
            tooltip="Training sessions and attendance",
        ),
        Binding(
            "5",
            "view('blockers')",
            "Blockers",
            id="app.view.blockers",
            tooltip="What is stuck, why, and for how long",
        ),
        Binding(
            "6",
            "view('competency')",
            "Competency",
            id="app.view.competency",
            tooltip="Each member's last assessment scores",
        ),
        Binding(
            "S",
            "view('queue')",
            "Sign-off queue",
            id="app.queue",
            show=False,
            tooltip="What waits for your signature",
        ),
        Binding(
            "t",
            "view('sessions')",
            "Sessions",
            id="app.sessions",
            show=False,
            tooltip="Training sessions",
        ),
        Binding(
            "x",
            "export",
            "Export",
            id="app.export",
            tooltip="Write the summary: md, html, csv or json",
        ),
        Binding("question_mark", "help", "Help", id="app.help", tooltip="Every key of this view"),
        # ? types itself in a text box (a path, a reason): F1 opens help there too
        Binding(
            "f1",
            "help",
            "Help",
            id="app.help_anywhere",
            show=False,
            tooltip="Every key of this view, from a dialog or a text box too",
        ),
    ]

    # who acts, on which store, under which identity mode: the context bar's three parts
    context: reactive[tuple[str, ...]] = reactive(())

    @dataclass
    class ServiceOpened(NodeMessage):
        opened: Opened
        marker: int

    @dataclass
    class KeymapRead(NodeMessage):
        config: Config

    @dataclass
    class PlanReady(NodeMessage):
        folder: Path | None
        lines: list[str]

    @dataclass
    class Synced(NodeMessage):
        lines: list[str]

    @dataclass
    class Exported(NodeMessage):
        path: Path

    def __init__(
        self,
        db: str | None = None,
        as_handle: str | None = None,
        clock: Clock | None = None,
        read_only: bool = False,
        start: str | None = None,
    ) -> None:
        super().__init__()
        self.start = start  # the first view; None: by role (leads: queue, engineers: mine)
        self.db = db
        self.as_handle = as_handle
        self.read_only = read_only
        self.clock = clock or SYSTEM_CLOCK
        self.service: Service | None = None
        self.status: Status | None = None
        self.marker = 0  # the newest event this session has seen (or written itself)
        self.actor_shown: Actor | None = None
        self.register_theme(KT_DARK)
        self.theme = KT_DARK.name

    def compose(self) -> ComposeResult:
        yield Static("kt-tui: opening the store…", id="splash", classes="header")

    def on_ready(self) -> None:
        """The first frame is drawn: now the first view, and the store in a thread."""
        if self.start is not None:
            self.switch_mode(self.start)
        # else the splash stays until the store says who you are (then: your view)
        self.open_service()
        self.read_keymap()

    # -- the one place worker failures are told ------------------------------------

    @on(Worker.StateChanged)
    def _own_worker_state(self, event: Worker.StateChanged) -> None:
        self.worker_state(event)

    def worker_state(self, event: Worker.StateChanged) -> None:
        """A failed worker, said once (no traceback): a KtError's own words under the
        worker's description, anything else as unexpected. A failed poll is retried."""
        from kt_tui.config import ConfigError
        from kt_tui.core.errors import KtError

        worker = event.worker
        if event.state != WorkerState.ERROR or worker.group == "poll":
            return
        error = worker.error
        if isinstance(error, KtError | ConfigError):
            title, text = worker.description or "Refused", str(error)
        else:
            title, text = UNEXPECTED, f"{type(error).__name__}: {error}"
        self.notify(printable(text), title=title, severity="error", timeout=15, markup=False)
        self.show_actor()

    def show_actor(self) -> None:
        """The sub-title names who acts; a role changed by a sync is said once."""
        service = self.service
        if service is None or service.actor == self.actor_shown:
            return
        before, actor = self.actor_shown, service.actor
        self.actor_shown = actor
        self.context = service.context_parts()  # the bar shows each part on one line
        self.sub_title = printable(service.context_line())
        if before is None:
            return
        if actor.read_only:
            said = f"{printable(actor.asked)} is no longer in the roster: read-only"
        elif actor.role != before.role:
            said = f"you are now {actor.role}"
        else:
            return
        self.notify(said, title="Your rights changed", severity="warning", markup=False)

    # -- opening and watching the store -------------------------------------------

    @work(
        thread=True,
        exclusive=True,
        group="open",
        description="Cannot open the store",
        exit_on_error=False,
    )
    def open_service(self) -> None:
        from kt_tui.core.service import open_service

        opened = open_service(self.db, self.as_handle, self.clock, read_only=self.read_only)
        self.post_message(self.ServiceOpened(self, opened, opened.service.change_marker()))

    @on(ServiceOpened)
    def _service_opened(self, message: ServiceOpened) -> None:
        self.service = message.opened.service
        self.marker = message.marker
        if message.opened.synced_sample:
            self.notify(
                "The store was empty: it now holds the bundled sample handover mid-way, "
                "with eight weeks of demo history.",
                title="Sample",
            )
        self.show_actor()
        self.set_interval(POLL_SECONDS, self.poll)
        if self.start is None:  # the view this person starts on loads as it mounts
            self.start = landing_view(self.service.actor)
            self.switch_mode(self.start)
            return
        self._reload_screens()

    @work(
        thread=True,
        exclusive=True,
        group="keymap",
        description="Keymap not applied",
        exit_on_error=False,
    )
    def read_keymap(self) -> None:
        from kt_tui.tui.keymap import load_keymap

        self.post_message(self.KeymapRead(self, load_keymap()))

    @on(KeymapRead)
    def _keymap_read(self, message: KeymapRead) -> None:
        if message.config.keymap:
            self.set_keymap(message.config.keymap)

    def poll(self) -> None:
        if self.service is not None:
            self._poll(self.marker)

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def _poll(self, seen: int) -> None:
        """A failed poll (a store briefly unreachable) is retried at the next tick."""
        service = self.service
        if service is None:
            return
        marker = service.change_marker()
        if marker != seen:
            service.refresh_actor()  # a sync may have changed who we are
            self.post_message(StoreChanged(self, marker))

    @on(StoreChanged)
    def _store_changed(self, message: StoreChanged) -> None:
        if not self.is_running:  # shutting down: the screens are being taken apart
            return
        self.marker = message.marker
        self.show_actor()
        self._reload_screens()

    def own_write(self, event_id: int) -> None:
        """Our own verb wrote event ``event_id``: no reload for it, unless someone else
        wrote in between (then the next poll still sees the difference)."""
        if self.marker == event_id - 1:
            self.marker = event_id

    def _reload_screens(self) -> None:
        """The topmost screen with data (beneath any modal) reloads it."""
        from kt_tui.tui.screens.base import DataScreen

        for screen in reversed(self.screen_stack):
            if isinstance(screen, DataScreen):
                if screen.is_mounted:  # one not mounted yet loads when it is
                    screen.reload_data()
                return

    # -- navigation ------------------------------------------------------------

    def open_checklist(
        self, member: str | None = None, system: str | None = None, on_item: int | None = None
    ) -> None:
        """A member's, a system's or a cell's checklist (``on_item``: the cursor on that
        instance, its page loaded first)."""
        from kt_tui.core.service import Scope
        from kt_tui.tui.screens.checklist import ChecklistScreen

        if self.service is None:
            return
        self.push_screen(ChecklistScreen(Scope(member, system), on_item=on_item))

    def action_view(self, name: str) -> None:
        """Switch to a top-level view (its details stay open beneath it)."""
        if self.service is not None and name in self.MODES and self.current_mode != name:
            self.switch_mode(name)

    def action_queue(self) -> None:
        self.action_view("queue")

    def action_sessions(self) -> None:
        self.action_view("sessions")

    def back_from(self, screen: Screen[Any]) -> None:
        """escape: close a detail; on a top-level view, go to the dashboard."""
        if len(self.screen_stack) > 1 and self.screen is screen:
            self.pop_screen()
        elif self.current_mode != "dashboard" and self.service is not None:
            self.switch_mode("dashboard")

    def action_leave(self) -> None:
        """q: quit on a top-level view, close a detail otherwise."""
        if len(self.screen_stack) > 1:
            self.pop_screen()
        else:
            self.exit()

    def action_help(self) -> None:
        from kt_tui.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        # this app's keys first (they have ids), those in the footer before the rest;
        # Textual's own (focus, copy, quit) after them
        ranked: list[tuple[int, tuple[str, str]]] = []
        for active in self.screen.active_bindings.values():
            b = active.binding
            what = b.description or b.tooltip or b.action
            # enter by its name: its symbol (⏎) reads as nothing to someone looking for
            # how to submit a prompt
            key = "enter" if b.key == "enter" else self.get_key_display(b)
            entry = (key, what)
            if what and entry not in (e for _, e in ranked):
                ranked.append(((b.id is None) * 2 + (not b.show), entry))
        keys = [e for _, e in sorted(ranked, key=lambda r: r[0])]
        keys.append((self.get_key_display(Binding("ctrl+p", "")), "Command palette"))
        name = type(self.screen).__name__.removesuffix("Screen").lower()
        # the filter's words only where there is a filter to type them in
        filters = any(a.binding.action == "filter" for a in self.screen.active_bindings.values())
        self.push_screen(HelpScreen(name, keys, filters=filters))

    # -- export and sync -----------------------------------------------------------

    def action_export(self) -> None:
        """Ask which format and where, then write it in a thread."""
        from kt_tui.paths import export_dir
        from kt_tui.tui.screens.export_dialog import ExportScreen

        service = self.service
        if service is None:
            return

        def chosen(answer: tuple[str, Path] | None) -> None:
            if answer is not None:
                self._export(*answer)

        self.push_screen(ExportScreen(export_dir(), service.today()), chosen)

    @work(
        thread=True,
        exclusive=True,
        group="export",
        description="Export failed",
        exit_on_error=False,
    )
    def _export(self, fmt: str, path: Path) -> None:
        from kt_tui.export import command

        service = self.service
        if service is None:
            return

        def fill(fh: TextIO) -> None:
            command.write(service.store, fmt, fh, actor=service.actor, clock=service.clock)

        # the dialog asked for a new file: one made meanwhile (even while this one was
        # being written) is never overwritten, the last step fails instead
        wrote = command.write_output(
            str(path), fill, live=service.store.path, stdout=sys.stdout, exclusive=True
        )
        self.post_message(self.Exported(self, wrote or path))

    @on(Exported)
    def _exported(self, message: Exported) -> None:
        self.notify(f"wrote {printable(str(message.path))}", title="Export", markup=False)

    def ask_sync_folder(self) -> None:
        from kt_tui.tui.screens.prompt import PromptScreen

        def answered(text: str | None) -> None:
            if text:
                self.plan_sync(text)

        self.push_screen(PromptScreen("Sync which folder?", "./checklists"), answered)

    def _folder(self, text: str | None) -> Path | None:
        return Path(text).expanduser() if text else None

    @work(
        thread=True, exclusive=True, group="sync", description="Sync refused", exit_on_error=False
    )
    def plan_sync(self, folder: str | None) -> None:
        """First the plan (nothing written); the sync itself only once confirmed."""
        from kt_tui.core.sync import describe

        service = self.service
        if service is not None:
            plan = service.sync(self._folder(folder), dry_run=True).plan
            self.post_message(self.PlanReady(self, self._folder(folder), describe(plan)))

    @on(PlanReady)
    def _plan_ready(self, message: PlanReady) -> None:
        from kt_tui.tui.screens.confirm import ConfirmScreen

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.apply_sync(message.folder)

        where = str(message.folder) if message.folder else "the bundled sample"
        self.push_screen(
            ConfirmScreen(f"Sync {printable(where)}? The plan:", message.lines), confirmed
        )

    @work(
        thread=True, exclusive=True, group="sync", description="Sync refused", exit_on_error=False
    )
    def apply_sync(self, folder: Path | None) -> None:
        from kt_tui.core.sync import describe

        service = self.service
        if service is not None:
            self.post_message(self.Synced(self, describe(service.sync(folder).plan)))

    @on(Synced)
    def _synced(self, message: Synced) -> None:
        self.notify(printable("\n".join(message.lines[-6:])), title="Synced", markup=False)
        self.show_actor()
        self._reload_screens()


def landing_view(actor: Actor) -> str:
    """Where a person starts: leads on their queue, engineers on their items, a
    read-only visitor on the dashboard."""
    if actor.read_only:
        return "dashboard"
    return "queue" if actor.is_lead else "mine"


def _view(name: str) -> Screen[Any]:
    """A top-level view's screen, made when first switched to."""
    if name == "mine":
        from kt_tui.core.service import Scope
        from kt_tui.core.sorting import Sort
        from kt_tui.tui.screens.checklist import ChecklistScreen

        # mine and open, by due date (overdue first), with the person's own figures
        return ChecklistScreen(
            Scope(), "mine open", title="My items", sort=Sort("due"),
            own_figures=True,
        )  # fmt: skip
    if name == "queue":
        from kt_tui.tui.screens.queue import QueueScreen

        return QueueScreen()
    if name == "sessions":
        from kt_tui.tui.screens.sessions import SessionsScreen

        return SessionsScreen()
    if name == "blockers":
        from kt_tui.tui.screens.blockers import BlockersScreen

        return BlockersScreen()
    if name == "competency":
        from kt_tui.tui.screens.competency import CompetencyScreen

        return CompetencyScreen()
    from kt_tui.tui.screens.dashboard import DashboardScreen

    return DashboardScreen()


def run_app(db: str | None = None, as_handle: str | None = None, read_only: bool = False) -> None:
    """Open the terminal app (the CLI's `kt-tui` with no command).

    An unexpected end (an exception nothing handled) exits with status 1 and one
    line on stderr, never a traceback.
    """
    app = KtApp(db=db, as_handle=as_handle, read_only=read_only)
    app.error_console = Console(file=io.StringIO(), stderr=True)  # Textual's traceback
    app.run()
    if app.return_code:
        print(f"kt-tui stopped: {last_line(app.error_console)}", file=sys.stderr)
        sys.exit(app.return_code)


def last_line(console: Any) -> str:
    """The last words Textual wrote about the error (its type and message)."""
    captured = console.file.getvalue() if isinstance(console.file, io.StringIO) else ""
    lines = [line.strip() for line in captured.splitlines() if line.strip()]
    return lines[-1] if lines else "an unexpected error"
