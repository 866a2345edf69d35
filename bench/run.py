"""Measure kt-tui against its floors, on a fresh store, and print one table.

    python -m bench.run [--instances N] [--runs R] [--keep DIR]

Every figure is the median of several runs, with min and max; each is shown
beside the floor it is compared with and the issue's target.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bench.generate import size_for, write

PY = sys.executable


@dataclass
class Figure:
    name: str
    runs: list[float]
    unit: str = "s"
    floor: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.runs)


def timed(
    fn: Callable[[], object], runs: int, setup: Callable[[], object] | None = None
) -> list[float]:
    out = []
    for _ in range(runs):
        if setup:
            setup()
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


# runs the CLI in this interpreter, then prints its peak resident memory (kB) last:
# VmHWM, this process's own high-water mark. (ru_maxrss survives exec on Linux: a
# child of this bench, which holds ~700 MB after syncing a million instances in
# process, reported the bench's peak, not its own.)
PEAK = (
    "import resource, sys\n"
    "from kt_tui.cli import main\n"
    "def peak():\n"
    "    try:\n"
    "        with open('/proc/self/status') as fh:\n"
    "            return next(int(x.split()[1]) for x in fh if x.startswith('VmHWM:'))\n"
    "    except (OSError, StopIteration):\n"
    "        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "finally:\n"
    "    print(f'peak_kb={peak()}', file=sys.stderr)\n"
)
PEAKS: dict[str, float] = {}  # the command's first words -> peak MB of its last run


def cli(db: Path, *args: str) -> None:
    done = subprocess.run(
        [PY, "-c", PEAK, "--db", str(db), *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "KT_USER": LEAD},
    )
    for line in done.stderr.decode().splitlines():
        if line.startswith("peak_kb="):
            PEAKS[" ".join(args[:2])] = int(line[8:]) / 1024


LEAD = "m0000"


def fresh(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def bench_sync(work: Path, folder: Path, runs: int) -> tuple[Figure, Figure]:
    from kt_tui.core.store import open_store
    from kt_tui.core.sync import sync

    db = work / "sync.db"

    def one() -> None:
        store = open_store(str(db))
        sync(store, folder, actor="bench", login="bench")
        store.dispose()

    ours = timed(one, runs, setup=lambda: fresh(db))

    # the floor: the same rows, the same schema, raw sqlite3 executemany in one transaction
    with sqlite3.connect(db) as src:
        cols = [r[1] for r in src.execute("PRAGMA table_info(instance)") if r[1] != "id"]
        rows = src.execute(f"SELECT {', '.join(cols)} FROM instance ORDER BY id").fetchall()
    floor_db = work / "floor.db"

    def schema() -> None:
        fresh(floor_db)
        open_store(str(floor_db)).dispose()

    def floor() -> None:
        conn = sqlite3.connect(floor_db, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("BEGIN")
        marks = ", ".join("?" for _ in cols)
        conn.executemany(f"INSERT INTO instance ({', '.join(cols)}) VALUES ({marks})", rows)
        conn.execute("COMMIT")
        conn.close()

    # the floor's instances reference items, members and systems: copy those first
    def schema_with_parents() -> None:
        schema()
        with sqlite3.connect(db) as src, sqlite3.connect(floor_db) as dst:
            for table in ("meta", "member", "system", "receiver", "template", "item"):
                data = src.execute(f"SELECT * FROM {table}").fetchall()
                if data and table != "meta":
                    marks = ", ".join("?" for _ in data[0])
                    dst.executemany(f"INSERT INTO {table} VALUES ({marks})", data)

    floors = timed(floor, runs, setup=schema_with_parents)
    ratio = statistics.median(ours) / statistics.median(floors)
    return (
        Figure("sync into an empty store", ours, floor="raw executemany", ratio=ratio,
               target="<= 2x floor", met=ratio <= 2),
        Figure("  floor: raw sqlite3 executemany", floors),
    )  # fmt: skip


AGGREGATE = """
SELECT member_id, system_id, stage_idx, count(*), sum(weight),
  sum(CASE WHEN state = 'signed_off' OR (state = 'done' AND signoff = 0) THEN 1 ELSE 0 END),
  sum(CASE WHEN state = 'signed_off' OR (state = 'done' AND signoff = 0) THEN weight ELSE 0 END),
  sum(CASE WHEN state IN ('done', 'signed_off') THEN weight ELSE 0 END),
  sum(CASE WHEN NOT (state = 'signed_off' OR (state = 'done' AND signoff = 0))
      AND due IS NOT NULL AND due < ? THEN 1 ELSE 0 END)
