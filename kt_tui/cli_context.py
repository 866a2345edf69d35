"""The command line's context: the global options, and the one service a command uses."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from kt_tui.core.actions import Outcome
    from kt_tui.core.clock import Clock
    from kt_tui.core.service import Service

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Context:
    db: str | None = None  # --db as given; the store is ``named_store``
    as_: str | None = None
    clock: Clock | None = None
    read_only: bool = False
    _service: Service | None = field(default=None, repr=False)
    _told: bool = field(default=False, repr=False)  # who acts was said on stderr

    @property
    def named_store(self) -> str | None:
        """The store the user named: --db, else KT_DB; None for the default file. The one
        resolution every command and the app use (DESIGN: KT_DB is --db's env form)."""
        from kt_tui.core.store import named_store

        return named_store(self.db)

    def service(self, create: bool = False, in_memory: bool = False) -> Service:
        """The facade over the store, as the actor; only sync and restore create a store.

        ``in_memory``: an empty store that lives in memory (a dry run where there is none).
        """
        if self._service is None:
            from kt_tui.core.service import open_service

            db = "sqlite://" if in_memory else self.named_store
            opened = open_service(
                db,
                self.as_,
                self.get_clock(),
                create=create,
                fill_sample=False,
                read_only=self.read_only,
            )
            self._service = opened.service
            if opened.service.actor.typed_unknown:  # a typo in --as: every command says so
                self.tell_actor()
        return self._service

    def tell_actor(self) -> None:
        """Say on stderr, once, who acts where it is not who was named: --as or KT_USER
        that names nobody in the roster ("did you mean ben?"), or an outsider acting as
        the bundled sample's lead (the verbs say that even for the login name)."""
        actor = self.service().actor
        if not self._told and not actor.view_only:
            self._told = True
            err(f"kt-tui: {actor.describe()}")

    def store_missing(self) -> bool:
        """The store is a SQLite file that does not exist (yet)."""
        from kt_tui.core.store import resolve_url, sqlite_path

        path = sqlite_path(resolve_url(self.named_store))
        return path is not None and not path.exists()

    def sqlite_file(self) -> Path:
        """The store's file, for backup and restore (BadInput on PostgreSQL)."""
        from kt_tui.core.errors import BadInput
        from kt_tui.core.store import resolve_url, sqlite_path

        path = sqlite_path(resolve_url(self.named_store))
        if path is None:
            raise BadInput("backup and restore work on SQLite stores; use pg_dump for PostgreSQL")
        return path

    def get_clock(self) -> Clock:
        if self.clock is None:
            from kt_tui.core.clock import SYSTEM_CLOCK

            self.clock = SYSTEM_CLOCK
        return self.clock

    def close(self) -> None:
        if self._service is not None:
            self._service.store.dispose()
            self._service = None


def common_options(f: F) -> F:
    """--db and --as on every command as well as before it."""

    def set_db(ctx: click.Context, _p: click.Parameter, value: str | None) -> None:
        if value:
            ctx.ensure_object(Context).db = value

    def set_as(ctx: click.Context, _p: click.Parameter, value: str | None) -> None:
        if value:
            ctx.ensure_object(Context).as_ = value

    f = click.option(
        "--db",
        metavar="PATH|URL",
        expose_value=False,
        callback=set_db,
        help="The store: a SQLite path or an SQLAlchemy URL (env KT_DB).",
    )(f)
    f = click.option(
        "--as",
        "as_",
        metavar="HANDLE",
        expose_value=False,
        callback=set_as,
        help="Act as this roster member (env KT_USER).",
    )(f)
    return f


def current() -> Context:
    return click.get_current_context().ensure_object(Context)


def err(message: str) -> None:
    """One message on stderr, its control characters escaped: a message may quote a
    file's keys or a user's text (a template key holding an escape sequence)."""
    from kt_tui.present import printable

    click.echo(printable(message), err=True)


def store_failure(obj: Context, exc: Exception) -> Exception | None:
    """What an error from the database or the disk means, as a StoreError (exit 2).

    None for anything else (a bug). An unexpected error on a SQLite store whose
    pages fail ``quick_check`` is reported as a damaged store too.
    """
    import sqlite3

    from kt_tui.core.store import failure, quick_check, resolve_url, safe_url, sqlite_path

    url = resolve_url(obj.named_store)
    path = sqlite_path(url)
    kind = type(exc).__module__.split(".")[0]
    if isinstance(exc, OSError | sqlite3.Error) or kind == "sqlalchemy":
        return failure(safe_url(url), exc, path)
    if path is not None and path.exists():
        damage = quick_check(path)
        if damage is not None:
            return failure(safe_url(url), sqlite3.DatabaseError(damage), path)
    return None


def change_words(verb: str, out: Outcome, score: int | None = None) -> str:
    """What one verb did to one item, after its label: "todo -> done", "signed as
    provider-lead; waiting for client-lead", "score 2 is below the pass mark: stays
    done", "set" (a note); the single verb and the bulk run say the same."""
    from kt_tui.core.rules import State, Verb

    moved = f"{out.before} -> {out.after}"
    if verb == Verb.ASSESS:
        if out.after == State.SIGNED_OFF:
            return f"score {score} passes: {moved}"
        kept = moved if out.before != out.after else f"stays {out.after}"
        return f"score {score} is below the pass mark: {kept}"
    if out.party and out.missing:
        return f"signed as {out.party}; waiting for {', '.join(out.missing)}"
    return moved if out.before != out.after else "set"


def quiet_stdout() -> None:
    """Point stdout at /dev/null (its reader left) so that Python's exit flush raises
    nothing more."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def echo_out(line: str) -> None:
    """A line on stdout that outlives its reader (`| head`): a bulk run goes on to say
    its refusals on stderr and exits 1 for them, which a broken pipe hid (exit 0)."""
    try:
        click.echo(line)
    except BrokenPipeError:
        quiet_stdout()


def has_terminal() -> bool:
    """A terminal for the app: input and output both (the TUI draws on stdout)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def can_answer() -> bool:
    """A person who can answer a question: input from a terminal, and the question
    asked on stderr, so that stdout may be a pipe (``... --where X | tee log`` asks
    too: keyed on stdout, it applied the change the person had declined)."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def console() -> Any:
    """A Rich console for command output: full width to a pipe or file (never cut to 80
    columns), the terminal's width in a terminal; NO_COLOR (no-color.org) is honoured."""
    import shutil
    import sys

    from rich.console import Console

    class Output(Console):
        def on_broken_pipe(self) -> None:
            # the reader left (`| head`): Rich exits 1, the code of a refusal; the
            # command line's own handler (KtGroup) quiets stdout and exits 0
            self.quiet = True
            raise BrokenPipeError

    if sys.stdout.isatty():
        return Output()
    # no terminal: as wide as the longest line needs, capped so a table never wraps
    return Output(width=max(shutil.get_terminal_size((10_000, 24)).columns, 10_000))
