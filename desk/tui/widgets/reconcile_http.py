"""One HTTP client for a screen's read of the pools and chains, on the app's clock.

The reconciliation, reserves and hashprice screens each read live sources for one refresh;
they open a session for that read and close it after, so an idle screen holds no sockets.
The clock is the app's (`app.now()`), so a desk under a fixed test clock reports fixed
"as of" times.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import aiohttp

from desk.feeds.clock import Clock
from desk.feeds.http import HttpClient


class AppClock(Clock):
    """The feeds' clock reading the app's: `now()` is `app.now()`, sleeping is real."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now()


@asynccontextmanager
async def screen_http(app: Any) -> AsyncIterator[HttpClient]:
    """An HttpClient for one read, closed afterwards."""
    async with aiohttp.ClientSession() as session:
        yield HttpClient(session, clock=AppClock(app.now))
