"""Burn-up history and a completion forecast, replayed from the event log.

An instance's state over time is replayed from its own events (each carries
the state after it). A sync that raises a ``revision`` reopens instances
without per-instance events; an instance whose replayed state is complete but
whose stored state is not was reopened by the first such sync after its last
own event. Figures use each instance's *current* weight and sign-off flag,
over the instances that count today (not retired, not ``na``), so the last
point of the burn-up equals today's overall complete weight. A completion of an
item with ``valid_for`` stops counting on its first lapsed day (rules.lapses_on,
from the event that completed it) until it is done again.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, select

from kt_tui.core import rollup, rules
from kt_tui.core.tables import EVENT, INSTANCE, ITEM

HISTORY_DAYS = 7  # between the first completion and today, before any forecast
PACE_DAYS = 28  # the pace is measured over this many days at most
RANGE_DAYS = 7  # the range: the slowest and the fastest window of this length
MAX_DAYS = 36_500  # a date past a hundred years is "not at this pace"

ON_TRACK = "on_track"
LATE = "late"
NO_PROGRESS = "no_progress"
NOT_ENOUGH_HISTORY = "not_enough_history"


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
    status: str  # on_track | late | no_progress | not_enough_history
    text: str  # "on track", "late by N days", "not at this pace", "not enough history (N days)"
    target_date: date
    completion_date: date | None
    late_by_days: int | None
    rate_per_day: float  # complete weight gained per day over the pace period
    window_days: int  # the pace period: the last 28 days, or since the first completion
    remaining_weight: int
    total_weight: int
    # the range: at the fastest and the slowest 7-day pace of that period (None: never)
    earliest_date: date | None = None
    latest_date: date | None = None

    @property
    def is_late(self) -> bool:
        return self.status == LATE

    def to_json(self) -> dict[str, Any]:
        def iso(d: date | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "status": self.status,
            "text": self.text,
            "target_date": self.target_date.isoformat(),
            "completion_date": iso(self.completion_date),
            "earliest_date": iso(self.earliest_date),
            "latest_date": iso(self.latest_date),
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


def burn_up(conn: Connection, today: date, start: date | None = None) -> list[Point]:
    """Complete weight per day to ``today`` (inclusive), from the handover's ``start``
    (its start_date), or from the first event's day where that is earlier or no start
    is set (DESIGN "Burn-up and forecast"): work logged before the start is history
    too, and starting after it would count it as gained on the first day."""
    # Only instances some event names can ever have been complete: load those
    # alone (a million fresh instances cost nothing here), and sum the rest in SQL.
    touched = select(EVENT.c.instance_id).where(EVENT.c.instance_id.is_not(None))
    # id -> (weight, signoff, stored state, valid_days): as stored today
    columns = (
        INSTANCE.c.id,
        INSTANCE.c.weight,
        INSTANCE.c.signoff,
        INSTANCE.c.state,
        ITEM.c.valid_days,
    )
    counted_q = select(*columns).join(ITEM, ITEM.c.id == INSTANCE.c.item_id)
    counted: dict[int, tuple[int, bool, str, int | None]] = {
        r.id: (int(r.weight), bool(r.signoff), r.state, r.valid_days)
        for r in conn.execute(counted_q.where(rules.counted_sql(), INSTANCE.c.id.in_(touched)))
    }
    for detail in conn.execute(select(EVENT.c.detail).where(EVENT.c.verb == "sync")).scalars():
        missing = [i for i in _reopened_ids(detail) or [] if i not in counted]
        for chunk in (missing[i : i + 900] for i in range(0, len(missing), 900)):
            for r in conn.execute(counted_q.where(rules.counted_sql(), INSTANCE.c.id.in_(chunk))):
                counted[r.id] = (int(r.weight), bool(r.signoff), r.state, r.valid_days)
    # today's counted weight, from the rollup's totals rows (a sum over every instance
    # was most of the report header's time at a million)
    total = sum(g.weight for g in rollup.sums_by_stage(conn))

    def complete(iid: int, state: str | None) -> bool:
        return state is not None and rules.is_complete(state, counted[iid][1])

    first_day: date | None = None
    state: dict[int, str] = {}
    last_event: dict[int, int] = {}
    # iid -> [(day, complete and not lapsed from that day on)]
    flips: dict[int, list[tuple[date, bool]]] = defaultdict(list)
    holds: dict[int, bool] = {}  # complete and not lapsed, after the events replayed so far
    lapsed_from: dict[int, date] = {}  # the first day the current completion is lapsed

    def lapse_before(iid: int, day: date) -> None:
        """A completion that lapsed before ``day`` stops counting on its first lapsed day."""
        first = lapsed_from.get(iid)
        if first is not None and first <= day and holds.get(iid):
            flips[iid].append((first, False))
            holds[iid] = False
            del lapsed_from[iid]

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
            lapse_before(iid, day)
            before = state.get(iid, rules.State.TODO)
            was = complete(iid, before)
            state[iid] = after
            last_event[iid] = e.id
            now = complete(iid, after)
            # a new completion: from incomplete, or done again on a lapsed one
            starts = now and (not was or rules.may_redo(e.verb, before, lapsed=True))
            if starts or not now:
                lapsed_from.pop(iid, None)
            if starts:
                _w, signoff, _st, valid_days = counted[iid]
                ends = rules.lapses_on(after, signoff, e.at, valid_days)
                if ends is not None:
                    lapsed_from[iid] = rules.first_lapsed_day(ends)
            if (starts or not now) and now != holds.get(iid, False):
                flips[iid].append((day, now))
                holds[iid] = now
    if first_day is None:
        return []

    for iid, (_w, _so, stored, _v) in counted.items():
        if complete(iid, state.get(iid, rules.State.TODO)) and not complete(iid, stored):
            own_last = last_event.get(iid, 0)
            when = next((d for sid, d in reopen_syncs if sid > own_last), today)
            lapse_before(iid, when)
            if holds.get(iid):
                flips[iid].append((when, False))
                holds[iid] = False
    for iid in list(lapsed_from):
        lapse_before(iid, today)  # lapsed by today: out of today's complete weight

    delta: dict[date, int] = defaultdict(int)
    for iid, flipped in flips.items():
        weight = counted[iid][0]
        for day, now in flipped:
            delta[day] += weight if now else -weight

    if start is not None and start < first_day:
        first_day = start  # the days before the first event, from the handover's start
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


def forecast(points: list[Point], target_date: date, today: date) -> Forecast:
    """When everything will be complete at the recent pace (DESIGN "Burn-up and forecast").

    It needs HISTORY_DAYS between the first completion and today; the pace is the
    complete weight gained over the last PACE_DAYS (or since the first completion)
    per day, and the range comes from the slowest and the fastest RANGE_DAYS window
    of that period. A pace of zero, or a date past MAX_DAYS, is "not at this pace".
    """
    total = points[-1].total_weight if points else 0
    last = points[-1] if points else None
    remaining = max(0, total - last.complete_weight) if last else 0

    def result(status: str, text: str, *rest: Any) -> Forecast:
        return Forecast(status, text, target_date, *rest)

    if last is not None and total and remaining == 0:
        done_day = next((p.day for p in points if p.complete_weight >= total), last.day)
        return result(ON_TRACK, "on track", done_day, None, 0.0, 0, 0, total)
    first = next((p.day for p in points if p.complete_weight > 0), None)
    history = (today - first).days if first is not None else 0
    if last is None or first is None or history < HISTORY_DAYS:
        n = max(0, history)
        text = f"not enough history ({n} day{'s' if n != 1 else ''})"
        return result(NOT_ENOUGH_HISTORY, text, None, None, 0.0, 0, remaining, total)
    by_day = {p.day: p.complete_weight for p in points}

    def weight_on(day: date) -> int:
        """Complete weight at the end of ``day`` (0 before the history starts)."""
        if day < points[0].day:
            return 0
        return by_day.get(day, last.complete_weight)

    start = max(last.day - timedelta(days=PACE_DAYS), first - timedelta(days=1))
    days = (last.day - start).days
    rate = (last.complete_weight - weight_on(start)) / days
    paces = [
        (weight_on(start + timedelta(days=i + RANGE_DAYS)) - weight_on(start + timedelta(days=i)))
        / RANGE_DAYS
        for i in range(0, max(1, days - RANGE_DAYS + 1))
    ]

    def reached(pace: float) -> date | None:
        if pace <= 0:
            return None
        needed = math.ceil(remaining / pace - 1e-9)
        return today + timedelta(days=needed) if needed <= MAX_DAYS else None

    when = reached(rate)
    if when is None:
        return result(NO_PROGRESS, "not at this pace", None, None, max(rate, 0.0), days,
                      remaining, total)  # fmt: skip
    if when <= target_date:
        status, text, late_by = ON_TRACK, "on track", None
    else:
        late_by = (when - target_date).days
        status, text = LATE, f"late by {late_by} day{'s' if late_by != 1 else ''}"
    return result(status, text, when, late_by, rate, days, remaining, total,
                  reached(max(paces)), reached(min(paces)))  # fmt: skip
