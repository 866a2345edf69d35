"""Training sessions: upcoming and past, trainer, time, and who attended."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Label, Static

from kt_tui.core.errors import Refused
from kt_tui.present import printable, stamp
from kt_tui.tui import hints
from kt_tui.tui.messages import NodeMessage
from kt_tui.tui.screens.base import DataScreen
from kt_tui.tui.screens.confirm import ConfirmScreen
from kt_tui.tui.widgets.figures import STATE_MARKS
from kt_tui.tui.widgets.sortable_table import SortableTable

if TYPE_CHECKING:
    from kt_tui.core.service import Refusals, TrainingSession


class SessionsScreen(DataScreen):
    CSS_PATH = "sessions.tcss"
    BINDINGS = [
        Binding(
            "m", "attend", "Mark attended", id="sessions.attend", tooltip="The attendee's item done"
        ),
        Binding(
            "M",
            "attend_session",
            "Mark who attended",
            id="sessions.attend_all",
            tooltip="Pick the session's attendees, mark them all at once",
        ),
        Binding(
            "tab",
            "app.focus_next",
            "Sessions/attendees",
            id="sessions.switch",
            tooltip="Switch lists",
        ),
        Binding("escape", "back", "Back", id="sessions.back", tooltip="Back to the dashboard"),
        Binding("q", "app.leave", "Quit", id="sessions.quit", show=False, tooltip="Quit kt-tui"),
    ]

    @dataclass
    class Ready(NodeMessage):
        sessions: list[TrainingSession]
        marker: int  # the store's last event when the read began

    @dataclass
    class Attended(NodeMessage):
        event_id: int
        sessions: list[TrainingSession]

    def __init__(self) -> None:
        super().__init__()
        self.sessions: list[TrainingSession] = []
        self._shown = -1  # the marker of what is shown: an older read never replaces it

    def compose(self) -> ComposeResult:
        yield Static("Training sessions", id="sessions-header", classes="header")
        yield SortableTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Label("Attendees (m: mark attended)", id="attendees-title", classes="section-title")
        yield SortableTable(id="attendees", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        sessions = self.query_one("#sessions", DataTable)
        # what decides first (when, who came, how long), then the title: at 80 columns
        # the rest scrolls off, and the attendees' title repeats the session's details
        sessions.add_column("When", key="when")
        sessions.add_column("", key="tense")
        sessions.add_column("Attended", key="attended")
        sessions.add_column("Minutes", key="minutes")
        sessions.add_column("Session", key="title")
        sessions.add_column("Trainer", key="trainer")
        sessions.add_column("Where", key="where")
        sessions.add_column("Parts", key="parts")
        attendees = self.query_one("#attendees", DataTable)
        attendees.add_column("Member", key="member")
        attendees.add_column("State", key="state")
        sessions.focus()
        self.load()

    def reload_data(self) -> None:
        self.load()

    @work(
        thread=True,
        exclusive=True,
        group="sessions",
        description="Cannot load",
        exit_on_error=False,
    )
    def load(self) -> None:
        service = self.app.service
        if service is not None:
            marker = service.change_marker()
            self.post_message(self.Ready(self, service.sessions(), marker))

    @on(Attended)
    def _attended(self, message: Attended) -> None:
        self.app.own_write(message.event_id)
        self._show(message.sessions, message.event_id)

    @on(Ready)
    def _ready(self, message: Ready) -> None:
        self._show(message.sessions, message.marker)

    def _show(self, sessions: list[TrainingSession], marker: int) -> None:
        if marker < self._shown:
            return  # read before a write already shown: it would bring back the old state
        self._shown = marker
        self.sessions = sessions
        service = self.app.service
        today = service.today() if service else None
        theme = self.app.current_theme
        table = self.query_one("#sessions", SortableTable)
        for s in self.sessions:
            past = today is not None and s.is_past(today)
            attended = s.attended()
            cells: dict[str, Any] = {
                "when": stamp(s.at),
                "tense": Text("past", style=theme.secondary or "")
                if past
                else Text("upcoming", style=f"bold {theme.primary}"),
                "attended": f"{attended}/{s.expected()}",
                "minutes": str(s.minutes or "-"),
                "title": Text(printable(s.title)),
                "trainer": Text(printable(s.trainer or "-")),
                "where": Text(printable(s.location or "-")),
                "parts": str(len(s.parts)),
            }
            if s.ref in table.rows:
                for column, value in cells.items():
                    table.update_cell(s.ref, column, value)
            else:
                table.add_row(*cells.values(), key=s.ref)
        table.resort()  # the order the user chose (o, a click), else by time
        self._show_attendees()
        self.query_one("#sessions-header", Static).update(
            Text(f"Training sessions   {len(self.sessions)} scheduled", style="bold")
        )
        self.shown("sessions")

    def _selected(self) -> TrainingSession | None:
        table = self.query_one("#sessions", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((s for s in self.sessions if s.ref == key), None)

    @on(DataTable.RowHighlighted, "#sessions")
    def _session_highlighted(self) -> None:
        self._show_attendees()

    def _show_attendees(self) -> None:
        session = self._selected()
        table = self.query_one("#attendees", SortableTable)
        self.query_one("#attendees-title", Label).update(_attendees_title(session))
        cursor = table.cursor_row
        table.clear()
        if session is None:
            return
        for a in session.attendees:
            mark = STATE_MARKS.get(a.state, "[?]")
            table.add_row(Text(a.member or "-"), Text(f"{mark} {a.state}"), key=str(a.instance_id))
        table.resort()
        if cursor < table.row_count:
            table.move_cursor(row=cursor)

    def action_attend(self) -> None:
        table = self.query_one("#attendees", DataTable)
        session = self._selected()
        if session is None or not table.row_count:
            return
        if not table.has_focus:
            table.focus()
            self.notify(hints.PICK_ATTENDEE, severity="information")
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if key is not None:
            self.attend(int(key))

    @work(thread=True, group="sessions-act", description="Refused", exit_on_error=False)
    def attend(self, instance_id: int) -> None:
        service = self.app.service
        if service is None:
            return
        try:
            outcome = service.attend(instance_id)
        except Refused:
            service.refresh_actor()  # a sync may have changed our rights since we opened
            raise
        self.post_message(self.Attended(self, outcome.event_id, service.sessions()))

    # -- a whole session's attendance at once ---------------------------------------

    @dataclass
    class AttendedMany(NodeMessage):
        marked: int
        refused: Refusals  # BulkResult.grouped_refusals
        sessions: list[TrainingSession]
        marker: int

    def action_attend_session(self) -> None:
        from kt_tui.tui.screens.attendance import AttendanceScreen

        session = self._selected()
        if session is None:
            return

        def picked(ids: list[int] | None) -> None:
            if not ids:
                return
            n = len(ids)
            question = f"Mark {n} attendee{'s' if n != 1 else ''} of {session.title} attended?"

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self.attend_many(ids)

            self.app.push_screen(ConfirmScreen(question), confirmed)

        self.app.push_screen(AttendanceScreen(session), picked)

    @work(thread=True, group="sessions-act", description="Refused", exit_on_error=False)
    def attend_many(self, instance_ids: list[int]) -> None:
        service = self.app.service
        if service is None:
            return
        result = service.attend_many(instance_ids)
        if result.refused:
            service.refresh_actor()  # a sync may have changed our rights since we opened
        marker = service.change_marker()
        self.post_message(
            self.AttendedMany(
                self, len(result.done), result.grouped_refusals(), service.sessions(), marker
            )
        )

    @on(AttendedMany)
    def _attended_many(self, message: AttendedMany) -> None:
        done = f"{message.marked} marked attended"
        self.show_refusals(message.refused, done)
        self.app.show_actor()
        self._show(message.sessions, message.marker)


def _attendees_title(session: TrainingSession | None) -> Text:
    """The attendees' heading names the highlighted session with its details, so that
    what a narrow terminal scrolls off the sessions' row is still on screen."""
    if session is None:
        return Text("Attendees (m: mark attended)")
    details = [
        f"{session.minutes} min" if session.minutes else "",
        f"trainer {session.trainer}" if session.trainer else "",
        session.location or "",
        f"{len(session.parts)} parts" if len(session.parts) > 1 else "",
    ]
    shown = " · ".join(printable(d) for d in details if d)
    return Text(f"Attendees of {printable(session.title)}{f' ({shown})' if shown else ''}")
