"""A checklist: one member's, one system's or one cell's items, with the verbs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Input, Static

from kt_tui.core import rules
from kt_tui.core.errors import KtError, Refused
from kt_tui.core.sorting import Sort
from kt_tui.present import bar, level, one_line, pct, printable
from kt_tui.tui import hints
from kt_tui.tui.messages import NodeMessage
from kt_tui.tui.screens.checklist_sorting import SortedChecklist
from kt_tui.tui.screens.prompt import PromptScreen
from kt_tui.tui.widgets.checklist_view import PAGE_SIZE, ChecklistView
from kt_tui.tui.widgets.figures import readiness_colour
from kt_tui.tui.widgets.item_detail import item_detail_text
from kt_tui.tui.widgets.phrases import PhraseHeader

if TYPE_CHECKING:
    from kt_tui.core.instances import InstanceRow
    from kt_tui.core.readiness import Figures
    from kt_tui.core.service import Detail, Page, Scope


class ChecklistScreen(SortedChecklist):
    """Items grouped by template then stage, a detail pane, and the verbs as keys."""

    CSS_PATH = "checklist.tcss"
    BINDINGS = [
        Binding(
            "space", "toggle_done", "Done/undo", id="checklist.done", tooltip="Mark done, or undo"
        ),
        Binding("s", "signoff", "Sign off", id="checklist.signoff", tooltip="Sign off a done item"),
        Binding("R", "reject", "Reject", id="checklist.reject", tooltip="Send back (asks why)"),
        Binding("A", "assess", "Assess", id="checklist.assess", tooltip="Score (asks the score)"),
        Binding("n", "na", "N/A", id="checklist.na", tooltip="Not applicable (asks why)"),
        Binding("r", "reopen", "Reopen", id="checklist.reopen", tooltip="Back to to-do"),
        Binding(
            "b", "block", "Block/unblock", id="checklist.block", tooltip="Say what it waits on"
        ),
        Binding(
            "e", "evidence", "Evidence", id="checklist.evidence", tooltip="A link, ticket or path"
        ),
        Binding("c", "note", "Note", id="checklist.note", tooltip="Leave a note"),
        Binding("slash", "filter", "Filter", id="checklist.filter", tooltip="Filter the items"),
        Binding("escape", "back", "Back", id="checklist.back", tooltip="Back to the dashboard"),
        Binding("q", "app.leave", "Back", id="checklist.quit", show=False, tooltip="Back, or quit"),
    ]

    @dataclass
    class Reset(NodeMessage):
        generation: int
        page: Page
        figures: Figures | None
        sorted: bool = False  # the rows in a new order: say which
        at: int | None = None  # the row to put the cursor on (the item it opened on)

    @dataclass
    class PageReady(NodeMessage):
        generation: int
        page: Page

    @dataclass
    class DetailReady(NodeMessage):
        detail: Detail | None

    @dataclass
    class ActDone(NodeMessage):
        verb: str
        before: str
        after: str
        event_id: int
        row: InstanceRow | None
        figures: Figures | None

    def __init__(
        self,
        scope: Scope,
        filter_text: str = "",
        *,
        title: str = "",
        sort: Sort | None = None,
        own_figures: bool = False,
        on_item: int | None = None,
    ) -> None:
        """``on_item``: an instance id to open on (the blockers view's Enter): its page
        is loaded first and the cursor put on it."""
        super().__init__()
        self.on_item = on_item
        self.scope = scope
        self.title_text = title or f"Checklist: {scope.title}"
        self.filter_text = filter_text
        if sort is not None:
            self.sort = sort  # the order it opens in (My items: by due date)
        # My items: the header shows the actor's own figures (their member's), not the
        # handover's, though the list is every item they do
        self.own_figures = own_figures
        self.generation = 0
        self._loaded = 0  # the generation the view shows
        self._follow: int | None = None  # a reload's generation: its cursor follows its item
        self.figures: Figures | None = None
        self._figures_event = 0  # the newest write whose figures the header shows

    def compose(self) -> ComposeResult:
        yield PhraseHeader(Text(printable(self.title_text)), id="cl-header", classes="header")
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
        view = self.query_one(ChecklistView)
        view.sort = self.sort  # the arrow on the column it opens sorted by
        view.focus()
        self.load()

    @property
    def view(self) -> ChecklistView:
        return self.query_one(ChecklistView)

    def _figures_scope(self) -> Scope:
        """The checklist's scope; My items: the actor's own member."""
        from kt_tui.core.service import Scope

        service = self.app.service
        if self.own_figures and service is not None and service.actor.handle:
            return Scope(member=service.actor.handle)
        return self.scope

    # -- loading -------------------------------------------------------------

    def reload_data(self) -> None:
        self.load(keep_cursor=True)

    def load(self, keep_cursor: bool = False) -> None:
        self.generation += 1
        offset = 0
        # a reload follows the cursor's item; a new filter or order starts at the top
        self._follow = self.generation if keep_cursor else None
        if keep_cursor:
            offset = (self.view.cursor // PAGE_SIZE) * PAGE_SIZE
        on_item, self.on_item = self.on_item, None  # the first load only
        self._load(self.generation, self.filter_text, offset, self.sort, on_item=on_item)

    @work(
        thread=True,
        exclusive=True,
        group="checklist-load",
        description="Cannot load",
        exit_on_error=False,
    )
    def _load(
        self,
        generation: int,
        filter_text: str,
        offset: int,
        sort: Sort,
        total: int | None = None,
        on_item: int | None = None,
    ) -> None:
        """The first page and the header's figures; ``total`` given: the same rows in a
        new order (not counted again), so the message says it was sorted; ``on_item``:
        the page that holds that instance, the cursor on it."""
        service = self.app.service
        if service is None:
            return
        at = None
        if on_item is not None:
            at = service.position(self.scope, filter_text, on_item, sort.text)
            if at is not None:
                offset = (at // PAGE_SIZE) * PAGE_SIZE
        page = service.page(self.scope, filter_text, offset, PAGE_SIZE, sort.text, total)
        figures = service.figures(self._figures_scope())
        self.post_message(
            self.Reset(self, generation, page, figures, sorted=total is not None, at=at)
        )

    @on(Reset)
    def _reset(self, message: Reset) -> None:
        if message.generation != self.generation:
            return
        self._loaded = message.generation
        self.figures = message.figures
        view = self.view
        follow = message.generation == self._follow
        view.reset(message.page.total, message.page.rows, message.page.offset, follow=follow)
        if message.at is not None and message.at < view.total:
            view.cursor = message.at  # the item it opened on
            self.call_after_refresh(view.centre_cursor)
        self._show_header()
        self._show_columns()
        if message.sorted:
            self.notify(f"sorted by {self.sort.label}")
        self.shown("checklist")

    @on(ChecklistView.NeedRows)
    def _need_rows(self, message: ChecklistView.NeedRows) -> None:
        self._load_page(self.generation, self.filter_text, message.offset, self.sort)

    @work(thread=True, group="checklist-pages", description="Cannot load", exit_on_error=False)
    def _load_page(self, generation: int, filter_text: str, offset: int, sort: Sort) -> None:
        service = self.app.service
        if service is not None:
            page = service.page(self.scope, filter_text, offset, PAGE_SIZE, sort.text)
            self.post_message(self.PageReady(self, generation, page))

    @on(PageReady)
    def _page_ready(self, message: PageReady) -> None:
        if message.generation == self.generation:
            self.view.add_page(message.page.offset, message.page.rows)

    def on_resize(self) -> None:
        self._show_columns()

    def load_sorted(self) -> None:
        """The rows again in the new order, the total known (not counted again)."""
        self.generation += 1
        self._load(self.generation, self.filter_text, 0, self.sort, self.view.total)

    # -- header and detail -----------------------------------------------------

    def _show_header(self) -> None:
        theme = self.app.current_theme
        f = self.figures
        shown = self.view.total
        top: list[Text | str] = [
            Text(one_line(self.title_text), style="bold"),
            f"{shown} item{'s' if shown != 1 else ''} shown",
        ]
        # My items for someone with no handle (not on the roster): the figures below are
        # the whole handover's, never to be read as theirs
        actor = self.app.service.actor if self.app.service is not None else None
        nobody = self.own_figures and actor is not None and not actor.handle
        if nobody and actor is not None:
            top.append("read-only: you have no items" if actor.read_only else "you have no items")
        if self.filter_text:
            top.append(Text(f"filter: {printable(self.filter_text)}", style="italic"))
        if self.view.selected:
            n = len(self.view.selected)
            top.append(Text(f"{n} selected: the verb keys apply to them (a: none)", style="bold"))
        lines = [top]
        if f is not None:
            mine = self.own_figures and self._figures_scope().member
            label = "Handover readiness " if nobody else "Readiness "
            ready = Text(f"Your readiness ({mine}) " if mine else label)
            ready.append(bar(f.readiness, 20), style=readiness_colour(theme, f.readiness))
            ready.append(f" {pct(f.readiness)}", style="bold")
            lines.append(
                [
                    ready,
                    f"progress {pct(f.progress)}",
                    f"level {level(f.level)}",
                    f"{f.complete}/{f.items} complete",
                    Text(f"{f.overdue} overdue", style=(theme.error or "") if f.overdue else ""),
                ]
            )
        self.query_one("#cl-header", PhraseHeader).show(lines)

    def _show_detail(self, text: Text) -> None:
        """The detail pane, when it is there: a highlight can arrive while the screen
        is still composing or already going away (seen at a million rows)."""
        for pane in self.query("#detail").results(Static):
            pane.update(text)

    @on(ChecklistView.Highlighted)
    def _highlighted(self, message: ChecklistView.Highlighted) -> None:
        row = message.row
        if row is None:
            self._show_detail(Text("" if self.view.total else "No items."))
            return
        text = item_detail_text(self.app.current_theme, row, None)
        self._show_detail(text)
        self._load_detail(row.id)

    @work(
        thread=True,
        exclusive=True,
        group="checklist-detail",
        description="Cannot load",
        exit_on_error=False,
    )
    def _load_detail(self, instance_id: int) -> None:
        service = self.app.service
        if service is not None:
            self.post_message(self.DetailReady(self, service.detail(instance_id)))

    @on(DetailReady)
    def _detail_ready(self, message: DetailReady) -> None:
        d = message.detail
        current = self.view.current
        if d is not None and current is not None and current.id == d.row.id:
            self._show_detail(item_detail_text(self.app.current_theme, d.row, d))

    # -- verbs ---------------------------------------------------------------

    def _current(self) -> InstanceRow | None:
        row = self.view.current
        if row is None:
            self.notify(hints.NO_ITEM, severity="warning")
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

    @work(thread=True, group="checklist-ask", description="Refused", exit_on_error=False)
    def _ask_if_allowed(self, verb: str, instance_id: int, ask: Any) -> None:
        service = self.app.service
        if service is None:
            return
        reason = service.refusal(verb, instance_id)
        if reason:
            raise Refused(reason)
        self.app.call_from_thread(ask)

    def selection_changed(self) -> None:
        self._show_header()

    def action_toggle_done(self) -> None:
        current = self.view.current
        verb = (
            rules.toggle_done_verb_on(current.state, current.lapsed)
            if current
            else rules.toggle_done_verb("")
        )
        if self.on_selection(verb):
            return
        row = self._current()
        if row is None:
            return
        if rules.asks_evidence(verb, row.state, row.evidence_required, row.evidence):
            self._ask(
                f"{row.title}: evidence (a link, ticket id or path)",
                lambda text: self.run_verb(verb, row, evidence=text),
                verb=verb,
                row=row,
            )
        else:
            self.run_verb(verb, row)

    def action_signoff(self) -> None:
        if self.on_selection(rules.Verb.SIGNOFF):
            return
        row = self._current()
        if row is not None:
            self.run_verb("signoff", row)

    def action_reject(self) -> None:
        if self.on_selection(rules.Verb.REJECT, "What is missing? (they go back to to-do)"):
            return
        row = self._current()
        if row is not None:
            self._ask(
                f"{row.title}: what is missing? (it goes back to to-do)",
                lambda text: self.run_verb("reject", row, reason=text),
                verb="reject",
                row=row,
            )

    def _score(self, text: str, scale: int | None, known: bool = True) -> dict[str, Any] | None:
        """The score typed, as assess takes it; not a number: said, None."""
        if not text.strip().isdigit():
            self.notify(hints.bad_score(scale, known=known), severity="error")
            return None
        return {"score": int(text.strip())}

    def _selected_scale(self) -> int | None:
        """The scale the selected assessments share (of those loaded), or None."""
        selected = self.view.selected
        scales = {
            r.scale or rules.DEFAULT_SCALE
            for r in self.view.rows.values()
            if r.id in selected and rules.is_assessment(r.kind)
        }
        return scales.pop() if len(scales) == 1 else None

    def action_assess(self) -> None:
        # a selection: one score for each (a group's teach-back scored alike); each is
        # judged by its own pass mark, and one the actor may not assess is refused
        scale = self._selected_scale()
        if self.on_selection(
            rules.Verb.ASSESS,
            f"Score{f' 1..{scale}' if scale else ''} for each selected item "
            "(each is judged by its own pass mark)",
            lambda text: self._score(text, scale, known=scale is not None),
        ):
            return
        row = self._current()
        if row is None:
            return
        top = row.scale or rules.DEFAULT_SCALE

        def scored(text: str) -> None:
            score = self._score(text, row.scale)
            if score is not None:
                self.run_verb("assess", row, **score)

        self._ask(
            f"{row.title}: score 1..{top} (pass {row.pass_score})",
            scored,
            verb="assess",
            row=row,
        )

    def action_reopen(self) -> None:
        if self.on_selection(rules.Verb.REOPEN):
            return
        row = self._current()
        if row is not None:
            self.run_verb("reopen", row)

    def action_na(self) -> None:
        if self.on_selection(rules.Verb.NA, "Why do the selected items not apply?"):
            return
        row = self._current()
        if row is not None:
            self._ask(
                f"{row.title}: why does it not apply?",
                lambda text: self.run_verb("na", row, reason=text),
                verb="na",
                row=row,
            )

    def action_block(self) -> None:
        current = self.view.current
        verb = rules.toggle_block_verb(current.state if current else "")
        if self.on_selection(
            verb, "What do the selected items wait on?" if verb == "block" else None
        ):
            return
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
        if self.on_selection(rules.Verb.EVIDENCE, "Evidence for the selected items"):
            return
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
        if self.on_selection(rules.Verb.NOTE, "Note for the selected items"):
            return
        row = self._current()
        if row is not None:
            self._ask(
                f"{row.title}: note",
                lambda text: self.run_verb("note", row, text=text),
                row.note or "",
                verb="note",
                row=row,
            )

    @work(thread=True, group="checklist-act", description="Refused", exit_on_error=False)
    def run_verb(self, verb: str, row: InstanceRow, **kw: Any) -> None:
        service = self.app.service
        if service is None:
            return
        try:
            outcome = service.act(
                verb, row.id, expect_version=row.version, show=self._figures_scope(), **kw
            )
        except Refused:
            service.refresh_actor()  # a sync may have changed our rights since we opened
            raise
        shown = outcome.shown  # the row and the header's figures, as this write left them
        self.post_message(
            self.ActDone(
                self,
                verb,
                outcome.before,
                outcome.after,
                outcome.event_id,
                shown.row,
                shown.figures,
            )
        )

    @on(ActDone)
    def _act_done(self, message: ActDone) -> None:
        self.app.own_write(message.event_id)
        if message.row is not None:
            self.view.replace_row(message.row)
        if self._loaded != self.generation or self.view.pending:
            # a listing read before this write is on its way and would put the old row
            # back: read it again
            self.reload_data()
        if message.event_id > self._figures_event:  # verbs may answer out of order
            self._figures_event = message.event_id
            self.figures = message.figures
            self._show_header()
        what = printable(message.row.title) if message.row else "item"
        change = (
            f"{message.before} -> {message.after}"
            if message.before != message.after
            else f"{message.verb} saved"
        )
        self.notify(f"{what}: {change}", markup=False)

    # -- filter and navigation -------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.remove_class("-hidden")
        box.focus()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        service = self.app.service
        try:  # parsing only, no store: a bad filter keeps the box open
            if service is not None:
                service.validate_filter(text)
        except KtError as exc:
            self.notify(printable(str(exc)), title="Filter", severity="error", markup=False)
            return
        self.filter_text = text
        if not self.filter_text:
            event.input.add_class("-hidden")
        self.view.cursor = 0
        self.view.focus()
        self.load()

    def action_back(self) -> None:
        box = self.query_one("#filter", Input)
        if box.has_focus:
            box.value = self.filter_text  # what was typed and not applied goes
            if not self.filter_text:
                box.add_class("-hidden")
            self.view.focus()
            return
        self.app.back_from(self)
