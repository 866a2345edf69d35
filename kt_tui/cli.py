"""The command line. Heavy imports (SQLModel, Textual) happen inside commands."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from kt_tui.cli_context import Context, common_options, current, err

# --- the group ----------------------------------------------------------------


class KtGroup(click.Group):
    """Maps the core's errors to exit codes: 1 refused, 2 bad input, one line each."""

    def invoke(self, ctx: click.Context) -> Any:
        from kt_tui.core.errors import KtError, ValidationFailed

        try:
            return super().invoke(ctx)
        except ValidationFailed as exc:
            for problem in exc.problems:
                err(str(problem))
            n = len(exc.problems)
            err(f"{n} problem{'s' if n != 1 else ''}: nothing written")
            ctx.exit(exc.exit_code)
        except KtError as exc:
            err(f"kt-tui: {exc}")
            ctx.exit(exc.exit_code)


@click.group(
    cls=KtGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@common_options
@click.version_option(package_name="kt-tui", prog_name="kt-tui")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """kt-tui: how ready is each person and each system to be handed over?

    With no command, opens the terminal app (on an empty default store it
    first syncs the bundled sample).
    """
    obj = ctx.ensure_object(Context)
    ctx.call_on_close(obj.close)
    if ctx.invoked_subcommand is None:
        _open_app(obj)


def _open_app(obj: Context) -> None:
    """The TUI; it opens the store after its first frame and syncs the sample into an empty one."""
    from kt_tui.tui.app import run_app

    run_app(obj.db, obj.as_)


# --- init / sync ----------------------------------------------------------------


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Write a new handover folder DIRECTORY: a copy of the sample to edit."""
    import shutil

    from kt_tui.core.errors import BadInput
    from kt_tui.paths import sample_dir

    try:
        if directory.exists() and any(directory.iterdir()):
            raise BadInput(f"{directory}: not empty; init writes into a new or empty folder")
        directory.mkdir(parents=True, exist_ok=True)
        for src in sorted(sample_dir().glob("*.toml")):
            shutil.copyfile(src, directory / src.name)
    except OSError as exc:
        raise BadInput(f"{directory}: cannot write: {exc.strerror or exc}") from None
    click.echo(
        f"wrote {directory}/: edit team.toml and the templates, then `kt-tui sync {directory}`"
    )


@cli.command("sync")
@common_options
@click.argument("directory", default="checklists", required=False)
@click.option("--dry-run", is_flag=True, help="Print the plan, write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
def sync_cmd(directory: str, dry_run: bool, as_json: bool) -> None:
    """Read DIRECTORY (default ./checklists), print the plan, apply it."""
    result = current().service(create=True).sync(Path(directory), dry_run=dry_run, shown=directory)
    for w in result.plan.warnings:
        err(f"warning: {w}")
    if as_json:
        out = result.plan.summary()
        out["applied"] = result.applied
        click.echo(json.dumps(out, indent=2))
        return
    from kt_tui.core.sync import describe

    for line in describe(result.plan):
        click.echo(line)
    if result.plan.is_empty():
        return
    click.echo("dry run: nothing written" if dry_run else "applied")


# --- status ---------------------------------------------------------------------


@cli.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def status(as_json: bool) -> None:
    """Readiness per member and per system."""
    _print_status(current(), as_json)


def _print_status(obj: Context, as_json: bool) -> None:
    st = obj.service().require_status()
    if as_json:
        click.echo(json.dumps(st.to_json(), indent=2))
        return
    from rich.console import Console

    from kt_tui.export.console import status_renderables

    console = Console()
    for r in status_renderables(st):
        console.print(r)


# --- list / log / verify -----------------------------------------------------------


@cli.command("list")
@common_options
@click.argument("filter_words", nargs=-1, metavar="[FILTER]...")
@click.option(
    "--limit",
    default=200,
    show_default=True,
    type=click.IntRange(0, 10_000_000),
    help="Rows at most (0: all).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the items as JSON.")
def list_cmd(filter_words: tuple[str, ...], limit: int, as_json: bool) -> None:
    """The item instances with their REF and state.

    FILTER: free text and tokens such as state:done system:orders member:ben
    stage:shadowed template:system-docs kind:training tier:1 overdue mine open.
    """
    rows, total = current().service().listing(" ".join(filter_words), limit or None)
    if as_json:
        click.echo(json.dumps([r.to_json() for r in rows], indent=2))
        return
    from rich.console import Console

    from kt_tui.export.console import instance_table

    console = Console()
    console.print(instance_table(rows))
    if total > len(rows):
        console.print(f"[dim]{len(rows)} of {total} shown: narrow the filter or use --limit 0[/]")
    else:
        console.print(f"[dim]{total} item(s)[/]")


@cli.command()
@common_options
@click.option(
    "--limit", default=20, show_default=True, type=click.IntRange(1, 10_000_000), help="Events."
)
@click.option("--json", "as_json", is_flag=True, help="Print the events as JSON.")
def log(limit: int, as_json: bool) -> None:
    """The event log, newest first."""
    events = current().service().events(limit)
    if as_json:
        click.echo(json.dumps([e.to_json() for e in events], indent=2))
        return
    from rich.console import Console

    from kt_tui.export.console import event_table

    Console().print(event_table(events))


@cli.command()
@common_options
@click.option("--head", "expected", metavar="HASH", help="A head printed by an earlier export.")
def verify(expected: str | None) -> None:
    """Check that the event log's hash chain is intact."""
    result = current().service().verify(expected)
    if not result.ok:
        err(f"verify failed: {result.problem}")
        sys.exit(1)
    click.echo(f"intact: {result.count} events, head {result.head}")


# --- export / backup / restore ----------------------------------------------------------


@cli.command()
@common_options
@click.argument("fmt", metavar="md|csv|json|html", type=click.Choice(["md", "csv", "json", "html"]))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File.")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Also list what changed since this date (YYYY-MM-DD).",
)
def export(fmt: str, output: Path | None, since: Any) -> None:
    """The readiness summary for the steering committee (stdout without -o)."""
    from kt_tui.core.errors import BadInput
    from kt_tui.export.command import write

    service = current().service()  # build_report says so when the store holds no handover yet
    actor, clock, day = service.actor, service.clock, since.date() if since else None
    if output is None:
        out = sys.stdout
        write(service.store, fmt, out, actor=actor, clock=clock, since=day)
        out.flush()
        return
    if output.is_symlink():
        output = output.resolve()  # write the file the link names; keep the link
    if output.exists() and not output.is_file():
        raise BadInput(f"{output}: not a regular file; export writes files only")
    part = output.with_name(output.name + ".part")
    try:
        with open(part, "w", encoding="utf-8", newline="") as fh:
            write(service.store, fmt, fh, actor=actor, clock=clock, since=day)
        part.replace(output)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise BadInput(f"{output}: cannot write: {exc.strerror}") from None
    click.echo(f"wrote {output}")