FROM instance WHERE retired = 0 AND state != 'na'
GROUP BY member_id, system_id, stage_idx
"""


def raw_status(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute(AGGREGATE, (date.today().isoformat(),)).fetchall()
    conn.execute("SELECT id, handle, name, role FROM member WHERE active = 1").fetchall()
    conn.execute("SELECT id, key, name, tier, min_ready FROM system WHERE active = 1").fetchall()
    conn.execute("SELECT member_id, system_id FROM receiver WHERE active = 1").fetchall()
    conn.close()


def figures_of(store: Any, today: date) -> Callable[[], None]:
    """Every figure of the dashboard, on any store."""
    from kt_tui.core import readiness

    def figures() -> None:
        with store.read() as conn:
            readiness.status(store, conn, today)

    return figures


def action_on(store: Any, today: date) -> Callable[[], None]:
    """One action (done, or undo when done) plus the figures it changes, on any store."""
    from kt_tui.core import actions, readiness
    from kt_tui.core.identity import resolve_actor

    with store.read() as conn:
        lead = resolve_actor(store, conn, LEAD)
        iid = actions.resolve_ref(conn, "system-kt/kt-0001", lead, "m0002", "sys002")
        target = actions.load_target(conn, iid, today)
    state = [target.state]

    def figures(conn: Any, t: Any) -> None:  # the figures it changes: member, system, cell
        readiness.affected(store, conn, today, t.member_id, t.system_id)

    def action() -> None:  # and the figures read in its transaction, as the checklist does
        verb = "undo" if state[0] == "done" else "done"
        state[0] = actions.act(store, lead, verb, iid, then=figures).after

    return action


def time_store(store: Any, today: date, runs: int) -> tuple[list[float], list[float]]:
    """The dashboard's figures and one action plus the figures it changes, on any store."""
    figs = timed(figures_of(store, today), runs)
    return figs, timed(action_on(store, today), runs * 5)


