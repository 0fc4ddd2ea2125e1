"""The proof of reserves read live for a face: each reserve address asked of its chain once,
over a client opened for this read and closed after. `now` is the face's clock, so the
proof's "as of" times follow a screen's fixed test clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from desk.config import DeskSettings
from desk.feeds.clock import CallableClock
from desk.feeds.http import http_session
from desk.proof.chains import ChainReader
from desk.proof.proof import ReserveReport, check_reserves
from desk.register import Register


async def read_proof(settings: DeskSettings, register: Register, now: Callable[[], datetime]) -> ReserveReport:
    """Every reserve address on chain against the register, now."""
    async with http_session(clock=CallableClock(now)) as http:
        return await check_reserves(settings, register, ChainReader(settings, http))
