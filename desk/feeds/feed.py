"""A feed: one client plus its health. `poll()` never raises: whatever goes wrong becomes the
feed's state and reason, and the other feeds go on."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from desk.feeds.errors import FeedError, Malformed
from desk.feeds.health import FeedHealth
from desk.feeds.pools.base import PoolClient
from desk.feeds.prices.base import PriceClient
from desk.feeds.records import Earning, Payout, Quote

log = logging.getLogger("desk.feeds")


@dataclass(slots=True)
class PollResult:
    feed: str
    earnings: list[Earning] = field(default_factory=list)
    payouts: list[Payout] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    error: FeedError | None = None
    latency_s: float = 0.0  # float-ok: a duration

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def count(self) -> int:
        return len(self.earnings) + len(self.payouts) + len(self.quotes)


class Feed:
    def __init__(self, client: PoolClient | PriceClient, stale_after: timedelta) -> None:
        self.client = client
        self.name = client.name
        self.kind = "pool" if isinstance(client, PoolClient) else "price"
        self.health = FeedHealth(self.name, stale_after)

    async def poll(self, since: date | None = None, until: date | None = None) -> PollResult:
        """One poll; for a pool, the window [since, until] of days (default: the last 2)."""
        clock = self.client.http.clock
        result = PollResult(self.name)
        started = time.perf_counter()
        try:
            if isinstance(self.client, PoolClient):
                until = until or clock.now().date()
                since = since or until - timedelta(days=1)
                result.earnings = await self.client.earnings(since, until)
                result.payouts = await self.client.payouts(since, until)
            else:
                result.quotes = await self.client.quotes()
        except asyncio.CancelledError:
            raise
        except FeedError as exc:
            result.error = exc
        except Exception as exc:  # a parser bug must not take the desk down: it is this feed's problem
            log.exception("feed %s failed unexpectedly", self.name)
            result.error = Malformed(f"{self.name}: unexpected {type(exc).__name__} while reading the answer")
        result.latency_s = time.perf_counter() - started
        if result.error is None:
            self.health.record_ok(clock.now(), result.count, result.latency_s)
        else:
            self.health.record_failure(clock.now(), result.error, result.latency_s)
            log.warning("feed %s: %s", self.name, result.error.reason)
        return result


async def poll_all(feeds: list[Feed]) -> list[PollResult]:
    """Poll every feed at once; one feed's failure is only that feed's."""
    return list(await asyncio.gather(*(feed.poll() for feed in feeds)))
