"""Burn-up history and a completion forecast, replayed from the event log.

An instance's state over time is replayed from its own events (each carries
the state after it). A sync that raises a ``revision`` reopens instances
without per-instance events; an instance whose replayed state is complete but
whose stored state is not was reopened by the first such sync after its last
own event. Figures use each instance's *current* weight and sign-off flag,
over the instances that count today (not retired, not ``na``), so the last
point of the burn-up equals today's overall complete weight.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from kt_tui.core import rules
from kt_tui.core.tables import EVENT, INSTANCE

FORECAST_WINDOW_DAYS = 14

ON_TRACK = "on_track"
LATE = "late"
NO_PROGRESS = "no_progress"


@dataclass(frozen=True)
class Point:
    """The complete weight at the end of one (UTC) day."""

    day: date
    complete_weight: int
    total_weight: int

    @property
    def readiness(self) -> float | None:
        return self.complete_weight / self.total_weight if self.total_weight else None

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "complete_weight": self.complete_weight,
            "total_weight": self.total_weight,
            "readiness": self.readiness,
        }


@dataclass(frozen=True)
class Forecast:
    status: str  # on_track | late | no_progress
    text: str  # "on track", "late by N days", "not enough progress to forecast"
    target_date: date
    completion_date: date | None
    late_by_days: int | None
    rate_per_day: float  # weight completed per day over the window
    window_days: int
    remaining_weight: int
    total_weight: int

    @property
    def is_late(self) -> bool:
        return self.status == LATE

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "text": self.text,
            "target_date": self.target_date.isoformat(),
            "completion_date": self.completion_date.isoformat() if self.completion_date else None,
            "late_by_days": self.late_by_days,
            "rate_per_day": round(self.rate_per_day, 4),
            "window_days": self.window_days,
            "remaining_weight": self.remaining_weight,
            "total_weight": self.total_weight,
        }


def _day(stamp: str) -> date:
    return date.fromisoformat(stamp[:10])


def sync_reopened(detail: str | None) -> int:
    if not detail:
        return 0
    try:
        counts = json.loads(detail).get("counts", {})
        return int(counts.get("reopened", 0) or 0)
    except (ValueError, AttributeError, TypeError):
        return 0


def _reopened_ids(detail: str | None) -> list[int] | None:
    """The instances a sync reopened, where its event lists them."""
    try:
        ids = json.loads(detail or "{}").get("reopened_ids")
    except (ValueError, AttributeError):
        return None
    if not isinstance(ids, list):
        return None
    return [i for i in ids if isinstance(i, int)]


def burn_up(conn: Connection, today: date) -> list[Point]:
    """Complete weight per day from the first event's day to ``today`` (inclusive)."""
    # Only instances some event names can ever have been complete: load those
    # alone (a million fresh instances cost nothing here), and sum the rest in SQL.
    touched = select(EVENT.c.instance_id).where(EVENT.c.instance_id.is_not(None))
    counted = {
        r.id: (int(r.weight), bool(r.signoff), r.state)
        for r in conn.execute(
            select(INSTANCE.c.id, INSTANCE.c.weight, INSTANCE.c.signoff, INSTANCE.c.state).where(
                rules.counted_sql(), INSTANCE.c.id.in_(touched)
            )
        )
    }
    for detail in conn.execute(select(EVENT.c.detail).where(EVENT.c.verb == "sync")).scalars():
        missing = [i for i in _reopened_ids(detail) or [] if i not in counted]
        for chunk in (missing[i : i + 900] for i in range(0, len(missing), 900)):
            for r in conn.execute(
                select(
                    INSTANCE.c.id, INSTANCE.c.weight, INSTANCE.c.signoff, INSTANCE.c.state
                ).where(rules.counted_sql(), INSTANCE.c.id.in_(chunk))
            ):
                counted[r.id] = (int(r.weight), bool(r.signoff), r.state)
    total = int(
        conn.execute(
            select(func.coalesce(func.sum(INSTANCE.c.weight), 0)).where(rules.counted_sql())
        ).scalar()
        or 0
    )

    def complete(iid: int, state: str | None) -> bool:
        return state is not None and rules.is_complete(state, counted[iid][1])

    first_day: date | None = None
    state: dict[int, str] = {}
    last_event: dict[int, int] = {}
    # iid -> [(event id, day, complete after it)]
    flips: dict[int, list[tuple[int, date, bool]]] = defaultdict(list)
    reopen_syncs: list[tuple[int, date]] = []
    q = select(
        EVENT.c.id, EVENT.c.at, EVENT.c.verb, EVENT.c.instance_id, EVENT.c.after, EVENT.c.detail
    )
    for e in conn.execute(q.order_by(EVENT.c.id)):
        day = _day(e.at)
        if first_day is None:
            first_day = day
        if e.instance_id is None:
            if e.verb == "sync" and sync_reopened(e.detail):
                ids = _reopened_ids(e.detail)
                if ids is None:  # an older sync event: which ones is inferred below
                    reopen_syncs.append((e.id, day))
                changes = [(iid, rules.State.TODO) for iid in ids or [] if iid in counted]
            else:
                continue
        elif e.instance_id in counted and e.after:
            changes = [(e.instance_id, e.after)]
        else:
            continue
        for iid, after in changes:
            was = complete(iid, state.get(iid, rules.State.TODO))
            state[iid] = after
            last_event[iid] = e.id
            now = complete(iid, after)
            if now != was:
                flips[iid].append((e.id, day, now))
    if first_day is None:
        return []

    for iid, (_w, _so, stored) in counted.items():
        if complete(iid, state.get(iid, rules.State.TODO)) and not complete(iid, stored):
            own_last = last_event.get(iid, 0)
            when = next((d for sid, d in reopen_syncs if sid > own_last), today)
            flips[iid].append((10**18, when, False))

    delta: dict[date, int] = defaultdict(int)
    for iid, flipped in flips.items():
        weight = counted[iid][0]
        for _eid, day, now in flipped:
            delta[day] += weight if now else -weight

    end = max(today, first_day)
    points: list[Point] = []
    running = sum(v for d, v in delta.items() if d < first_day)
    day = first_day
    while day <= end:
        running += delta.get(day, 0)
        points.append(Point(day, running, total))
        day += timedelta(days=1)
    # events stamped after today (a skewed clock) still count on the last day
    later = sum(v for d, v in delta.items() if d > end)
    if later and points:
        last = points[-1]
        points[-1] = Point(last.day, last.complete_weight + later, total)
    return points