def interleaved(
    first: Callable[[], None], second: Callable[[], None], n: int
) -> tuple[list[float], list[float]]:
    """``first`` and ``second`` in turn, ``n`` times each: on a shared machine both then
    meet the same moments, and their ratio measures them, not the neighbours."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(n):
        a += timed(first, 1)
        b += timed(second, 1)
    return a, b


def bench_queries(db: Path, runs: int) -> list[Figure]:
    from kt_tui.core.store import open_store

    store = open_store(str(db))
    ours, acts = time_store(store, date.today(), runs)
    floors = timed(lambda: raw_status(db), runs)
    store.dispose()
    ratio = statistics.median(ours) / statistics.median(floors)
    return [
        Figure("readiness queries (in process)", ours, floor="raw aggregation", ratio=ratio,
               target="<= 1.3x floor", met=ratio <= 1.3),
        Figure("  floor: raw sqlite3 aggregation", floors),
        Figure("one action + its figures (in process)", [a * 1000 for a in acts], unit="ms",
               target="<= 5 ms", met=statistics.median(acts) * 1000 <= 5),
    ]  # fmt: skip


# the floors before 2026-11-27 wrote fewer columns than the export: kept for reference
FLOOR_19 = (
    "SELECT t.key || '/' || i.key, t.key, i.key, i.title, t.kind, t.scope, m.handle, s.key, "
    "i.stage, n.weight, n.state, n.due, n.done_by, n.done_at, n.signed_off_by, "
    "n.signed_off_at, n.evidence, n.note, n.reason FROM instance n "
    "JOIN item i ON i.id = n.item_id JOIN template t ON t.id = i.template_id "
    "LEFT JOIN member m ON m.id = n.member_id LEFT JOIN system s ON s.id = n.system_id "
    "WHERE n.retired = 0"
)


def floor_query(*, csv: bool) -> str:
    """The export's item rows as plain SQL for the sqlite3 shell: the same rows and
    columns (the JSON items' fields; for CSV also awaiting_signoff and
    system_can_transfer, empty: it comes from the counters, not the row), each value
    as it is stored or as the rules module's SQL form computes it, with no quoting,
    neutralising or layout of our own: that is what the shell adds, in C."""
    from sqlalchemy import String, case, func, literal, select
    from sqlalchemy.dialects import sqlite

    from kt_tui.core import rules
    from kt_tui.core.instances import ITEM_JSON_FIELDS
    from kt_tui.core.tables import INSTANCE as n
    from kt_tui.core.tables import ITEM as i
    from kt_tui.core.tables import MEMBER as m
    from kt_tui.core.tables import SIGNATURE as g
    from kt_tui.core.tables import SYSTEM as s
    from kt_tui.core.tables import TEMPLATE as t

    today = date.today()

    def flag(cond: Any) -> Any:
        return case((cond, literal("true")), else_=literal("false"))

    one = g.c.party + ":" + g.c.by + "@" + g.c.at
    signed = select(func.aggregate_strings(one, "; ")).where(g.c.instance_id == n.c.id)
    held = n.c.state.in_((rules.State.DONE, rules.State.SIGNED_OFF))
    values = {
        "ref": t.c.key + "/" + i.c.key, "template": t.c.key, "item": i.c.key,
        "title": i.c.title, "kind": t.c.kind, "scope": t.c.scope, "member": m.c.handle,
        "system": s.c.key, "stage": i.c.stage, "weight": n.c.weight, "state": n.c.state,
        "due": n.c.due, "done_by": n.c.done_by, "done_at": n.c.done_at,
        "signed_off_by": n.c.signed_off_by, "signed_off_at": n.c.signed_off_at,
        "evidence": n.c.evidence, "note": n.c.note, "reason": n.c.reason, "id": n.c.id,
        "complete": flag(rules.complete_on_sql(today)),
        "overdue": flag(rules.overdue_on_sql(today)), "lapsed": flag(rules.lapsed_sql(today)),
        "waiting_on": rules.waiting_refs_sql(today, after=i.c.after), "owner": i.c.owner,
        "parties": i.c.parties, "score": n.c.score, "sent_back": flag(n.c.sent_back == True),  # noqa: E712
        "signatures": case((held, signed.scalar_subquery()), else_=None),
    }  # fmt: skip
    assert tuple(values) == ITEM_JSON_FIELDS
    if csv:
        values["awaiting_signoff"] = flag(rules.awaiting_sql())
        values["system_can_transfer"] = literal(None, String)
    source = (
        n.join(i, i.c.id == n.c.item_id)
        .join(t, t.c.id == i.c.template_id)
        .outerjoin(m, m.c.id == n.c.member_id)
        .outerjoin(s, s.c.id == n.c.system_id)
    )
    query = (
        select(*(v.label(k) for k, v in values.items()))
        .select_from(source)
        .where(n.c.retired == False)  # noqa: E712
        .order_by(n.c.id)
    )
    sql = query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
    return str(sql)


def bench_cli(db: Path, work: Path, runs: int) -> list[Figure]:
    status = timed(lambda: cli(db, "status", "--json"), runs)
    n = max(runs * 3, 9)  # a process's start-up is noisy: several, in turn with the floor
    verbs = iter(["done", "undo"] * n)
    start, done = interleaved(
        lambda: subprocess.run([PY, "-c", "import sqlmodel"], check=True),
        lambda: cli(db, next(verbs), "system-docs/doc-0002", "--system", "sys002"),
        n,
    )
    floor = statistics.median(start)
    out = [
        Figure("status --json (CLI)", status),
        Figure("done (CLI)", done, floor="import sqlmodel", ratio=statistics.median(done) / floor,
               target="<= floor + 100 ms", met=statistics.median(done) <= floor + 0.100),
        Figure("  floor: python -c 'import sqlmodel'", start),
    ]  # fmt: skip
    csv_floor: list[float] = []
    if shutil.which("sqlite3"):

        def sqlite_csv() -> None:  # into a file, as the export writes one
            with open(work / "floor.csv", "wb") as fh:
                command = ["sqlite3", "-csv", "-header", str(db), floor_query(csv=True)]
                subprocess.run(command, check=True, stdout=fh)

        def sqlite_csv_19() -> None:  # the floor before 2026-11-27: 19 of the columns
            with open(work / "floor19.csv", "wb") as fh:
                command = ["sqlite3", "-csv", "-header", str(db), FLOOR_19]
                subprocess.run(command, check=True, stdout=fh)

        csv_floor = timed(sqlite_csv, runs)
        csv_floor_19 = timed(sqlite_csv_19, runs)
    for fmt in ("csv", "json", "md", "html"):
        target = work / f"summary.{fmt}"
        try:
            runs_fmt = timed(
                lambda fmt=fmt, target=target: cli(db, "export", fmt, "-o", str(target)), runs
            )  # type: ignore[misc]
        except subprocess.CalledProcessError as exc:
            print(f"export {fmt} failed: {exc.stderr.decode()[-300:]}", file=sys.stderr)
            continue
        fig = Figure(f"export {fmt} (CLI)", runs_fmt)
        if fmt == "csv" and csv_floor:
            fig.floor = "sqlite3 -csv"
            fig.ratio = statistics.median(runs_fmt) / statistics.median(csv_floor)
            fig.target = "<= 2x floor"
            fig.met = fig.ratio <= 2
        out.append(fig)
    if csv_floor:
        out.append(Figure("  floor: sqlite3 -csv, same rows and columns", csv_floor))
        ours = next((f for f in out if f.name == "export csv (CLI)"), None)
        before = ours.median / statistics.median(csv_floor_19) if ours else None
        out.append(Figure("  (floor before: 19 of the columns)", csv_floor_19, ratio=before))
    exports = {k: mb for k, mb in PEAKS.items() if k.startswith("export")}
    if exports:
        worst = max(exports, key=exports.__getitem__)
        peak = exports[worst]
        out.append(Figure(f"peak memory of any export ({worst})", [peak], unit="MB",
                          target="<= 200 MB", met=peak <= 200))  # fmt: skip
    return out


def bench_more_exports(db: Path, work: Path, runs: int, figs: list[Figure]) -> list[Figure]:
    """The JSON floor, md/html against their 3 s, and the full listing's rate."""
    out: list[Figure] = []
    by_name = {f.name: f for f in figs}
    if shutil.which("sqlite3"):

        def sqlite_json() -> None:
            with open(work / "floor.json", "wb") as fh:
                command = ["sqlite3", "-json", str(db), floor_query(csv=False)]
                subprocess.run(command, check=True, stdout=fh)

        def sqlite_json_instance() -> None:  # the floor before 2026-11-27: the instance table
            with open(work / "floor0.json", "wb") as fh:
                command = ["sqlite3", "-json", str(db), "SELECT * FROM instance WHERE retired = 0"]
                subprocess.run(command, check=True, stdout=fh)

        floor = timed(sqlite_json, runs)
        floor_0 = timed(sqlite_json_instance, runs)
        if (ours := by_name.get("export json (CLI)")) is not None:
            ours.floor, ours.ratio = "sqlite3 -json", ours.median / statistics.median(floor)
            ours.target, ours.met = "<= 2x floor", ours.ratio <= 2
        out.append(Figure("  floor: sqlite3 -json, same rows and fields", floor))
        before = ours.median / statistics.median(floor_0) if ours else None
        out.append(Figure("  (floor before: the instance table)", floor_0, ratio=before))
    for fmt in ("md", "html"):
        if (ours := by_name.get(f"export {fmt} (CLI)")) is not None:
            ours.target, ours.met = "<= 3 s", ours.median <= 3
    listing = work / "list.txt"

    def full_list() -> None:
        with open(listing, "wb") as fh:
            subprocess.run(
                [PY, "-m", "kt_tui", "--db", str(db), "list", "--limit", "0"],
                check=True, stdout=fh, env={**os.environ, "KT_USER": LEAD},
            )  # fmt: skip

    took = timed(full_list, 1)
    with open(listing, "rb") as fh:
        rows = max(0, sum(1 for _ in fh) - 2)
    rate = rows / took[0] / 1000
    out.append(Figure("list --limit 0 to a file (k rows/s)", [rate], unit=" ",
                      target=">= 200k rows/s", met=rate >= 200))  # fmt: skip
    return out


