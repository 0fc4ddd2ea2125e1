"""The reconciliation read live for a face: the pools and the chain asked once, over a
client opened for this read and closed after, so a screen that is not reading holds no
sockets. `now` is the face's clock, so a desk under a fixed test clock reports fixed times."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from desk.config import DeskSettings
from desk.feeds.clock import CallableClock
from desk.feeds.http import http_session
from desk.reconcile.view import ReconciliationView, load_view
from desk.register import Register


async def read_view(
    settings: DeskSettings, register: Register, now: Callable[[], datetime], *, since: date, until: date
) -> ReconciliationView:
    """`since`..`until` reconciled against the pools live and the chain when watched."""
    async with http_session(clock=CallableClock(now)) as http:
        return await load_view(settings, register, http, since=since, until=until)
