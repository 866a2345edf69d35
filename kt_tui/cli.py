"""The command line. Heavy imports (SQLModel, Textual) happen inside commands."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from kt_tui.cli_bulk import BULK_HELP, bulk_options
from kt_tui.cli_bulk import run_bulk as _bulk
from kt_tui.cli_context import (
    Context,
    change_words,
    common_options,
    current,
    err,
    has_terminal,
    quiet_stdout,
    store_failure,
)
from kt_tui.cli_context import console as make_console

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
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:  # the reader left (`| head`): nothing more to say
            quiet_stdout()
            ctx.exit(0)
        except Exception as exc:  # the database or the disk said no: exit 2, never 3
            mapped = store_failure(ctx.ensure_object(Context), exc)
            if mapped is None:
                raise
            err(f"kt-tui: {mapped}")
            ctx.exit(2)


@click.group(
    cls=KtGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@common_options
@click.option(
    "--read-only",
    is_flag=True,
    envvar="KT_READ_ONLY",
    help="Open the app as a view: every write is refused (env KT_READ_ONLY).",
)
@click.version_option(package_name="kt-tui", prog_name="kt-tui")
@click.pass_context
def cli(ctx: click.Context, read_only: bool) -> None:
    """kt-tui: how ready is each person and each system to be handed over?

    With no command, opens the terminal app (on an empty default store it
    first puts in the demo: the bundled sample mid-way, see `kt-tui demo`).
    """
    obj = ctx.ensure_object(Context)
    obj.read_only = read_only
    ctx.call_on_close(obj.close)
    if ctx.invoked_subcommand is None:
        _open_app(ctx, obj)


def _open_app(ctx: click.Context, obj: Context) -> None:
    """The TUI; it opens the store after its first frame and syncs the sample into an empty one."""
    from kt_tui.serve import under_web_driver

    if not has_terminal() and not under_web_driver():
        from kt_tui.core.errors import BadInput

        commands = ", ".join(cli.list_commands(ctx))
        raise BadInput(f"no terminal for the app: run a command instead ({commands}); see --help")
    from kt_tui.tui.app import run_app

    run_app(obj.named_store, obj.as_, read_only=obj.read_only)


@cli.command()
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--allow-writes",
    is_flag=True,
    help="Let the browser's user act (as --as or the login name); read-only without it.",
)
def serve(port: int, allow_writes: bool) -> None:
    """Serve the app to a web browser on 127.0.0.1:PORT (textual-serve), read-only by default."""
    from kt_tui.serve import serve_app

    obj = current()
    serve_app(obj.named_store, obj.as_, port=port, allow_writes=allow_writes)


# --- init / sync ----------------------------------------------------------------


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", metavar="NAME", help="The handover's name (default: the folder's name).")
def init(directory: Path, name: str | None) -> None:
    """Write a new handover folder DIRECTORY: a copy of the sample to edit, named anew."""

    from kt_tui.core.errors import BadInput
    from kt_tui.paths import sample_dir

    name = (name if name is not None else directory.resolve().name).strip()
    if not name or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in name):
        raise BadInput("--name: a handover name is printable text, not empty")
    try:
        if directory.exists() and any(directory.iterdir()):
            raise BadInput(f"{directory}: not empty; init writes into a new or empty folder")
        directory.mkdir(parents=True, exist_ok=True)
        for src in sorted(sample_dir().glob("*.toml")):
            data = src.read_bytes()
            if src.name == "team.toml":
                data = _renamed(data, name)
            (directory / src.name).write_bytes(data)
    except OSError as exc:
        raise BadInput(f"{directory}: cannot write: {exc.strerror or exc}") from None
    click.echo(
        f"wrote {directory}/ (handover {name!r}): edit team.toml and the templates, "
        f"then `kt-tui sync {directory}`"
    )


def _renamed(team: bytes, name: str) -> bytes:
    """team.toml with the ``name`` line of ``[handover]`` replaced, every other byte kept."""
    lines = team.splitlines(keepends=True)
    in_handover = False
    for i, line in enumerate(lines):
        bare = line.strip()
        if bare.startswith(b"["):
            in_handover = bare == b"[handover]"
        elif in_handover and bare.split(b"=", 1)[0].strip() == b"name":
            end = line[len(line.rstrip(b"\r\n")) :]
            lines[i] = b"name = " + json.dumps(name, ensure_ascii=False).encode() + end
            return b"".join(lines)
    raise AssertionError("the bundled team.toml has no handover.name")


@cli.command("sync")
@common_options
@click.argument("directory", default="checklists", required=False)
@click.option("--dry-run", is_flag=True, help="Print the plan, write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
def sync_cmd(directory: str, dry_run: bool, as_json: bool) -> None:
    """Read DIRECTORY (default ./checklists), print the plan, apply it."""
    obj = current()
    if obj.store_missing():  # an invalid folder or a dry run must leave no store behind
        from kt_tui.core.sync import refuse_identity_on_sqlite
        from kt_tui.core.templates import load_folder

        folder = load_folder(Path(directory), directory)
        refuse_identity_on_sqlite(True, folder, directory)  # a missing store is a SQLite file
    service = obj.service(create=not dry_run, in_memory=dry_run and obj.store_missing())
    result = service.sync(Path(directory), dry_run=dry_run, shown=directory)
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

    from kt_tui.export.console import status_renderables

    console = make_console()
    for r in status_renderables(st):
        console.print(r)


# --- list / log / verify -----------------------------------------------------------


def sort_option(f: Any) -> Any:
    """``--sort KEY`` (``-KEY``: descending), a key of core/sorting.py's whitelist."""
    from kt_tui.core.sorting import SORT_KEYS

    return click.option(
        "--sort",
        metavar="KEY",
        help=f"Order by KEY, one of {', '.join(SORT_KEYS)} (default template: the "
        "checklist's order); -KEY sorts descending, e.g. --sort -due.",
    )(f)


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
@sort_option
def list_cmd(filter_words: tuple[str, ...], limit: int, as_json: bool, sort: str | None) -> None:
    """The item instances with their REF and state.

    FILTER: free text and tokens such as state:done system:orders member:ben
    stage:shadowed template:system-docs kind:training tier:1 overdue mine open
    awaiting lapsed waiting blocked. `list blocked` alone (without --sort) lists
    the blockers for escalation: reason, who blocked, since when, how long, what
    waits on each.
    """
    service = current().service()

    service.validate_sort(sort)  # before any output: a bad key prints nothing but why
    for warning in service.filter_warnings(" ".join(filter_words)):
        err(f"kt-tui: warning: {warning}")  # err() escapes it
    if [w.lower() for w in filter_words] == ["blocked"] and sort is None:
        _blockers(service, as_json)
        return
    if limit == 0:  # every row, streamed: flat memory and seconds at a million
        from kt_tui.export.console import stream_lines

        text = " ".join(filter_words)
        lines = service.stream_text(text, as_json=as_json, sort=sort)
        stream_lines(lines, as_json, sys.stdout)
        return
    rows, total = service.listing(" ".join(filter_words), limit, sort)
    if as_json:
        click.echo(json.dumps([r.to_json() for r in rows], indent=2))
        return

    from kt_tui.export.console import instance_table

    console = make_console()
    console.print(instance_table(rows))
    if total > len(rows):
        console.print(f"[dim]{len(rows)} of {total} shown: narrow the filter or use --limit 0[/]")
    else:
        console.print(f"[dim]{total} item(s)[/]")


