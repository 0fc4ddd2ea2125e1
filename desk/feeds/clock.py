"""Time for feeds, injectable: a real clock in the desk, a fake one in tests (a 418 ban of
120 s is tested without waiting 120 s)."""

from __future__ import annotations

import asyncio
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
