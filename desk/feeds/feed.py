"""A feed: one client plus its health. `poll()` never raises: whatever goes wrong becomes the
feed's state and reason, and the other feeds go on. A fault of the source (an error answer,
a malformed one) is a `FeedError`; a fault of desk's own code while reading it is `Crashed`,
with its traceback logged under an id (desk/feeds/crash.py)."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from desk.feeds.crash import crashed
from desk.feeds.errors import FeedError
from desk.feeds.health import FeedHealth
from desk.feeds.pools.base import PoolClient
from desk.feeds.prices.base import PriceClient
from desk.feeds.records import Earning, Hashrate, Payout, Quote, Refusal

log = logging.getLogger("desk.feeds")


@dataclass(slots=True)
class PollResult:
    feed: str
    earnings: list[Earning] = field(default_factory=list)
    payouts: list[Payout] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    hashrates: list[Hashrate] = field(default_factory=list)
    #: rows of the answer refused alone (the rest above is good), and how many rows it had
    refused: list[Refusal] = field(default_factory=list)
    rows: int = 0
    #: what the poll could not do although it succeeded (a hashrate not read)
    warnings: list[str] = field(default_factory=list)
    error: FeedError | None = None
    latency_s: float = 0.0  # float-ok: a duration

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def count(self) -> int:
        return len(self.earnings) + len(self.payouts) + len(self.quotes)

    def problems(self) -> tuple[str, ...]:
        """The health reasons of a good poll: refused rows, then warnings."""
        found = [refused_reason(len(self.refused), self.rows, self.refused[0].reason)] if self.refused else []
        return (*found, *self.warnings)


def refused_reason(count: int, rows: int, first: str) -> str:
    """`1 of 214 rows refused: <the first one's reason>`."""
    return f"{count} of {rows} rows refused: {first}"


class Feed:
    def __init__(self, client: PoolClient | PriceClient, stale_after: timedelta) -> None:
        self.client = client
        self.name = client.name
        self.kind = "pool" if isinstance(client, PoolClient) else "price"
        self.health = FeedHealth(self.name, stale_after)

    async def poll(
        self, since: date | None = None, until: date | None = None, *, note_problems: bool = True
    ) -> PollResult:
        """One poll; for a pool, the window [since, until] of days (default: the last 2),
        and the pool's hashrate when the window reaches today. A good poll's problems
        (refused rows, warnings) are noted on the health unless the caller knows better
        (`note_problems=False`: the sync, which knows which refused rows an operator has
        acknowledged, notes them itself)."""
        clock = self.client.http.clock
        result = PollResult(self.name)
        started = time.perf_counter()
        try:
            if isinstance(self.client, PoolClient):
                today = clock.now().date()
                until = until or today
                since = since or until - timedelta(days=1)
                window = await self.client.window(since, until)
                result.earnings, result.payouts = window.earnings, window.payouts
                result.hashrates, result.refused, result.rows = window.hashrates, window.refused, window.rows
                if until >= today:
                    await self._hashrate(self.client, today, result)
            else:
                result.quotes = await self.client.quotes()
        except asyncio.CancelledError:
            raise
        except FeedError as exc:
            result.error = exc
        except Exception as exc:  # desk's bug on this answer: this feed is down, the others go on
            result.error = crashed(self.name, exc, "read its answer")
        result.latency_s = time.perf_counter() - started
        if result.error is None:
            self.health.record_ok(clock.now(), result.count, result.latency_s)
            if note_problems:
                self.health.note_problems(clock.now(), result.problems())
        else:
            self.health.record_failure(clock.now(), result.error, result.latency_s)
            log.warning("feed %s: %s", self.name, result.error.reason)
        return result

    async def _hashrate(self, client: PoolClient, today: date, result: PollResult) -> None:
        """The pool's hashrate endpoint: its failure is a warning of a good poll (the
        earnings and payouts are still written)."""
        try:
            result.hashrates += await client.hashrate(today)
        except FeedError as exc:
            result.warnings.append(f"hashrate not read: {exc.reason}")


async def poll_all(feeds: list[Feed]) -> list[PollResult]:
    """Poll every feed at once; one feed's failure is only that feed's."""
    return list(await asyncio.gather(*(feed.poll() for feed in feeds)))