def _blockers(service: Any, as_json: bool) -> None:
    from kt_tui.export.console import blocker_table

    found = service.blockers()
    if as_json:
        click.echo(json.dumps([b.to_json() for b in found], indent=2))
        return
    console = make_console()
    console.print(blocker_table(found))
    console.print(f"[dim]{len(found)} blocked item(s)[/]")


@cli.command()
@common_options
@click.option(
    "--limit",
    default=20,
    show_default=True,
    type=click.IntRange(0, 10_000_000),
    help="Events at most (0: all, as list's --limit).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the events as JSON.")
@click.argument("ref", required=False)
@click.option("--member", metavar="HANDLE", help="Only the items of (or acted on by) HANDLE.")
@click.option("--system", metavar="KEY", help="Only the items of system KEY.")
@click.option(
    "--since", metavar="DATE", type=click.DateTime(["%Y-%m-%d"]), help="From this day on."
)
def log(
    limit: int,
    as_json: bool,
    ref: str | None,
    member: str | None,
    system: str | None,
    since: Any,
) -> None:
    """The event log, newest first, with each block's and n/a's reason.

    REF (template/item) keeps that item's events; --member a person's; --since a
    day's and later ones.
    """
    day = since.date() if since else None
    events = (
        current().service().events(limit or None, ref=ref, member=member, system=system, since=day)
    )
    if as_json:
        click.echo(json.dumps([e.to_json() for e in events], indent=2))
        return

    from kt_tui.export.console import event_table

    make_console().print(event_table(events))


