"""Four processes acting on one store at once: no lost update, no 'database is locked'."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import func, select

from kt_tui.core import verify
from kt_tui.core.clock import Clock
from kt_tui.core.models import Event, Instance
from kt_tui.core.store import open_store
from kt_tui.core.sync import sync
from tests.helpers import write_tiny

WORKER = textwrap.dedent(
    """
    import json, random, sys
    from kt_tui.core import actions
    from kt_tui.core.errors import Refused
    from kt_tui.core.identity import resolve_actor
    from kt_tui.core.store import open_store

    url, who, seed, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    rnd = random.Random(seed)
    store = open_store(url)
    with store.read() as conn:
        actor = resolve_actor(store, conn, who)
    ok = refused = 0
    for i in range(n):
        iid = rnd.randint(1, 14)
        verb = rnd.choice(["note", "note", "done", "undo", "evidence"])
        try:
            if verb in ("note", "evidence"):
                actions.act(store, actor, verb, iid, text=f"{who}-{i}")
            else:
                actions.act(store, actor, verb, iid, evidence="e")
            ok += 1
        except Refused:
            refused += 1
    print(json.dumps({"ok": ok, "refused": refused}))
    """
)


def test_four_processes_at_once(tmp_path: Path, db_url: str, clock: Clock) -> None:
    store = open_store(db_url)
    sync(store, write_tiny(tmp_path / "tiny"), actor="t", login="t", clock=clock)
    store.dispose()
    per_process = 75
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, db_url, who, str(seed), str(per_process)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed, who in enumerate(["lea", "lou", "lea", "lou"])
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert "locked" not in err
        results.append(json.loads(out))
    ok = sum(r["ok"] for r in results)
    assert sum(r["ok"] + r["refused"] for r in results) == 4 * per_process
    assert ok > 100
    store = open_store(db_url)
    with store.read() as conn:
        events = conn.execute(select(func.count()).select_from(Event)).scalar()
        versions = conn.execute(select(func.sum(Instance.version - 1))).scalar()  # type: ignore[operator]
        result = verify.verify(conn)
    store.dispose()
    assert events == ok + 1  # one per successful action, plus the sync
    assert versions == ok  # every successful action bumped exactly one version: none lost
    assert result.ok, result.problem
