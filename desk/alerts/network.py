"""Observations that read the outside world: the network hashprice (Esplora) and the open
reconciliation breaks (the pools and the chain against the register).

Each is asked at most once per `every` and the last answer reused in between, so a sync that
polls a feed every 30 s does not ask Esplora and every pool again each time. Failures become
gaps in the observations, never figures.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from desk.alerts.observations import OpenBreak
from desk.config import DeskSettings
from desk.feeds.chains.esplora import esplora_client
from desk.feeds.errors import FeedError
from desk.feeds.http import HttpClient
from desk.mining.hashprice import HashpriceUnavailable, hashprice_report
from desk.reconcile import reconcile
from desk.reconcile.engine import chain_for
from desk.register import Register

#: How often the outside world is asked again by default.
EVERY = timedelta(minutes=15)


class NetworkFacts:
    def __init__(
        self, settings: DeskSettings, register: Register, http: HttpClient, *, every: timedelta = EVERY
    ) -> None:
        self.settings = settings
        self.register = register
        self.http = http
        self.every = every
        self._cache: dict[str, tuple[datetime, Any]] = {}

    async def _cached(self, name: str, at: datetime, ask: Callable[[], Awaitable[Any]]) -> Any:
        kept = self._cache.get(name)
        if kept is not None and at - kept[0] < self.every:
            return kept[1]
        answer = await ask()
        self._cache[name] = (at, answer)
        return answer

    async def hashprice(self, at: datetime) -> tuple[Decimal | None, str | None]:
        """The expected hashprice in USD per PH/s per day, or why there is none."""

        async def ask() -> tuple[Decimal | None, str | None]:
            try:
                report = await hashprice_report(
                    self.settings, self.register, esplora_client(self.settings, self.http), at
                )
            except (HashpriceUnavailable, FeedError) as exc:
                return None, f"hashprice: {exc}"
            for priced in report.priced:
                if priced.currency in ("USD", "USDT") and priced.value is not None:
                    return priced.value, None
            return None, "hashprice: no USD price for BTC: " + "; ".join(p.missing or "" for p in report.priced)

        return await self._cached("hashprice", at, ask)

    async def breaks(self, at: datetime) -> tuple[list[OpenBreak], list[str]]:
        """The unexplained breaks over the configured reconciliation window ending today,
        and what could not be read."""

        async def ask() -> tuple[list[OpenBreak], list[str]]:
            until = at.date()
            since = until - timedelta(days=self.settings.reconcile.days - 1)
            try:
                run = await reconcile(
                    self.settings,
                    self.register,
                    self.http,
                    since=since,
                    until=until,
                    chain=chain_for(self.settings, self.http),
                    now=at,
                )
            except (FeedError, ValueError) as exc:
                return [], [f"reconciliation: {exc}"]
            found = [
                OpenBreak(b.id, f"{b.scope} {b.day.isoformat()} {b.kind.value}, difference {b.difference}: {b.why}")
                for b in run.open_breaks
            ]
            return found, [f"reconciliation: {p}" for p in run.problems]

        return await self._cached("breaks", at, ask)