@cli.command()
@common_options
@click.option("--head", "expected", metavar="HASH", help="A head printed by an earlier export.")
def verify(expected: str | None) -> None:
    """Check that the event log's hash chain is intact (and, on SQLite, the file's pages)."""
    import re

    from kt_tui.core.errors import BadInput, StoreError
    from kt_tui.core.store import RESTORE_HINT, quick_check

    if expected is not None:
        expected = expected.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{64}", expected):
            raise BadInput("--head: a head is 64 hex characters, as an export prints it")
    service = current().service()
    path = service.store.path
    damage = quick_check(path) if path is not None else None
    if damage is not None:
        raise StoreError(f"{path}: store damaged ({damage[:120]}): {RESTORE_HINT}")
    result = service.verify(expected)
    if not result.ok:
        err(f"verify failed: {result.problem}")
        sys.exit(1)
    click.echo(f"intact: {result.count} events, head {result.head}")


# --- export / backup / restore ----------------------------------------------------------


@cli.command()
@common_options
@click.argument("fmt", metavar="md|csv|json|html", type=click.Choice(["md", "csv", "json", "html"]))
@click.option("-o", "--output", metavar="FILE", help="A file; - (the default) for stdout.")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Also list what changed since this date (YYYY-MM-DD).",
)
def export(fmt: str, output: str | None, since: Any) -> None:
    """The readiness summary for the steering committee (stdout without -o)."""
    from kt_tui.export.command import write, write_output

    service = current().service()  # build_report says so when the store holds no handover yet
    actor, clock, day = service.actor, service.clock, since.date() if since else None

    def fill(out: Any) -> None:
        write(service.store, fmt, out, actor=actor, clock=clock, since=day)

    wrote = write_output(output or "-", fill, live=service.store.path, stdout=sys.stdout)
    if wrote is not None:
        click.echo(f"wrote {wrote}")


@cli.command()
@common_options
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def backup(file: Path, force: bool) -> None:
    """A consistent copy of the store in FILE (SQLite's online backup), readable by you only."""
    from kt_tui.core.backup import backup_store

    obj = current()
    obj.service()  # make sure it exists and is current
    backup_store(obj.sqlite_file(), file, force=force)
    click.echo(f"wrote {file}")


@cli.command()
@common_options
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Restore even another handover or a failing log.")
def restore(file: Path, force: bool) -> None:
    """Put a backup FILE (its log verified) in place of the store (leads; logged).

    The store as it was is kept beside it first, under a name with the time.
    """
    from kt_tui.core.backup import record_restore, restore_sqlite, verified_copy
    from kt_tui.core.errors import KtError, Refused
    from kt_tui.core.rights import lead_only

    obj = current()
    live = obj.sqlite_file()
    actor = None
    if live.exists():
        try:
            service = obj.service()
            with service.store.read() as conn:
                if service.store.settings(conn) is not None:  # a handover: leads only
                    actor = service.actor
        except KtError:
            pass  # a damaged store: restoring is the remedy, so it does not stop here
        if actor is not None and not actor.is_lead:
            raise Refused(lead_only("restore", f"you are {actor.describe()}"))
    obj.close()
    with verified_copy(file, live) as (copy, result):
        if not result.ok and not force:
            raise Refused(
                f"{file}: its event log fails verify ({result.problem}), so it was not "
                "restored; give --force to restore it anyway."
            )
        kept = restore_sqlite(copy, live, force=force, stamp=obj.get_clock().now(), shown=file)
    service = obj.service()
    who = actor or service.actor
    record_restore(
        service.store,
        actor=who.name,
        login=who.login,
        at=obj.get_clock().stamp(),
        source=file,
        head=result.head,
    )
    click.echo(f"restored {file} (head {result.head[:16]}); the store as it was is in {kept}")


