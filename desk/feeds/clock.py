"""Time for feeds, injectable: a real clock in the desk, a fake one in tests (a 418 ban of
120 s is tested without waiting 120 s)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:  # float-ok: a duration
        await asyncio.sleep(seconds)


class FakeClock(Clock):
    """Time that moves only when told to (or when something sleeps on it)."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:  # float-ok: a duration
        self._now += timedelta(seconds=seconds)

    async def sleep(self, seconds: float) -> None:  # float-ok: a duration
        self.advance(seconds)
        await asyncio.sleep(0)


class CallableClock(Clock):
    """`now()` read from a function (a screen's own clock, fixed in its tests), sleeping real:
    a read for a face reports the face's "as of" time."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now()
