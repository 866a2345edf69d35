"""A checklist: one member's, one system's or one cell's items, with the verbs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from kt_tui.core import rules
from kt_tui.core.errors import KtError
from kt_tui.present import bar, level, pct
from kt_tui.tui.messages import Loaded
from kt_tui.tui.screens.prompt import PromptScreen
from kt_tui.tui.widgets.checklist_view import PAGE_SIZE, ChecklistView
from kt_tui.tui.widgets.figures import readiness_colour
from kt_tui.tui.widgets.item_detail import item_detail_text

if TYPE_CHECKING:
    from kt_tui.core.instances import InstanceRow
    from kt_tui.core.readiness import Figures
    from kt_tui.core.service import Detail, Page, Scope
    from kt_tui.tui.app import KtApp


class ChecklistScreen(Screen[None]):
    """Items grouped by template then stage, a detail pane, and the verbs as keys."""

    BINDINGS = [
        Binding("space", "toggle_done", "Done/undo", id="checklist.done"),
        Binding("s", "signoff", "Sign off", id="checklist.signoff"),
        Binding("n", "na", "N/A", id="checklist.na", tooltip="Not applicable (asks why)"),
        Binding("r", "reopen", "Reopen", id="checklist.reopen"),
        Binding("b", "block", "Block/unblock", id="checklist.block"),
        Binding("e", "evidence", "Evidence", id="checklist.evidence"),
        Binding("c", "note", "Note", id="checklist.note"),
        Binding("slash", "filter", "Filter", id="checklist.filter"),
        Binding("escape", "back", "Back", id="checklist.back"),
        Binding("q", "back", "Back", id="checklist.quit", show=False),
    ]

    app: KtApp

    @dataclass
    class Reset(Message):
        generation: int
        page: Page
        figures: Figures | None

    @dataclass
    class PageReady(Message):
        generation: int
        page: Page

    @dataclass
    class DetailReady(Message):
        detail: Detail | None

    @dataclass
    class ActDone(Message):
        verb: str
        before: str
        after: str
        row: InstanceRow | None

    @dataclass
    class FiguresReady(Message):
        asked: int
        figures: Figures | None

    @dataclass
    class ActFailed(Message):
        reason: str

    @dataclass
    class FilterFailed(Message):
        reason: str

    def __init__(self, scope: Scope, filter_text: str = "") -> None:
        super().__init__()
        self.scope = scope
        self.filter_text = filter_text
        self.generation = 0
        self.figures: Figures | None = None
        self._figures_asked = 0  # header refreshes asked for, and one at a time in flight
        self._figures_busy = False

    def compose(self) -> ComposeResult:
        yield Static(f"Checklist: {self.scope.title}", id="cl-header")
        yield Input(
            self.filter_text,
            placeholder="filter: text state:done system:orders member:asha stage:shadowed "
            "overdue mine",
            id="filter",
            classes="-hidden",
        )
        yield Static("", id="cl-columns")
        yield ChecklistView(id="items")
        with VerticalScroll(id="detail-pane"):
            yield Static("", id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ChecklistView).focus()
        self.load()

    @property
    def view(self) -> ChecklistView:
        return self.query_one(ChecklistView)

    # -- loading -------------------------------------------------------------

    def reload_data(self) -> None:
        self.load(keep_cursor=True)

    def load(self, keep_cursor: bool = False) -> None:
        self.generation += 1
        offset = 0
        if keep_cursor:
            offset = (self.view.cursor // PAGE_SIZE) * PAGE_SIZE
        self._load(self.generation, self.filter_text, offset)

    @work(thread=True, exclusive=True, group="checklist-load", exit_on_error=False)
    def _load(self, generation: int, filter_text: str, offset: int) -> None:
        service = self.app.service
        if service is None:
            return
        try:
            page = service.page(self.scope, filter_text, offset, PAGE_SIZE)
        except KtError as exc:
            self.post_message(self.FilterFailed(str(exc)))
            return
        self.post_message(self.Reset(generation, page, service.figures(self.scope)))

    @on(Reset)
    def _reset(self, message: Reset) -> None:
        if message.generation != self.generation:
            return
        self.figures = message.figures
        view = self.view
        view.reset(message.page.total, message.page.rows, message.page.offset)
        self._show_header()
        self.query_one("#cl-columns", Static).update(view.header_text())
        # "loaded" means on screen: after the refresh that lays the new rows out
        self.call_after_refresh(self.app.post_message, Loaded("checklist"))

    @on(ChecklistView.NeedRows)
    def _need_rows(self, message: ChecklistView.NeedRows) -> None:
        self._load_page(self.generation, self.filter_text, message.offset)

    @work(thread=True, group="checklist-pages", exit_on_error=False)
    def _load_page(self, generation: int, filter_text: str, offset: int) -> None:
        service = self.app.service
        if service is None:
            return
        try:
            page = service.page(self.scope, filter_text, offset, PAGE_SIZE)
        except KtError:
            return
        self.post_message(self.PageReady(generation, page))

    @on(PageReady)
    def _page_ready(self, message: PageReady) -> None:
        if message.generation == self.generation:
            self.view.add_page(message.page.offset, message.page.rows)

    def on_resize(self) -> None:
        self.query_one("#cl-columns", Static).update(self.view.header_text())

    # -- header and detail -----------------------------------------------------

    def _show_header(self) -> None:
        theme = self.app.current_theme
        f = self.figures
        text = Text()
        text.append(f"Checklist: {self.scope.title}", style="bold")
        shown = self.view.total
        text.append(f"   {shown} item{'s' if shown != 1 else ''} shown")
        if self.filter_text:
            text.append(f"   filter: {self.filter_text}", style="italic")
        if f is not None:
            text.append("\nReadiness ")
            text.append(bar(f.readiness, 20), style=readiness_colour(theme, f.readiness))
            text.append(f" {pct(f.readiness)}", style="bold")
            text.append(f"   progress {pct(f.progress)}   level {level(f.level)}")
            text.append(f"   {f.complete}/{f.items} complete   ")
            text.append(f"{f.overdue} overdue", style=theme.error if f.overdue else "")
        self.query_one("#cl-header", Static).update(text)

    @on(ChecklistView.Highlighted)
    def _highlighted(self, message: ChecklistView.Highlighted) -> None:
        row = message.row
        if row is None:
            self.query_one("#detail", Static).update("" if self.view.total else "No items.")
            return
        text = item_detail_text(self.app.current_theme, row, None)
        self.query_one("#detail", Static).update(text)
        self._load_detail(row.id)

    @work(thread=True, exclusive=True, group="checklist-detail", exit_on_error=False)
    def _load_detail(self, instance_id: int) -> None:
        service = self.app.service
        if service is not None:
            self.post_message(self.DetailReady(service.detail(instance_id)))

    @on(DetailReady)
    def _detail_ready(self, message: DetailReady) -> None:
        d = message.detail
        current = self.view.current
        if d is not None and current is not None and current.id == d.row.id:
            self.query_one("#detail", Static).update(
                item_detail_text(self.app.current_theme, d.row, d)
            )

    # -- verbs ---------------------------------------------------------------

    def _current(self) -> InstanceRow | None:
        row = self.view.current
        if row is None:
            self.notify("no item here", severity="warning")
        return row

    def _ask(
        self, question: str, then: Any, value: str = "", *, verb: str, row: InstanceRow
    ) -> None:
        """Ask for the text a verb needs, unless the rules refuse the verb anyway."""

        def answered(text: str | None) -> None:
            if text:
                then(text)

        def ask() -> None:
            self.app.push_screen(PromptScreen(question, value), answered)

        self._ask_if_allowed(verb, row.id, ask)

    @work(thread=True, group="checklist-ask", exit_on_error=False)
    def _ask_if_allowed(self, verb: str, instance_id: int, ask: Any) -> None:
        service = self.app.service
        if service is None:
            return
        reason = service.refusal(verb, instance_id)
        if reason:
            self.app.call_from_thread(
                self.notify, reason, title="Refused", severity="error", markup=False
            )
            return
        self.app.call_from_thread(ask)

    def action_toggle_done(self) -> None:
        row = self._current()
        if row is None:
            return
        verb = rules.toggle_done_verb(row.state)
        if verb == rules.Verb.DONE and row.evidence_required and not row.evidence:
            self._ask(
                f"{row.title}: evidence (a link, ticket id or path)",
                lambda text: self.run_verb(verb, row, evidence=text),
                verb=verb,
                row=row,
            )
        else:
            self.run_verb(verb, row)

    def action_signoff(self) -> None:
        row = self._current()
        if row is not None:
            self.run_verb("signoff", row)

    def action_reopen(self) -> None:
        row = self._current()
        if row is not None:
            self.run_verb("reopen", row)

    def action_na(self) -> None:
        row = self._current()
        if row is not None:
            self._ask(
                f"{row.title}: why does it not apply?",
                lambda text: self.run_verb("na", row, reason=text),
                verb="na",
                row=row,
            )

    def action_block(self) -> None:
        row = self._current()
        if row is None:
            return
        if rules.toggle_block_verb(row.state) == rules.Verb.UNBLOCK:
            self.run_verb(rules.Verb.UNBLOCK, row)
        else:
            self._ask(
                f"{row.title}: what does it wait on?",
                lambda text: self.run_verb("block", row, reason=text),
                verb="block",
                row=row,
            )

    def action_evidence(self) -> None:
        row = self._current()
        if row is not None:
            self._ask(
                f"{row.title}: evidence (a link, ticket id or path)",
                lambda text: self.run_verb("evidence", row, text=text),
                row.evidence or "",
                verb="evidence",
                row=row,
            )

    def action_note(self) -> None:
        row = self._current()
        if row is not None:
            self._ask(
                f"{row.title}: note",
                lambda text: self.run_verb("note", row, text=text),
                row.note or "",
                verb="note",
                row=row,
            )

    @work(thread=True, group="checklist-act", exit_on_error=False)
    def run_verb(self, verb: str, row: InstanceRow, **kw: Any) -> None:
        service = self.app.service
        if service is None:
            return
        try:
            outcome = service.act(verb, row.id, expect_version=row.version, **kw)
        except KtError as exc:
            self.post_message(self.ActFailed(str(exc)))
            return
        self.app.marker = service.change_marker()
        # the row first; the header's figures follow (_refresh_figures)
        self.post_message(self.ActDone(verb, outcome.before, outcome.after, service.row(row.id)))

    @on(ActFailed)
    def _act_failed(self, message: ActFailed) -> None:
        self.notify(message.reason, title="Refused", severity="error", markup=False)

    @on(ActDone)
    def _act_done(self, message: ActDone) -> None:
        if message.row is not None:
            self.view.replace_row(message.row)
        self._refresh_figures()
        what = message.row.title if message.row else "item"
        change = (
            f"{message.before} -> {message.after}"
            if message.before != message.after
            else f"{message.verb} saved"
        )
        self.notify(f"{what}: {change}", markup=False)

    def _refresh_figures(self) -> None:
        """New header figures after a change; presses in quick succession share one query."""
        self._figures_asked += 1
        if not self._figures_busy:
            self._figures_busy = True
            self._load_figures(self._figures_asked)

    @work(thread=True, group="checklist-figures", exit_on_error=False)
    def _load_figures(self, asked: int) -> None:
        service = self.app.service
        self.post_message(
            self.FiguresReady(asked, service.figures(self.scope) if service else None)
        )

    @on(FiguresReady)
    def _figures_ready(self, message: FiguresReady) -> None:
        self._figures_busy = False
        self.figures = message.figures
        self._show_header()
        if message.asked != self._figures_asked:
            self._figures_busy = True
            self._load_figures(self._figures_asked)

    # -- filter and navigation -------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.remove_class("-hidden")
        box.focus()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self.filter_text = event.value.strip()
        if not self.filter_text:
            event.input.add_class("-hidden")
        self.view.cursor = 0
        self.view.focus()
        self.load()

    @on(FilterFailed)
    def _filter_failed(self, message: FilterFailed) -> None:
        self.notify(message.reason, title="Filter", severity="error", markup=False)
        self.action_filter()

    def action_back(self) -> None:
        box = self.query_one("#filter", Input)
        if box.has_focus:
            if not self.filter_text:
                box.add_class("-hidden")
            self.view.focus()
            return
        self.dismiss()
