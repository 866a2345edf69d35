"""The command line's context: the global options, and the one service a command uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from kt_tui.core.clock import Clock
    from kt_tui.core.service import Service

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Context:
    db: str | None = None
    as_: str | None = None
    clock: Clock | None = None
    _service: Service | None = field(default=None, repr=False)

    def service(self, create: bool = False) -> Service:
        """The facade over the store, as the actor; only sync and restore create a store."""
        if self._service is None:
            from kt_tui.core.service import open_service

            opened = open_service(
                self.db, self.as_, self.get_clock(), create=create, fill_sample=False
            )
            self._service = opened.service
        return self._service

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
    click.echo(message, err=True)
