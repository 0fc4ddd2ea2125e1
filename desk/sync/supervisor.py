"""Each feed's loop under a supervisor: an unexpected error (a bug of desk's, not a fault of
the source, which the loop handles itself) does not end the loop silently. The supervisor
turns it into a `Crashed` error with a traceback id (desk/feeds/crash.py), hands it to
`on_crash` (the engine marks the feed down, says so in the JSON log and the register), waits,
and starts the loop again: 5 s after the first crash, twice as long after each next one,
at most 5 minutes, back to 5 s once the feed has polled well again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from desk.feeds.crash import crashed
from desk.feeds.errors import Crashed

FIRST_BACKOFF_S = 5.0  # float-ok: seconds

#: (feed, kind, the error, seconds until the restart) -> noted
OnCrash = Callable[[str, str, Crashed, float], Awaitable[object]]  # float-ok: seconds


class Supervisor:
    def __init__(
        self,
        on_crash: OnCrash,
        *,
        first_s: float = FIRST_BACKOFF_S,  # float-ok: seconds
        most_s: float = 60 * FIRST_BACKOFF_S,  # float-ok: seconds
    ) -> None:
        self.on_crash = on_crash
        self.first_s = first_s
        self.most_s = most_s
        self._backoff: dict[str, float] = {}  # float-ok: seconds
        #: crashes per feed since the process started (tests and the screen read it)
        self.crashes: dict[str, int] = {}

    def succeeded(self, name: str) -> None:
        """`name` polled well: its next crash waits the shortest time again."""
        self._backoff.pop(name, None)

    async def run(
        self,
        name: str,
        kind: str,
        loop: Callable[[], Awaitable[None]],
        stop: asyncio.Event,
        wake: asyncio.Event | None = None,
    ) -> None:
        """Run `loop()` until it returns (it does when `stop` is set), restarting it after
        each unexpected error. A `wake` (poll now) cuts the wait before a restart short."""
        while not stop.is_set():
            try:
                await loop()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                delay = self._backoff.get(name, self.first_s)
                self._backoff[name] = min(self.most_s, delay * 2)
                self.crashes[name] = self.crashes.get(name, 0) + 1
                await self.on_crash(name, kind, crashed(name, exc, "ran its loop"), delay)
                await _wait(stop, wake, delay)


async def _wait(stop: asyncio.Event, wake: asyncio.Event | None, seconds: float) -> None:  # float-ok
    if wake is not None:
        wake.clear()
    waits = {asyncio.ensure_future(stop.wait())}
    if wake is not None:
        waits.add(asyncio.ensure_future(wake.wait()))
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()
