"""Time in one place, so tests can fix it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime


def _system_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Clock:
    """``now`` in UTC and ``today`` as the local date; both fixed in tests."""

    now_fn: Callable[[], datetime] = field(default=_system_now)
    today_fn: Callable[[], date] = field(default=date.today)

    def now(self) -> datetime:
        return self.now_fn().astimezone(UTC)

    def today(self) -> date:
        return self.today_fn()

    def stamp(self) -> str:
        """The current time in the one canonical form the store keeps."""
        return utc_stamp(self.now())

    @classmethod
    def fixed(cls, at: datetime, today: date | None = None) -> Clock:
        day = today or at.date()
        return cls(now_fn=lambda: at, today_fn=lambda: day)


def utc_stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


SYSTEM_CLOCK = Clock()
