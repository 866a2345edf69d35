"""`kt-tui demo`: the bundled sample mid-way, with weeks of history, in the terminal app.

Without a named store the demo lives in a new temporary store, removed when the
app closes; with --db (or KT_DB, its env form, as for every command) it is built
in that store, which must be new or empty, and kept (open it again with
`kt-tui --db PATH`). A store that holds a handover is refused, nothing written,
and so is a database URL that only KT_DB names (a team's shared store, empty
yet): a demo never lands in the store a team works in.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kt_tui.cli_context import common_options, current, has_terminal

if TYPE_CHECKING:
    from kt_tui.core.clock import Clock
    from kt_tui.core.demo import DemoResult


@click.command()
@common_options
@click.option(
    "--no-open",
    is_flag=True,
    help="Build the demo store (needs --db or KT_DB) and exit, without the app.",
)
def demo(no_open: bool) -> None:
    """Open the bundled sample mid-way, with eight weeks of history (a temporary store,
    or the new or empty store --db or KT_DB names, which is kept)."""
    from kt_tui.core.errors import BadInput, Refused

    obj = current()
    named = obj.named_store
    if no_open and named is None:
        raise BadInput(
            "demo --no-open keeps nothing without --db PATH (or KT_DB): name the store to build"
        )
    if not no_open and not has_terminal():
        raise BadInput(
            "no terminal for the app: `kt-tui --db PATH demo --no-open` builds the store"
        )
    scratch = None if named else Path(tempfile.mkdtemp(prefix="kt-tui-demo-"))
    db = named if scratch is None else str(scratch / "demo.db")
    assert db is not None
    from_env = scratch is None and obj.db is None  # KT_DB names it
    if from_env:
        from kt_tui.core.store import resolve_url, safe_url

        if not resolve_url(db).startswith("sqlite"):
            # a team's KT_DB names its shared database: eight weeks of invented history
            # must not land there because it happened to be empty yet
            raise Refused(
                f"KT_DB names a database ({safe_url(resolve_url(db))}): a demo goes into a "
                "database only when --db names it; unset KT_DB for a temporary demo"
            )
    try:
        try:
            result = _build(db, obj.get_clock())
        except Refused as exc:
            if not from_env:
                raise
            raise Refused(
                f"{exc} (KT_DB names that store: unset it for a temporary demo)"
            ) from None
        if no_open:
            from kt_tui.core.store import resolve_url, safe_url

            shown = safe_url(resolve_url(db))  # never a password on the screen
            again = "kt-tui" if from_env else f"kt-tui --db {shown}"
            click.echo(
                f"demo: the bundled sample with {result.actions} actions since "
                f"{result.first_day.isoformat()} in {shown}; open it with `{again}`"
            )
            return
        from kt_tui.tui.app import run_app

        run_app(db, obj.as_)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _build(db: str, clock: Clock) -> DemoResult:
    from kt_tui.core.service import fill_demo
    from kt_tui.core.store import open_store

    store = open_store(db)
    try:
        return fill_demo(store, clock)
    finally:
        store.dispose()