def _sqlite_file(obj: Context) -> Path:
    from kt_tui.core.errors import BadInput
    from kt_tui.core.store import resolve_url

    url = resolve_url(obj.db or os.environ.get("KT_DB"))
    if not url.startswith("sqlite:///"):
        raise BadInput("backup and restore work on SQLite stores; use pg_dump for PostgreSQL")
    return Path(url[len("sqlite:///") :])


@cli.command()
@common_options
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """A consistent copy of the store in FILE (SQLite's online backup), readable by you only."""
    from kt_tui.core.backup import copy_sqlite
    from kt_tui.core.errors import BadInput

    obj = current()
    obj.service()  # make sure it exists and is current
    live = _sqlite_file(obj)
    if file.resolve() == live.resolve():
        raise BadInput(f"{file}: that is the store itself; name another file")
    copy_sqlite(live, file)
    click.echo(f"wrote {file}")


@cli.command()
@common_options
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Restore even a backup of another handover.")
def restore(file: Path, force: bool) -> None:
    """Put a backup FILE back in place of the store, after checking it.

    The store as it was is kept beside it first, under a name with the time.
    """
    from kt_tui.core.backup import restore_sqlite

    obj = current()
    live = _sqlite_file(obj)
    obj.close()
    kept = restore_sqlite(file, live, force=force, stamp=obj.get_clock().now())
    obj.service()  # opens it, migrating an older backup
    click.echo(f"restored {file}; the store as it was is kept in {kept}")