# --- the verbs -----------------------------------------------------------------------


def _act(verb: str, ref: str, member: str | None, system: str | None, **kw: Any) -> None:
    obj = current()
    service = obj.service()
    if service.actor.stand_in:
        obj.tell_actor()
    out = service.act(verb, service.resolve(ref, member, system, verb=verb), **kw)
    # the flags that were typed, spelled as the store does (--system DB is db)
    where = "".join(
        [
            f" --member {out.member or member}" if member else "",
            f" --system {out.system or system}" if system else "",
        ]
    )
    click.echo(f"{verb}: {out.ref}{where}: {change_words(verb, out, kw.get('score'))}")


def _verb_command(
    verb: str,
    help_text: str,
    *,
    reason: bool = False,
    evidence: bool = False,
    party: bool = False,
    score: bool = False,
) -> None:
    @common_options
    @click.argument("ref", required=False)
    @click.option("--member", metavar="HANDLE", help="The member the item bears (default: you).")
    @click.option("--system", metavar="KEY", help="The system the item bears.")
    @click.option("--note", metavar="TEXT", help="A note kept with the item.")
    @bulk_options
    def command(
        ref: str | None,
        member: str | None,
        system: str | None,
        note: str | None,
        where: str | None,
        yes: bool,
        **kw: Any,
    ) -> None:
        if where is None:
            if ref is None:
                raise click.UsageError("give REF (template/item) or --where FILTER")
            _act(verb, ref, member, system, note=note, **kw)
        else:
            if ref is not None or member or system:
                raise click.UsageError("--where picks the items: no REF, --member or --system")
            _bulk(verb, where, yes, note=note, **kw)

    if evidence:
        command = click.option("--evidence", metavar="TEXT", help="A link, ticket id or path.")(
            command
        )
    if reason:
        command = click.option("--reason", metavar="TEXT", required=True, help="Why (required).")(
            command
        )
    if party:
        command = click.option(
            "--as-party",
            "party",
            metavar="PARTY",
            help="The party to fill (default: the first missing one you may fill).",
        )(command)
    if score:
        command = click.option(
            "--score", type=int, required=True, metavar="N", help="The score, 1..scale (required)."
        )(command)
    cli.command(
        verb, help=help_text + "\n\nREF is template/item, e.g. system-docs/runbook." + BULK_HELP
    )(command)


_verb_command("done", "Mark an item done.", evidence=True)
_verb_command("undo", "Take back a done mark.")
_verb_command("block", "Mark an item blocked, with what it waits on.", reason=True)
_verb_command("unblock", "Clear a block.")
_verb_command(
    "signoff",
    "Sign a done item as one of its missing parties (never your own work); it is signed off "
    "once every party has signed.",
    party=True,
)
_verb_command(
    "reject",
    "Send a done item back to todo, with what is missing (anyone who could sign it).",
    reason=True,
)
_verb_command(
    "assess",
    "Score an assessment item: signed off if the score passes, else back to todo.",
    score=True,
)
_verb_command("na", "Mark an item not applicable, with the reason (leads).", reason=True)
_verb_command("reopen", "Send a signed-off or n/a item back to todo (leads).")


