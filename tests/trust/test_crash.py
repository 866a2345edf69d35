"""SIGKILL a sync of a large folder at random moments: the store stays whole, old or new."""

from __future__ import annotations

import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bench.generate import Size, write

KILLS = 10
BIG = Size(members=40, systems=20, per_member=4, items=160)


def state(db: Path) -> tuple[str, int, int]:
    """(integrity check, live instances, events)."""
    with sqlite3.connect(db) as conn:
        (check,) = conn.execute("PRAGMA integrity_check").fetchone()
        live = conn.execute("SELECT count(*) FROM instance WHERE retired = 0").fetchone()[0]
        events = conn.execute("SELECT count(*) FROM event").fetchone()[0]
    return check, live, events


def sync_cmd(db: Path, folder: Path) -> list[str]:
    return [sys.executable, "-m", "kt_tui", "--db", str(db), "--as", "m0000", "sync", str(folder)]


def copy_store(src: Path, dest: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{src}{suffix}").exists():
            shutil.copyfile(f"{src}{suffix}", f"{dest}{suffix}")


def test_killed_sync_leaves_old_or_new_state(tmp_path: Path) -> None:
    base = tmp_path / "base.db"
    small = write(tmp_path / "small", Size(members=10, systems=5, per_member=3, items=20))
    big = write(tmp_path / "big", BIG)
    subprocess.run(sync_cmd(base, small), check=True, capture_output=True)
    old = state(base)
    assert old[0] == "ok"

    timing = tmp_path / "timing.db"
    copy_store(base, timing)
    started = time.perf_counter()
    subprocess.run(sync_cmd(timing, big), check=True, capture_output=True)
    duration = time.perf_counter() - started

    rnd = random.Random(20261125)
    outcomes = []
    for i in range(KILLS):
        db = tmp_path / f"kill{i}.db"
        copy_store(base, db)
        p = subprocess.Popen(
            sync_cmd(db, big), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rnd.uniform(0.1, 1.0) * duration)
        p.send_signal(signal.SIGKILL)
        p.wait()
        check, live, events = state(db)
        assert check == "ok"
        if (live, events) == old[1:]:
            outcomes.append("old")
        else:
            assert (live, events) == (BIG.instances, old[2] + 1), "neither old nor new state"
            outcomes.append("new")
        done = subprocess.run(sync_cmd(db, big), capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert state(db) == ("ok", BIG.instances, old[2] + 1)
    assert "old" in outcomes, outcomes  # kills did land inside the sync
