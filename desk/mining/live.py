"""Hashprice read live for a face: the network's figures asked of Esplora once, over a client
opened for this read and closed after, and only when the desk watches a bitcoin address
(otherwise the `[mining]` figures, or HashpriceUnavailable saying what is missing)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from desk.config import DeskSettings
from desk.feeds.chains.esplora import esplora_client
from desk.feeds.clock import CallableClock
from desk.feeds.http import http_session
from desk.mining.hashprice import HashpriceReport, hashprice_report
from desk.register import Register


async def read_hashprice(settings: DeskSettings, register: Register, now: Callable[[], datetime]) -> HashpriceReport:
    """Hashprice at `now()`, beside what the pools paid."""
    async with http_session(clock=CallableClock(now)) as http:
        watched = any(a.chain == "bitcoin" for a in settings.addresses)
        esplora = esplora_client(settings, http) if watched else None
        return await hashprice_report(settings, register, esplora, now())