def bench_header(db: Path, runs: int, dashboard: Figure) -> list[Figure]:
    """The report's header (status, burn-up, verdict) against the dashboard's figures."""
    from kt_tui.core.clock import SYSTEM_CLOCK
    from kt_tui.core.identity import resolve_actor
    from kt_tui.core.store import open_store
    from kt_tui.export.report import build_report

    store = open_store(str(db))
    with store.read() as conn:
        lead = resolve_actor(store, conn, LEAD)
    header = timed(lambda: build_report(store, actor=lead, clock=SYSTEM_CLOCK, items=False), runs)
    store.dispose()
    ratio = statistics.median(header) / dashboard.median
    return [Figure("report header (status, burn-up, verdict)", header,
                   floor="dashboard figures", ratio=ratio, target="<= 2x floor",
                   met=ratio <= 2)]  # fmt: skip


def bench_revive(work: Path, folder: Path, first: Figure) -> list[Figure]:
    """A sync that revives every instance against the first sync of them."""
    from kt_tui.core.store import open_store
    from kt_tui.core.sync import sync

    db = work / "revive.db"
    roster = work / "roster-only"
    roster.mkdir(exist_ok=True)
    shutil.copyfile(folder / "team.toml", roster / "team.toml")
    fresh(db)
    store = open_store(str(db))
    sync(store, folder, actor="bench", login="bench")
    sync(store, roster, actor="bench", login="bench")  # retires every instance
    took = timed(lambda: sync(store, folder, actor="bench", login="bench"), 1)
    store.dispose()
    ratio = took[0] / first.median
    return [Figure("sync reviving every instance", took, floor="first sync", ratio=ratio,
                   target="<= 1.2x floor", met=ratio <= 1.2)]  # fmt: skip