def _text_command(verb: str, help_text: str) -> None:
    @common_options
    @click.argument("args", nargs=-1, metavar="REF TEXT | --where FILTER TEXT")
    @click.option("--member", metavar="HANDLE", help="The member the item bears (default: you).")
    @click.option("--system", metavar="KEY", help="The system the item bears.")
    @bulk_options
    def command(
        args: tuple[str, ...], member: str | None, system: str | None, where: str | None, yes: bool
    ) -> None:
        if where is None:
            if len(args) != 2:
                raise click.UsageError(f"{verb} takes REF and TEXT (or --where FILTER TEXT)")
            _act(verb, args[0], member, system, text=args[1])
        else:
            if len(args) != 1 or member or system:
                raise click.UsageError(f"{verb} --where FILTER takes TEXT only")
            _bulk(verb, where, yes, text=args[0])

    cli.command(
        verb, help=help_text + "\n\nREF is template/item, e.g. system-docs/runbook." + BULK_HELP
    )(command)


_text_command("note", "Set the note of an item.")
_text_command("evidence", "Set the evidence of an item (a link, ticket id or path).")


# --- training sessions and attendance ---------------------------------------------------


@cli.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print the sessions as JSON.")
def sessions(as_json: bool) -> None:
    """Every part of every training session: when, how long, trainer, where, attendance."""
    from kt_tui.present import printable, stamp

    rows: list[dict[str, Any]] = []
    for s in current().service().sessions():
        for n, p in enumerate(s.parts, 1):
            rows.append(
                {
                    "ref": s.ref,
                    "title": s.title,
                    "part": n,
                    "parts": len(s.parts),
                    "at": p.at,
                    "minutes": p.minutes,
                    "trainer": p.trainer,
                    "location": p.location,
                    "attended": s.attended(),
                    "attendees": len(s.attendees),
                    "expected": s.expected(),  # the attendees whose item is not n/a
                }
            )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        click.echo(
            printable(
                f"{stamp(r['at'])}  {r['ref']} (part {r['part']} of {r['parts']})"
                f"  {r['minutes'] or '-'} min  trainer {r['trainer'] or '-'}"
                f"  at {r['location'] or '-'}  attended {r['attended']}/{r['expected']}"
            )
        )
    if not rows:
        click.echo("no training sessions")


@cli.command()
@common_options
@click.argument("ref")
@click.option(
    "--members", metavar="A,B,C", help="The members who attended (default: you); one event each."
)
@click.option("--evidence", metavar="TEXT", help="For items that ask for it (a sign-in sheet...).")
@click.option("--note", metavar="TEXT", help="A note on each attendee's item.")
def attend(ref: str, members: str | None, evidence: str | None, note: str | None) -> None:
    """Mark attendance of a training item's session: each member's item done.

    Anyone marks their own; leads, and a trainer of the item who is on the roster,
    mark others'. REF is template/item, e.g. training/security-briefing.
    """
    from kt_tui.cli_bulk import report
    from kt_tui.core.errors import BadInput

    obj = current()
    service = obj.service()
    if service.actor.stand_in:
        obj.tell_actor()
    handles = [h.strip() for h in (members or "").split(",") if h.strip()]
    if not handles:
        if members is not None or service.actor.handle is None:
            raise BadInput("--members: give the attendees' handles, e.g. --members ben,chloe")
        handles = [service.actor.handle]
    texts = {k: v for k, v in (("evidence", evidence), ("note", note)) if v is not None}
    result = service.attend_members(ref, list(dict.fromkeys(handles)), **texts)
    rows = [r for o in result.done if (r := service.row(o.instance_id)) is not None]
    report("attend", result, rows)  # the refused ones: named by result.labels


def _add_demo() -> None:
    from kt_tui.cli_demo import demo

    cli.add_command(demo)


_add_demo()


@cli.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print the items as JSON.")
@sort_option
def queue(as_json: bool, sort: str | None) -> None:
    """What waits for your signature or assessment: done items with a missing party you
    may fill, and done assessments you may assess."""
    service = current().service()
    rows = service.queue(sort=sort)
    if as_json:
        click.echo(json.dumps([r.listing_json() for r in rows], indent=2))
        return
    from kt_tui.export.console import queue_table

    console = make_console()
    if not rows:
        from kt_tui.present import printable

        who = printable(service.actor.handle or service.actor.asked or "")
        console.print(f"nothing waits for {who}'s signature or score", markup=False)
        return
    console.print(queue_table(rows))
    console.print(f"[dim]{len(rows)} item(s) wait for you[/]")


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