# --- the verbs -----------------------------------------------------------------------


def _act(verb: str, ref: str, member: str | None, system: str | None, **kw: Any) -> None:
    service = current().service()
    if service.actor.stand_in:
        err(f"kt-tui: {service.actor.describe()}")
    out = service.act(verb, service.resolve(ref, member, system), **kw)
    where = "".join(
        [f" --member {member}" if member else "", f" --system {system}" if system else ""]
    )
    if out.before != out.after:
        click.echo(f"{verb}: {out.ref}{where}: {out.before} -> {out.after}")
    else:
        click.echo(f"{verb}: {out.ref}{where}: set")


def _verb_command(
    verb: str, help_text: str, *, reason: bool = False, evidence: bool = False
) -> None:
    @common_options
    @click.argument("ref")
    @click.option("--member", metavar="HANDLE", help="The member the item bears (default: you).")
    @click.option("--system", metavar="KEY", help="The system the item bears.")
    @click.option("--note", metavar="TEXT", help="A note kept with the item.")
    def command(
        ref: str, member: str | None, system: str | None, note: str | None, **kw: Any
    ) -> None:
        _act(verb, ref, member, system, note=note, **kw)

    if evidence:
        command = click.option("--evidence", metavar="TEXT", help="A link, ticket id or path.")(
            command
        )
    if reason:
        command = click.option("--reason", metavar="TEXT", required=True, help="Why (required).")(
            command
        )
    cli.command(verb, help=help_text + "\n\nREF is template/item, e.g. system-docs/runbook.")(
        command
    )


_verb_command("done", "Mark an item done.", evidence=True)
_verb_command("undo", "Take back a done mark.")
_verb_command("block", "Mark an item blocked, with what it waits on.", reason=True)
_verb_command("unblock", "Clear a block.")
_verb_command("signoff", "Sign off a done item (leads; never your own).")
_verb_command("na", "Mark an item not applicable, with the reason (leads).", reason=True)
_verb_command("reopen", "Send a signed-off or n/a item back to todo (leads).")


def _text_command(verb: str, help_text: str) -> None:
    @common_options
    @click.argument("ref")
    @click.argument("text")
    @click.option("--member", metavar="HANDLE", help="The member the item bears (default: you).")
    @click.option("--system", metavar="KEY", help="The system the item bears.")
    def command(ref: str, text: str, member: str | None, system: str | None) -> None:
        _act(verb, ref, member, system, text=text)

    cli.command(verb, help=help_text + "\n\nREF is template/item, e.g. system-docs/runbook.")(
        command
    )


_text_command("note", "Set the note of an item.")
_text_command("evidence", "Set the evidence of an item (a link, ticket id or path).")


# --- entry point -------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """The console script: no traceback ever reaches a user."""
    try:
        rc = cli.main(args=argv, prog_name="kt-tui", standalone_mode=False)
        if isinstance(rc, int) and rc:
            sys.exit(rc)
    except click.exceptions.Abort:
        err("aborted")
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err("interrupted")
        sys.exit(130)
    except Exception as exc:  # the last line of defence: say what, never a traceback
        if os.environ.get("KT_DEBUG"):
            raise
        err(f"kt-tui: internal error: {type(exc).__name__}: {exc} (KT_DEBUG=1 shows the traceback)")
        sys.exit(3)
