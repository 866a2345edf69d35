"""A checklist's selection: v selects the highlighted item, a every item listed; the
verb keys then apply to the selection (one confirmation, one reason for all).

The loop is Service.bulk, the same the command line's ``--where`` runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.binding import Binding

from kt_tui.core import rules
from kt_tui.tui.messages import NodeMessage
from kt_tui.tui.screens.base import DataScreen
from kt_tui.tui.screens.confirm import ConfirmScreen
from kt_tui.tui.screens.prompt import PromptScreen
from kt_tui.tui.widgets.checklist_view import ChecklistView

if TYPE_CHECKING:
    from kt_tui.core.service import Refusals, Scope


def selection_question(verb: str, n: int) -> str:
    """ "Mark the 2 selected items not applicable?": the verb in words (its command
    name, "na", is the command line's)."""
    said = rules.verb_words(verb, "the selected item" if n == 1 else f"the {n} selected items")
    return f"{said[:1].upper()}{said[1:]}?"


class SelectableChecklist(DataScreen):
    """The selection half of the checklist screen (ChecklistScreen derives from it)."""

    BINDINGS = [
        Binding(
            "v",
            "toggle_select",
            "Select",
            id="checklist.select",
            show=False,
            tooltip="Select the item, or take it out; the verbs then apply to the selection",
        ),
        Binding(
            "a",
            "select_all",
            "Select all/none",
            id="checklist.select_all",
            show=False,
            tooltip="Select every item listed (the filter's), or none",
        ),
    ]

    scope: Scope
    filter_text: str

    @dataclass
    class AllIds(NodeMessage):
        ids: list[int]

    @dataclass
    class BulkDone(NodeMessage):
        verb: str
        applied: int
        refused: Refusals  # BulkResult.grouped_refusals

    def load(self, keep_cursor: bool = False) -> None:  # the checklist's own
        raise NotImplementedError

    def selection_changed(self) -> None:
        """The header shows the count (the checklist's own)."""

    @property
    def selected(self) -> set[int]:
        return self.query_one(ChecklistView).selected

    def action_toggle_select(self) -> None:
        self.query_one(ChecklistView).toggle_selected()
        self.selection_changed()

    def action_select_all(self) -> None:
        if self.selected:
            self.query_one(ChecklistView).set_selected(set())
            self.selection_changed()
        else:
            self._all_ids(self.filter_text)

    @work(thread=True, exclusive=True, group="checklist-select", exit_on_error=False,
          description="Cannot load")  # fmt: skip
    def _all_ids(self, filter_text: str) -> None:
        service = self.app.service
        if service is not None:
            self.post_message(self.AllIds(self, service.ids(self.scope, filter_text)))

    @on(AllIds)
    def _all_ids_ready(self, message: AllIds) -> None:
        self.query_one(ChecklistView).set_selected(set(message.ids))
        self.selection_changed()

    def on_selection(
        self,
        verb: str,
        question: str | None = None,
        answer: Callable[[str], dict[str, Any] | None] | None = None,
    ) -> bool:
        """Apply ``verb`` to the selection, if there is one (False: there is none).

        Asks first (the count); then, for a verb that needs text (a reason, a note,
        evidence, a score), ``question`` once for every selected item. ``answer`` turns
        the text typed into the verb's options (None: not usable, the user was told);
        by default it is the reason or the text."""
        ids = sorted(self.selected)
        if not ids:
            return False
        n = len(ids)

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            if question is None:
                self.run_bulk(verb, ids)
                return
            key = "reason" if verb in rules.REASON_VERBS else "text"

            def answered(text: str | None) -> None:
                options = (answer or (lambda typed: {key: typed}))(text) if text else None
                if options is not None:
                    self.run_bulk(verb, ids, **options)

            self.app.push_screen(PromptScreen(question), answered)

        self.app.push_screen(ConfirmScreen(selection_question(verb, n)), confirmed)
        return True

    @work(thread=True, group="checklist-act", description="Refused", exit_on_error=False)
    def run_bulk(self, verb: str, ids: list[int], **kw: Any) -> None:
        service = self.app.service
        if service is None:
            return
        # one score for many: Service.bulk lists an item whose scale it does not fit
        result = service.bulk(verb, ids, **kw)
        if result.refused:
            service.refresh_actor()  # a sync may have changed our rights since we opened
        self.post_message(self.BulkDone(self, verb, len(result.done), result.grouped_refusals()))

    @on(BulkDone)
    def _bulk_done(self, message: BulkDone) -> None:
        n = message.applied
        done = f"{message.verb}: {n} item{'s' if n != 1 else ''} changed"
        self.show_refusals(message.refused, done)
        self.query_one(ChecklistView).set_selected(set())
        self.selection_changed()
        self.app.show_actor()
        self.load(keep_cursor=True)
