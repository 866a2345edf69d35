"""`kt-tui demo`: the bundled sample mid-way, with weeks of history, in the terminal app.

Without --db the demo lives in a new temporary store, removed when the app
closes; with --db it is built in that store, which must be new or empty, and
kept (open it again with `kt-tui --db PATH`). KT_DB is not used: a demo never
lands in the store a team works in.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kt_tui.cli_context import common_options, current

if TYPE_CHECKING:
    from kt_tui.core.clock import Clock
    from kt_tui.core.demo import DemoResult


@click.command()
@common_options
@click.option(
    "--no-open", is_flag=True, help="Build the demo store (needs --db) and exit, without the app."
)
def demo(no_open: bool) -> None:
    """Open the bundled sample mid-way, with eight weeks of history (a temporary store,
    or the new or empty store --db names, which is kept)."""
    from kt_tui.core.errors import BadInput

    obj = current()
    if no_open and obj.db is None:
        raise BadInput("demo --no-open keeps nothing without --db PATH: name the store to build")
    if not no_open and not _has_terminal():
        raise BadInput(
            "no terminal for the app: `kt-tui --db PATH demo --no-open` builds the store"
        )
    scratch = None if obj.db else Path(tempfile.mkdtemp(prefix="kt-tui-demo-"))
    db = obj.db if scratch is None else str(scratch / "demo.db")
    assert db is not None
    try:
        result = _build(db, obj.get_clock())
        if no_open:
            click.echo(
                f"demo: the bundled sample with {result.actions} actions since "
                f"{result.first_day.isoformat()} in {db}; open it with `kt-tui --db {db}`"
            )
            return
        from kt_tui.tui.app import run_app

        run_app(db, obj.as_)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _has_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _build(db: str, clock: Clock) -> DemoResult:
    from kt_tui.core.service import fill_demo
    from kt_tui.core.store import open_store

    store = open_store(db)
    try:
        return fill_demo(store, clock)
    finally:
        store.dispose()
