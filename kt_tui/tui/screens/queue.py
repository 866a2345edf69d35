"""The sign-off queue: done items a lead may sign; select several, sign them at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static
from textual.widgets.selection_list import Selection

from kt_tui.core import rules
from kt_tui.core.sorting import DEFAULT_SORT, SORT_KEYS, Sort, next_key
from kt_tui.present import printable
from kt_tui.tui import hints
from kt_tui.tui.messages import NodeMessage
from kt_tui.tui.screens.base import DataScreen
from kt_tui.tui.screens.confirm import ConfirmScreen
from kt_tui.tui.screens.prompt import PromptScreen
from kt_tui.tui.widgets.item_detail import item_detail_text
from kt_tui.tui.widgets.phrases import PhraseHeader
from kt_tui.tui.widgets.queue_list import QueueList
from kt_tui.tui.widgets.sortable_table import arrow

if TYPE_CHECKING:
    from kt_tui.core.instances import InstanceRow
    from kt_tui.core.service import BulkResult, Refusals

# what o steps through: what a row shows (core/sorting.py's keys), the default first
QUEUE_SORTS = ("template", "member", "title", "done_by", "evidence", "due")


class QueueScreen(DataScreen):
    CSS_PATH = "queue.tcss"
    BINDINGS = [
        Binding("a", "toggle_all", "All/none", id="queue.all", tooltip="Select all, or none"),
        Binding(
            "s,enter",
            "sign",
            "Sign off",
            id="queue.sign",
            tooltip="The selected items, or the highlighted one; asks first",
        ),
        Binding(
            "R",
            "reject",
            "Reject",
            id="queue.reject",
            tooltip="Send back the selected items, or the highlighted one; asks why",
        ),
        Binding("A", "assess", "Assess", id="queue.assess", tooltip="Score the highlighted item"),
        Binding("o", "sort_next", "Sort", id="queue.sort", tooltip="Sort by the next key"),
        Binding(
            "O",
            "sort_reverse",
            "Reverse order",
            id="queue.sort_reverse",
            show=False,
            tooltip="Reverse the order: descending, or ascending again",
        ),
        Binding("escape", "back", "Back", id="queue.back", tooltip="Back to the dashboard"),
        Binding("q", "app.leave", "Quit", id="queue.quit", show=False, tooltip="Quit kt-tui"),
    ]

    @dataclass
    class Ready(NodeMessage):
        rows: list[InstanceRow]
        marker: int  # the store's last event when the read began
        sorted: bool = False  # the rows in a new order: say which

    @dataclass
    class Signed(NodeMessage):
        signed: list[int]
        refused: Refusals  # BulkResult.grouped_refusals
        verb: str = "signoff"

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[InstanceRow] = []
        self.sort: Sort = DEFAULT_SORT
        self._shown = -1  # the marker of what is shown: an older read never replaces it

    def compose(self) -> ComposeResult:
        yield PhraseHeader("Sign-off queue", id="queue-header", classes="header")
        yield QueueList(id="queue")
        # focusable (tab) and scrollable: a long detail is read to its end at 80x24 too
        with VerticalScroll(id="queue-detail-pane"):
            yield Static(id="queue-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(QueueList).focus()
        self.load()

    def reload_data(self) -> None:
        self.load()

    @work(
        thread=True, exclusive=True, group="queue", description="Cannot load", exit_on_error=False
    )
    def load(self, sorted: bool = False) -> None:
        service = self.app.service
        if service is not None:
            marker = service.change_marker()
            rows = service.queue(sort=self.sort.text)
            self.post_message(self.Ready(self, rows, marker, sorted))

    def action_sort_next(self) -> None:
        """o: the next of QUEUE_SORTS, ascending; the queue is read again in that order."""
        self.sort = Sort(next_key(QUEUE_SORTS, self.sort.key))
        self.load(sorted=True)

    def action_sort_reverse(self) -> None:
        """O: the same key, the other way."""
        self.sort = self.sort.reversed()
        self.load(sorted=True)

    @on(Ready)
    def _ready(self, message: Ready) -> None:
        if message.marker < self._shown:
            return  # read before a sign-off already shown: it would bring the item back
        self._shown = message.marker
        service = self.app.service
        self.rows = message.rows
        listing = self.query_one(QueueList)
        keep = set(listing.selected)
        listing.clear_options()
        for r in self.rows:
            # what a signer decides on first (for whom, the evidence), so that a narrow
            # terminal cuts the rest, not these; the detail pane shows it all
            label = Text(no_wrap=True, overflow="ellipsis")
            where = "@".join(p for p in (r.member, r.system) if p) or "handover"
            label.append(printable(where), style="bold")
            label.append(f"  evidence: {printable(r.evidence)}" if r.evidence else "  no evidence")
            label.append(printable(f"  {r.title}"), style="bold")
            label.append(printable(f"  {r.ref}  done by {r.done_by}"))
            if r.signing:
                label.append(printable(f"  {r.signing}"), style="italic")
            listing.add_option(Selection(label, r.id, r.id in keep))
        phrases: list[Text | str] = [Text("Sign-off queue", style="bold")]
        if service is not None and service.actor.read_only:
            phrases.append("read-only: nothing to sign")
        else:
            count = f"{len(self.rows)} awaiting your sign-off"
            if self.sort != DEFAULT_SORT:  # the checklist's order needs no saying
                count += f", by {SORT_KEYS[self.sort.key]} {arrow(self.sort.descending)}"
            phrases += [count, "s: sign off", "R: reject", "A: assess"]
            phrases.append("(space or v: select, a: all)")
        self.query_one("#queue-header", PhraseHeader).show([phrases])
        if listing.highlighted is None and self.rows:
            listing.highlighted = 0
        self._show_detail(listing.highlighted)
        if message.sorted:
            self.notify(f"sorted by {self.sort.label}")
        self.shown("queue")

    @on(QueueList.SelectionHighlighted)
    def _highlighted(self, event: QueueList.SelectionHighlighted) -> None:
        self._show_detail(event.selection_index)

    def _show_detail(self, index: int | None) -> None:
        """The highlighted item's detail (what it is, its evidence, who signed), in view."""
        pane = self.query_one("#queue-detail", Static)
        if not self.rows:
            service = self.app.service
            read_only = service is not None and service.actor.read_only
            pane.update("" if read_only else hints.NOTHING_TO_SIGN)
            return
        if index is None or not 0 <= index < len(self.rows):
            pane.update("")
            return
        pane.update(item_detail_text(self.app.current_theme, self.rows[index], None))

    def action_toggle_all(self) -> None:
        listing = self.query_one(QueueList)
        if len(listing.selected) == listing.option_count:
            listing.deselect_all()
        else:
            listing.select_all()

    def _chosen(self) -> list[int]:
        """The selected items, or else the highlighted one (as the checklist's verbs)."""
        listing = self.query_one(QueueList)
        if listing.selected:
            return list(listing.selected)
        index = listing.highlighted
        return [self.rows[index].id] if index is not None and 0 <= index < len(self.rows) else []

    def _named(self, ids: list[int]) -> str:
        """The items a question is about: the one by its label, many by their count."""
        if len(ids) == 1:
            return next((r.label for r in self.rows if r.id == ids[0]), "1 item")
        return f"{len(ids)} items"

    def action_sign(self) -> None:
        ids = self._chosen()
        if not ids:
            self.notify(hints.NOTHING_TO_SIGN, severity="warning")
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.sign(ids)

        self.app.push_screen(ConfirmScreen(f"Sign off {self._named(ids)}?"), confirmed)

    def action_reject(self) -> None:
        ids = self._chosen()
        if not ids:
            self.notify(hints.NOTHING_TO_SIGN, severity="warning")
            return

        def answered(reason: str | None) -> None:
            if reason and reason.strip():
                self.reject(ids, reason)

        question = f"Send {self._named(ids)} back to to-do: what is missing?"
        self.app.push_screen(PromptScreen(question), answered)

    def action_assess(self) -> None:
        """The highlighted assessment, or one score for every selected item (a group's
        teach-back scored alike): each is judged by its own pass mark, and one that is
        not an assessment, or whose scale the score does not fit, is listed refused."""
        chosen = set(self._chosen())
        rows = [r for r in self.rows if r.id in chosen]
        if not rows:
            self.notify(hints.NO_ITEM, severity="warning")
            return
        row = rows[0]
        if len(rows) == 1 and not rules.is_assessment(row.kind):
            self.notify(
                hints.not_assessment(printable(row.title)), severity="warning", markup=False
            )
            return
        scales = {r.scale or rules.DEFAULT_SCALE for r in rows if rules.is_assessment(r.kind)}
        top = max(scales, default=rules.DEFAULT_SCALE)

        def answered(text: str | None) -> None:
            if text is None:
                return
            if not text.strip().isdigit():
                self.notify(hints.bad_score(top, known=len(scales) == 1), severity="error")
                return
            self.assess([r.id for r in rows], int(text.strip()))

        if len(rows) == 1:
            question = f"{row.title} ({row.member}): score 1..{top} (pass {row.pass_score})"
        else:
            question = (
                f"Score 1..{top} for each of the {len(rows)} selected items "
                "(each is judged by its own pass mark)"
            )
        self.app.push_screen(PromptScreen(question), answered)

    @work(
        thread=True, exclusive=True, group="queue-sign", description="Refused", exit_on_error=False
    )
    def assess(self, ids: list[int], score: int) -> None:
        service = self.app.service
        if service is None:
            return
        self._told(service.bulk(rules.Verb.ASSESS, ids, score=score), "assess")

    @work(
        thread=True, exclusive=True, group="queue-sign", description="Refused", exit_on_error=False
    )
    def reject(self, ids: list[int], reason: str) -> None:
        service = self.app.service
        if service is None:
            return
        self._told(service.reject(ids, reason), "reject")

    @work(
        thread=True, exclusive=True, group="queue-sign", description="Refused", exit_on_error=False
    )
    def sign(self, ids: list[int]) -> None:
        service = self.app.service
        if service is None:
            return
        self._told(service.sign_off(ids), "signoff")

    def _told(self, result: BulkResult, verb: str) -> None:
        """From a worker: what a verb over the selection did, for _signed to say (the
        next poll reloads, and this screen reloads now)."""
        service = self.app.service
        if result.refused and service is not None:
            service.refresh_actor()  # a sync may have changed our rights since we opened
        done = [o.instance_id for o in result.done]
        self.post_message(self.Signed(self, done, result.grouped_refusals(), verb))

    @on(Signed)
    def _signed(self, message: Signed) -> None:
        n = len(message.signed)
        if n:
            done = {"reject": "sent back", "assess": "assessed"}.get(message.verb, "signed")
            self.notify(f"{done} {n} item{'s' if n != 1 else ''}")
        self.show_refusals(message.refused)
        self.app.show_actor()
        self.query_one(QueueList).deselect_all()
        self.load()
