"""Command palette: go to a member or system, the queue, sessions, sync, export."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from kt_tui.present import printable

if TYPE_CHECKING:
    from kt_tui.tui.app import KtApp


class KtCommands(Provider):
    """What fits now: the members and systems of the loaded handover, and the app's tools."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app: KtApp = self.app  # type: ignore[assignment]
        out: list[tuple[str, Callable[[], object], str]] = []
        status = app.status
        if status is not None:
            for m in status.members:
                out.append(
                    (
                        f"Go to member {m.handle} ({printable(m.name)})",
                        partial(app.open_checklist, member=m.handle),
                        f"{m.role}: the checklist of {printable(m.name)}",
                    )
                )
            for s in status.systems:
                out.append(
                    (
                        f"Go to system {s.key} ({printable(s.name)})",
                        partial(app.open_checklist, system=s.key),
                        f"tier {s.tier}: the checklist of {printable(s.name)}",
                    )
                )
        out += [
            (
                "Every item",
                app.open_checklist,
                "one checklist of every item of the handover (filter with /)",
            ),
            ("Sign-off queue", app.action_queue, "done items awaiting your sign-off"),
            ("Training sessions", app.action_sessions, "sessions, trainers and attendance"),
            ("Sync folder…", app.ask_sync_folder, "sync a handover folder of TOML files"),
            ("Export the readiness summary", app.action_export, "write a markdown summary"),
        ]
        if app.service is not None and status is None:  # only into an empty store
            out.append(
                (
                    "Sync the bundled sample",
                    partial(app.plan_sync, None),
                    "fill this empty store with the sample handover (shows the plan first)",
                )
            )
        return out

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(Text(name), callback, text=name, help=escape(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(escape(name)),
                    callback,
                    text=name,
                    help=escape(help_text),
                )
