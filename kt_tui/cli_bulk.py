"""The command line's bulk form of every verb (``--where FILTER``) and attendance.

One shared option pair (--where, --yes); the loop itself is Service.bulk, which
the TUI calls too. Exit codes: 0 when nothing was refused, 1 when something was,
2 (BadInput) when the filter is malformed or matches nothing.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from kt_tui.cli_context import F, can_answer, change_words, current, echo_out, err
from kt_tui.core.errors import BadInput

if TYPE_CHECKING:
    from kt_tui.core.instances import InstanceRow
    from kt_tui.core.service import BulkResult

BULK_HELP = (
    "\n\nWith --where FILTER (as `list` takes it) instead of REF, applies it to every "
    "matching item, one event each, and lists those refused; in a terminal it asks "
    "first, unless --yes."
)


def bulk_options(f: F) -> F:
    """--where FILTER and --yes, shared by every verb."""
    f = click.option(
        "--yes", "-y", is_flag=True, help="With --where: do not ask for confirmation."
    )(f)
    f = click.option(
        "--where",
        metavar="FILTER",
        help="Every item this filter picks (e.g. 'state:todo system:orders').",
    )(f)
    return f


def run_bulk(verb: str, where: str, yes: bool, **texts: Any) -> None:
    obj = current()
    service = obj.service()
    if service.actor.stand_in:
        obj.tell_actor()
    rows = service.matching(where)
    if not yes and can_answer():
        question = f"{verb}: {len(rows)} item(s) match {where!r}; apply?"
        click.confirm(question, abort=True, err=True)
    elif not yes and sys.stdin.isatty():  # a person typed it, but stderr goes elsewhere
        raise BadInput(
            f"{verb} --where {where!r} would change {len(rows)} item(s) and asks first, "
            "but stderr is not the terminal, so the question could not be seen: add --yes"
        )
    report(verb, service.bulk(verb, [r.id for r in rows], **texts), rows, texts.get("score"))


def report(
    verb: str, result: BulkResult, rows: list[InstanceRow], score: int | None = None
) -> None:
    """One line per change on stdout; on stderr the refusals, each reason once with
    the items it refused below it (one alone on one line); exit 1 when any."""
    from kt_tui.present import printable

    label = {r.id: r.label for r in rows}
    for out in result.done:
        shown = label.get(out.instance_id, out.ref)
        echo_out(printable(f"{verb}: {shown}: {change_words(verb, out, score)}"))
    for why, items in result.grouped_refusals():
        if len(items) == 1:  # as a single verb says it
            shown, own = items[0]
            err(
                printable(
                    f"refused: {own}" if own.startswith(shown) else f"refused: {shown}: {own}"
                )
            )
            continue
        err(printable(f"refused, {len(items)} items: {why}"))
        for shown, _own in items:
            err(printable(f"  {shown}"))
    echo_out(f"{verb}: {len(result.done)} applied, {len(result.refused)} refused")
    if result.refused:
        sys.exit(1)
