"""The dashboard: handover header, members, systems and the members x systems heat map."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len as _cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Label, Static
from textual.widgets.data_table import ColumnKey

from kt_tui.present import bar, days_left, level, one_line, pct, printable
from kt_tui.tui.messages import NodeMessage
from kt_tui.tui.screens.base import DataScreen
from kt_tui.tui.widgets.burnup import BurnUp
from kt_tui.tui.widgets.figures import heat_cell, readiness_colour, readiness_text, yes_no
from kt_tui.tui.widgets.phrases import PhraseHeader
from kt_tui.tui.widgets.sortable_table import OpenTable, SortableTable

if TYPE_CHECKING:
    from kt_tui.core.readiness import Status
    from kt_tui.core.service import Service, Trend

WIDE = 150  # columns from which members and the heat map sit side by side
NARROW = 100  # below this, tables drop names and bars to keep the decision columns


def cell_len(value: Any) -> int:
    return _cell_len(value.plain if isinstance(value, Text) else str(value))


MEMBER_COLUMNS = (
    ("handle", "Handle"),
    ("name", "Name"),
    ("role", "Role"),
    ("readiness", "Readiness"),
    ("progress", "Progress"),
    ("level", "Level"),
    ("overdue", "Overdue"),
)
SYSTEM_COLUMNS = (
    ("key", "Key"),
    ("name", "Name"),
    ("tier", "Tier"),
    ("readiness", "Readiness"),
    ("ready", "Ready/req"),
    ("transfer", "Transfer"),
    ("level", "Level"),
)
# what a narrow terminal (80 columns) keeps: the decision columns; names and bars go
NARROW_DROPS = ("name",)


class DashboardScreen(DataScreen):
    """The first screen: how ready is each person and each system."""

    # its figures are cheap (the counters): it reloads whenever it comes back
    RELOAD_ON_RESUME = "always"

    CSS_PATH = "dashboard.tcss"
    BINDINGS = [
        Binding("q", "app.quit", "Quit", id="dashboard.quit", tooltip="Leave kt-tui"),
    ]
    _trend: Trend | None = None  # the burn-up shown, to lay its forecast out on a resize

    @dataclass
    class StatusReady(NodeMessage):
        status: Status | None

    @dataclass
    class TrendReady(NodeMessage):
        trend: Trend | None

    def compose(self) -> ComposeResult:
        yield PhraseHeader("kt-tui: opening the store…", id="dash-header", classes="header")
        with Horizontal(id="burn-row"):
            yield Label("Burn-up ", id="burn-label")
            yield BurnUp(id="burnup")
            yield Static("", id="forecast")
        with VerticalScroll(id="dash-body"):
            # systems first: whether each may transfer is the decision
            with Vertical(id="systems-box"):
                yield Label("Systems", classes="section-title")
                yield OpenTable(id="systems", cursor_type="row", zebra_stripes=True)
            with Container(id="top"):
                with Vertical(id="members-box"):
                    yield Label("Members", classes="section-title")
                    yield OpenTable(id="members", cursor_type="row", zebra_stripes=True)
                with Vertical(id="heat-box"):
                    yield Label("Readiness by member and system", classes="section-title")
                    yield OpenTable(id="heatmap", cursor_type="cell")
        # narrow: the Name columns fold away, so the highlighted row's names are here
        yield Static("", id="dash-name")
        yield Footer()

    def on_resize(self) -> None:
        """Members and the heat map side by side where the screen is wide enough;
        names and bars folded away where it is narrow."""
        self.set_class(self.size.width >= WIDE, "-wide")
        if self._trend is not None:
            self.call_after_refresh(self._show_forecast, self._trend)  # on one line again?
        narrow = self.size.width < NARROW
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            if self.app.status is not None:
                self._members(self.app.status)
                self._systems(self.app.status)
            self._show_name()

    @property
    def narrow(self) -> bool:
        return self.has_class("-narrow")

    def on_mount(self) -> None:
        self.query_one("#members", SortableTable).focus()

    def _columns(
        self, table: DataTable[Any], spec: tuple[tuple[str, str], ...], rows: list[dict[str, Any]]
    ) -> None:
        """Columns as wide as their widest cell, fixed before the rows arrive.

        Fixed widths make the layout deterministic: a DataTable that measures
        its columns as rows come in may draw its header before it re-measures.
        A reload whose data no longer fits rebuilds the columns.
        """
        if self.narrow:
            spec = tuple((k, label) for k, label in spec if k not in NARROW_DROPS)
        widths = {key: max([len(label)] + [cell_len(r[key]) for r in rows]) for key, label in spec}
        current = {str(k.value): c.width for k, c in table.columns.items()}
        same_columns = list(current) == [k for k, _ in spec]
        if same_columns and all(current.get(k, 0) >= w for k, w in widths.items()):
            return
        table.clear(columns=True)
        for key, label in spec:
            table.add_column(label, key=key, width=widths[key])

    # -- data ------------------------------------------------------------

    def reload_data(self) -> None:
        self.load()

    @work(
        thread=True,
        exclusive=True,
        group="dashboard",
        description="Cannot load",
        exit_on_error=False,
    )
    def load(self) -> None:
        service: Service | None = self.app.service
        if service is None:
            return
        self.post_message(self.StatusReady(self, service.status()))
        # the burn-up replays the event log: it follows the figures, never delays them
        self.post_message(self.TrendReady(self, service.trend()))

    @on(StatusReady)
    def _show(self, message: StatusReady) -> None:
        status = message.status
        self.app.status = status
        if status is None:
            self.query_one("#dash-header", PhraseHeader).say(
                "This store holds no handover yet: press ctrl+p and choose "
                "“Sync a folder”, or run `kt-tui sync DIR` in a shell."
            )
            self.shown("dashboard")
            return
        self._header(status)
        self._members(status)
        self._systems(status)
        self._heatmap(status)
        self._show_name()
        self.shown("dashboard")

    @on(TrendReady)
    def _show_trend(self, message: TrendReady) -> None:
        h = self._trend = message.trend
        spark = self.query_one("#burnup", BurnUp)
        if h is None:
            spark.data = []
            self.query_one("#forecast", Static).update("")
            return
        # from zero: nothing was complete the day before the first event
        spark.data = [0.0] + [p.readiness or 0.0 for p in h.points]
        if h.points:
            first, last = h.points[0], h.points[-1]
            spark.tooltip = (
                f"Complete weight per day since {first.day.isoformat()}, on a 0-100% axis; "
                f"now {last.complete_weight} of {last.total_weight}"
            )
        self._show_forecast(h)
        self.shown("burnup")

    def _show_forecast(self, h: Trend) -> None:
        f = h.forecast
        theme = self.app.current_theme
        text = Text()
        if h.points:
            text.append(f" {pct(h.points[-1].readiness)}", style="bold")
        text.append("   Forecast: ")
        if f.status == "on_track":
            text.append(f.text, style=f"bold {theme.success}")
        elif f.status == "late":
            text.append(f.text, style=f"bold {theme.error}")
        else:
            text.append(f.text, style="italic")
        if f.completion_date is not None:
            details = f"(complete {f.completion_date.isoformat()}"
            if f.earliest_date is not None and f.earliest_date != f.completion_date:
                latest = f.latest_date.isoformat() if f.latest_date else "not at the slowest pace"
                details += f"; between {f.earliest_date.isoformat()} and {latest}"
            details += ")"
            # on a second line where one would not fit beside the smallest burn-up (80
            # columns): a Static as wide as its text is cut, not wrapped, in this row
            least = self.query_one("#burnup", BurnUp).styles.min_width
            label = self.query_one("#burn-label", Label)
            row = self.query_one("#burn-row", Horizontal)
            taken = label.outer_size.width + (int(least.value) if least is not None else 0)
            room = row.content_region.width - taken
            text.append("\n" if text.cell_len + 1 + len(details) > room else " ")
            text.append(details)
        self.query_one("#forecast", Static).update(text)

    def _header(self, status: Status) -> None:
        theme = self.app.current_theme
        o = status.overall
        when = days_left(status.days_left)
        ready = Text.assemble(
            "Overall ", (bar(o.readiness, 30), readiness_colour(theme, o.readiness))
        )
        ready.append(f" {pct(o.readiness)} ready", style="bold")
        lines: list[list[Text | str]] = [
            [
                Text(one_line(status.name), style="bold"),
                f"target {status.target_date.isoformat()} ({when})",
            ],
            [
                ready,
                f"progress {pct(o.progress)}",
                f"level {level(o.level)}",
                f"{o.complete}/{o.items} complete",
                f"{o.overdue} overdue",
                f"{o.blocked} blocked",
            ],
        ]
        if o.lapsed:
            lines[-1].append(f"{o.lapsed} lapsed")
        own = status.handover_items
        if own is not None and own.items:
            wide = Text.assemble(
                "Handover-wide ", (bar(own.readiness, 30), readiness_colour(theme, own.readiness))
            )
            wide.append(f" {pct(own.readiness)} ready", style="bold")
            lines.append([wide, f"{own.complete}/{own.items} complete", f"{own.overdue} overdue"])
        self.query_one("#dash-header", PhraseHeader).show(lines)

    def _readiness(self, fraction: float | None) -> Text:
        """A bar and a percentage; the percentage alone (coloured) where it is narrow."""
        theme = self.app.current_theme
        if self.narrow:
            return Text(f"{pct(fraction):>4}", style=readiness_colour(theme, fraction))
        return readiness_text(theme, fraction)

    def _fill(self, table: DataTable[Any], key: str, cells: dict[str, Any]) -> None:
        """Update a row in place, or add it (cells of dropped columns are left out)."""
        cells = {k: v for k, v in cells.items() if table.columns.get(ColumnKey(k)) is not None}
        if key in table.rows:
            for column, value in cells.items():
                if value != table.get_cell(key, column):  # a reload redraws only what changed
                    table.update_cell(key, column, value)
        else:
            table.add_row(*cells.values(), key=key)

    def _members(self, status: Status) -> None:
        theme = self.app.current_theme
        table = self.query_one("#members", SortableTable)
        rows: list[tuple[str, dict[str, Any]]] = []
        for m in status.members:
            f = m.figures
            overdue = Text(str(f.overdue), style=theme.error or "red") if f.overdue else "0"
            rows.append(
                (
                    m.handle,
                    {
                        "handle": m.handle,
                        "name": Text(printable(m.name)),
                        "role": m.role,
                        "readiness": self._readiness(f.readiness),
                        "progress": pct(f.progress),
                        "level": level(f.level),
                        "overdue": overdue,
                    },
                )
            )
        self._columns(table, MEMBER_COLUMNS, [r for _, r in rows])
        for key, cells in rows:
            self._fill(table, key, cells)
        table.resort()

    def _systems(self, status: Status) -> None:
        theme = self.app.current_theme
        table = self.query_one("#systems", SortableTable)
        rows: list[tuple[str, dict[str, Any]]] = []
        for s in status.systems:
            f = s.figures
            rows.append(
                (
                    s.key,
                    {
                        "key": s.key,
                        "name": Text(printable(s.name)),
                        "tier": str(s.tier),
                        "readiness": self._readiness(f.readiness),
                        "ready": f"{s.ready_receivers}/{s.min_ready}",
                        "transfer": yes_no(s.can_transfer, theme),
                        "level": level(f.level),
                    },
                )
            )
        self._columns(table, SYSTEM_COLUMNS, [r for _, r in rows])
        for key, cells in rows:
            self._fill(table, key, cells)
        table.resort()

    def _heatmap(self, status: Status) -> None:
        theme = self.app.current_theme
        table = self.query_one("#heatmap", SortableTable)
        by_pair = {(c.member, c.system): c for c in status.cells}
        rows: list[tuple[str, dict[str, Any]]] = []
        for m in status.members:
            cells: dict[str, Any] = {"member": m.handle}
            for s in status.systems:
                c = by_pair.get((m.handle, s.key))
                cells[s.key] = heat_cell(theme, c.figures.readiness) if c else ""
            rows.append((m.handle, cells))
        spec = (("member", "Member"), *((s.key, s.key) for s in status.systems))
        self._columns(table, spec, [r for _, r in rows])
        for key, cells in rows:
            self._fill(table, key, cells)
        table.resort()

    # -- the highlighted row's names, where the Name columns fold away ------------

    @on(DataTable.RowHighlighted)
    @on(DataTable.CellHighlighted)
    def _highlighted(self) -> None:
        self._show_name()

    def on_descendant_focus(self) -> None:
        self._show_name()

    def _show_name(self) -> None:
        """The full names of the focused table's highlighted member or system (the
        heat map: both), on the line under the tables; only at narrow widths."""
        line = self.query_one("#dash-name", Static)
        status = self.app.status
        table = self.focused
        if not self.narrow or status is None or not isinstance(table, DataTable):
            line.update("")
            return
        if not table.row_count or not table.is_valid_coordinate(table.cursor_coordinate):
            line.update("")
            return
        row_key, column_key = table.coordinate_to_cell_key(table.cursor_coordinate)
        members = {m.handle: m.name for m in status.members}
        systems = {s.key: s.name for s in status.systems}
        if table.id == "systems":
            pairs = [(row_key.value, systems.get(row_key.value or ""))]
        else:  # members and the heat map: rows are members, its columns systems
            pairs = [(row_key.value, members.get(row_key.value or ""))]
            if table.id == "heatmap" and column_key.value in systems:
                pairs.append((column_key.value, systems[column_key.value]))
        text = "   ".join(f"{key}: {name}" for key, name in pairs if key and name)
        line.update(Text(printable(text)))

    # -- opening checklists ---------------------------------------------------

    @on(DataTable.RowSelected, "#members")
    def _member_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.app.open_checklist(member=event.row_key.value)

    @on(DataTable.RowSelected, "#systems")
    def _system_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.app.open_checklist(system=event.row_key.value)

    @on(DataTable.CellSelected, "#heatmap")
    def _cell_selected(self, event: DataTable.CellSelected) -> None:
        self._open_cell(self.query_one("#heatmap", DataTable))

    def _open_cell(self, table: DataTable[Any]) -> None:
        row_key, column_key = table.coordinate_to_cell_key(table.cursor_coordinate)
        member, system = row_key.value, column_key.value
        if member is None:
            return
        if system == "member" or system is None:
            self.app.open_checklist(member=member)
        elif table.get_cell(row_key, column_key) == "":
            self.notify(f"{member} does not receive {system}", severity="warning", markup=False)
        else:
            self.app.open_checklist(member=member, system=system)