def forecast(
    points: list[Point],
    target_date: date,
    today: date,
    window_days: int = FORECAST_WINDOW_DAYS,
) -> Forecast:
    """The completion date at the rate of the last ``window_days`` days, against the target."""
    if not points:
        return Forecast(
            NO_PROGRESS, "not enough progress to forecast", target_date, None, None, 0.0, 0, 0, 0
        )
    last = points[-1]
    total = last.total_weight
    remaining = max(0, total - last.complete_weight)
    by_day = {p.day: p.complete_weight for p in points}
    start = last.day - timedelta(days=window_days)  # the day before the window
    if start < points[0].day:
        base = 0
        days = (last.day - points[0].day).days + 1
    else:
        base = by_day.get(start, 0)
        days = window_days
    rate = (last.complete_weight - base) / days if days > 0 else 0.0

    if total and remaining == 0:
        done_day = next((p.day for p in points if p.complete_weight >= total), last.day)
        status, text, when = ON_TRACK, "on track", done_day
    elif rate <= 0 or not total:
        return Forecast(
            NO_PROGRESS,
            "not enough progress to forecast",
            target_date,
            None,
            None,
            max(rate, 0.0),
            days,
            remaining,
            total,
        )
    else:
        when = today + timedelta(days=math.ceil(remaining / rate - 1e-9))
        if when <= target_date:
            status, text = ON_TRACK, "on track"
        else:
            n = (when - target_date).days
            status, text = LATE, f"late by {n} day{'s' if n != 1 else ''}"
    late_by = (when - target_date).days if status == LATE else None
    return Forecast(status, text, target_date, when, late_by, rate, days, remaining, total)
