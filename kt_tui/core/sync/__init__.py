"""Sync: read a handover folder, plan the change as a pure diff, apply it in one transaction.

The parts: ``desired`` (what the files ask for), ``stored`` (what the store
holds), ``plan`` (the diff and its description), ``apply`` (one transaction).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Connection

from kt_tui.core import lapsing
from kt_tui.core.clock import SYSTEM_CLOCK, Clock
from kt_tui.core.errors import Problem, ValidationFailed
from kt_tui.core.store import Store
from kt_tui.core.sync.apply import apply
from kt_tui.core.sync.desired import Wanted, wanted_from
from kt_tui.core.sync.party_changes import below_raised_pass, plan_party_changes
from kt_tui.core.sync.plan import Plan, describe, diff
from kt_tui.core.sync.renames import find as find_renames
from kt_tui.core.sync.renames import renamed_view
from kt_tui.core.sync.stored import Current, load_current
from kt_tui.core.sync.thin_parties import thin_party_warnings, unreachable_gate_warnings
from kt_tui.core.sync.waiting_changes import waiting_changes
from kt_tui.core.templates import Folder, load_folder

__all__ = [
    "Plan", "SyncResult", "describe", "is_bundled_sample", "refuse_identity_on_sqlite", "sync",
]  # fmt: skip


def is_bundled_sample(root: Path) -> bool:
    """The folder is the sample shipped with kt-tui (not a copy: `init` makes real ones)."""
    from kt_tui.paths import sample_dir

    try:
        return root.resolve() == sample_dir().resolve()
    except OSError:
        return False


@dataclass
class SyncResult:
    plan: Plan
    applied: bool
    folder: Folder


def _prepare(root: Path, shown: str | None, sample: bool) -> tuple[Folder, Wanted, str]:
    label = shown if shown is not None else str(root)
    folder = load_folder(root, shown)
    return folder, wanted_from(folder, sample=sample or is_bundled_sample(root)), label


def refuse_identity_on_sqlite(is_sqlite: bool, folder: Folder, label: str) -> None:
    """Checked before the store is opened for writing (the CLI: before the store file is
    made): a refused folder creates no file."""
    if is_sqlite and folder.team.handover.identity == "database":
        raise ValidationFailed(
            [
                Problem(
                    f"{label.rstrip('/')}/team.toml",
                    "handover.identity",
                    '"database" needs a PostgreSQL store (KT_DB=postgresql+psycopg://...)',
                )
            ]
        )


def _plan(
    store: Store, conn: Connection, folder: Folder, wanted: Wanted, label: str, today: date
) -> Plan:
    current = load_current(store, conn)
    _refuse_other_handover(current, wanted, folder, label)
    _refuse_rename_conflicts(current, wanted, folder, label)
    plan = diff(wanted, current)  # pure: nothing is written before the refusals below
    renamed = renamed_view(current, plan.renames)
    _refuse_lowered_revisions(renamed, wanted, folder)
    for template, ids in below_raised_pass(conn, wanted, renamed, plan.reopen).items():
        plan.reopen = sorted({*plan.reopen, *ids})
        plan.template(template).below_pass = len(ids)
    plan.parties = plan_party_changes(conn, wanted, renamed, plan.reopen)
    for template, (settled, unsigned) in plan.parties.per_template.items():
        plan.template(template).settled, plan.template(template).unsigned = settled, unsigned
    _count_lapse_changes(conn, plan, wanted, renamed, today)
    for template, (waiting, unwaiting) in waiting_changes(
        conn, plan, wanted, renamed, today
    ).items():
        plan.template(template).waiting, plan.template(template).unwaiting = waiting, unwaiting
    plan.warnings = [
        *folder.warnings,
        *thin_party_warnings(wanted),
        *unreachable_gate_warnings(wanted),
    ]
    return plan


def _count_lapse_changes(
    conn: Connection, plan: Plan, wanted: Wanted, current: Current, today: date
) -> None:
    """The completions a changed valid_for (or sign-off) lapses today, or makes hold
    again: the plan says so before they leave or come back into the figures."""
    new: dict[int, tuple[int | None, bool]] = {}
    template_of: dict[int, str] = {}
    for ikey, w in wanted.items.items():
        have = current.items.get(ikey)
        if have is not None and plan.moves_lapse_days(ikey):
            new[int(have["id"])] = (w.valid_days, w.signoff)
            template_of[int(have["id"])] = ikey[0]
    for item_id, (lapse, hold) in lapsing.lapse_changes(conn, new, today, set(plan.reopen)).items():
        t = plan.template(template_of[item_id])
        t.lapsed += lapse
        t.unlapsed += hold


def _refuse_other_handover(current: Current, wanted: Wanted, folder: Folder, shown: str) -> None:
    have = current.settings.get("handover_name")
    want = wanted.settings["handover_name"]
    if have is not None and have != want:
        raise ValidationFailed(
            [
                Problem(
                    f"{shown.rstrip('/')}/team.toml",
                    "handover.name",
                    f"this store holds the handover {have!r}, not {want!r}: "
                    "one store holds one handover (use --db for another)",
                )
            ]
        )


def _refuse_lowered_revisions(current: Current, wanted: Wanted, folder: Folder) -> None:
    """DESIGN: a lowered revision is an error (raising it back would reopen work done at
    the higher one). ``current``: the store as this sync's renames leave it."""
    problems = []
    for tf in folder.templates:
        tkey = tf.spec.template.key
        for i, it in enumerate(tf.spec.items):
            have = current.items.get((tkey, it.key))
            want = wanted.items.get((tkey, it.key))
            if have is None or want is None or want.revision >= have["revision"]:
                continue
            problems.append(
                Problem(
                    tf.path,
                    f"items[{i}].revision",
                    f"lowered from {have['revision']} to {want.revision}: a revision only "
                    f"rises (keep {have['revision']}, or raise it to reopen the work)",
                )
            )
    if problems:
        raise ValidationFailed(problems)