def bench_tui(db: Path, runs: int) -> list[Figure]:
    probe = Path(__file__).with_name("tui_probe.py")
    if not probe.exists():
        return []
    results: dict[str, list[float]] = {}
    for mode in ("bare", "app"):
        for _ in range(max(runs, 5)):  # start-up times are noisy: more runs
            out = subprocess.run(
                [PY, str(probe), mode, str(db)], check=True, capture_output=True, text=True,
                env={**os.environ, "KT_USER": LEAD},
            ).stdout  # fmt: skip
            for line in out.splitlines():
                key, _, value = line.partition("=")
                results.setdefault(f"{mode}:{key}", []).extend(float(v) for v in value.split(","))
    figs: list[Figure] = []
    bare = results.get("bare:first_frame")
    first = results.get("app:first_frame")
    if first and bare:
        ratio = statistics.median(first) / statistics.median(bare)
        figs += [
            Figure("TUI first frame", first, floor="bare Textual app", ratio=ratio,
                   target="<= 1.3x floor", met=ratio <= 1.3),
            Figure("  floor: bare Textual app, one static screen", bare),
        ]  # fmt: skip
    if loaded := results.get("app:dashboard"):
        figs.append(Figure("TUI dashboard populated", loaded, target="<= 1.5 s",
                           met=statistics.median(loaded) <= 1.5))  # fmt: skip
    if keys := results.get("app:toggle_ms"):
        keys.sort()
        p95 = keys[min(len(keys) - 1, int(len(keys) * 0.95))]
        figs.append(Figure("TUI key -> next frame, 100k checklist", keys, unit="ms",
                           target="median <= 16, p95 <= 33 ms",
                           met=statistics.median(keys) <= 16 and p95 <= 33))  # fmt: skip
        figs.append(Figure("  95th percentile", [p95], unit="ms"))
    if mem := results.get("app:peak_mb"):
        figs.append(Figure("TUI peak memory", mem, unit="MB", target="<= 200 MB",
                           met=max(mem) <= 200))  # fmt: skip
    return figs


def show(figs: list[Figure], instances: int) -> None:
    import platform

    print(f"\nkt-tui benchmark: {instances:,} instances; {date.today()}; "
          f"{os.cpu_count()} cores; Python {platform.python_version()}")  # fmt: skip
    head = f"{'figure':44} {'median':>10} {'min':>10} {'max':>10}  {'ratio':>7}  target"
    print(head)
    print("-" * len(head))
    for f in figs:
        ratio = f"{f.ratio:.2f}x" if f.ratio is not None else ""
        verdict = "" if f.met is None else ("  ok" if f.met else "  MISSED")
        unit = f.unit
        print(
            f"{f.name:44} {f.median:>9.3f}{unit[0]} {min(f.runs):>9.3f}{unit[0]} "
            f"{max(f.runs):>9.3f}{unit[0]}  {ratio:>7}  {f.target}{verdict}"
        )
    print("(s = seconds, m = milliseconds, M = megabytes)")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    p.add_argument("--instances", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--keep", type=Path, help="work in this folder and keep it")
    p.add_argument("--pg", metavar="URL", help="also measure PostgreSQL (an admin URL: "
                   "bench creates and drops a database of its own)")  # fmt: skip
    a = p.parse_args(argv)
    work = a.keep or Path(tempfile.mkdtemp(prefix="kt-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    size = size_for(a.instances)
    folder = write(work / "handover", size)
    print(f"generated {size.instances:,} instances in {folder}", file=sys.stderr)
    figs: list[Figure] = []
    figs += bench_sync(work, folder, a.runs)
    db = work / "sync.db"
    figs += bench_revive(work, folder, figs[0])
    figs += bench_queries(db, a.runs)
    figs += bench_header(db, a.runs, next(f for f in figs if f.name.startswith("readiness")))
    figs += bench_cli(db, work, a.runs)
    figs += bench_more_exports(db, work, a.runs, figs)
    if a.pg:
        from bench.postgres import bench_postgres

        figs += bench_postgres(a.pg, folder, a.runs, db)
    try:
        figs += bench_tui(db, a.runs)
    except subprocess.CalledProcessError as exc:
        print(f"TUI probe failed: {exc.stderr[-500:] if exc.stderr else exc}", file=sys.stderr)
    show(figs, size.instances)
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