def _refuse_rename_conflicts(current: Current, wanted: Wanted, folder: Folder, shown: str) -> None:
    """A rename into a key the store already holds, while the old key is still active."""
    _renames, conflicts = find_renames(wanted, current)
    if not conflicts:
        return
    problems = []
    for c in conflicts:
        tf = next(tf for tf in folder.templates if tf.spec.template.key == c.template)
        where = "template.renamed_from"
        if c.item is not None:
            i = next(i for i, it in enumerate(tf.spec.items) if it.key == c.item)
            where = f"items[{i}].renamed_from"
        problems.append(Problem(tf.path, where, c.message))
    raise ValidationFailed(problems)


def sync(
    store: Store,
    root: Path,
    *,
    actor: str,
    login: str,
    dry_run: bool = False,
    shown: str | None = None,
    clock: Clock = SYSTEM_CLOCK,
    authorise: Callable[[Connection], None] | None = None,
    sample: bool = False,
) -> SyncResult:
    """Validate the folder, compute the plan and (unless dry) apply it at once.

    The plan is computed inside the write transaction that applies it, so no
    other writer can slip in between the diff and its application. ``authorise``
    runs first in that transaction (the service checks there that the actor is a
    lead, as the store says at that moment); a dry run needs no right. ``sample``: the
    folder is the bundled sample though not at its place (the demo's dated copy).
    """
    folder, wanted, label = _prepare(root, shown, sample)
    refuse_identity_on_sqlite(store.is_sqlite, folder, label)
    if dry_run:
        with store.read() as conn:
            plan = _plan(store, conn, folder, wanted, label, clock.today())
            return SyncResult(plan, False, folder)
    with store.write() as conn:
        if authorise is not None:
            authorise(conn)
        plan = _plan(store, conn, folder, wanted, label, clock.today())
        if plan.is_empty():
            return SyncResult(plan, False, folder)
        apply(store, conn, plan, wanted, actor=actor, login=login, clock=clock)
    return SyncResult(plan, True, folder)
