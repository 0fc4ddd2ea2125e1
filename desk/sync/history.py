"""Price history for valuation at receipt: hourly Binance kline closes and the National
Bank's official rate of every business date, over the window the pools backfill, kept
current afterwards.

Why: the live feeds record prices from now on only, so every inflow the first sync backfills
(`sync.backfill_days` back) would find no price in force at its time and be valued `missing`.

- Binance: the close of every hour (`interval` 1h) of each configured symbol, recorded under
  the source `<name>:1h` (e.g. `binance:1h`) and stamped at the candle's close time. The price
  in force at a moment is then the close of the last full hour before it: never more than an
  hour old, so within `[valuation] stale_after` (3600 s by default; a longer gap, e.g. a
  Binance outage, is flagged stale as it should be). Valuation takes any source of a market,
  the newest first, so the closes and the live ticks (`binance`) complement each other, and
  the source name says which price was a kline close.
- NBK: the official rates of every business date (`get_rates.cfm?fdate=`), starting with the
  rate in force on the window's first day (a weekend or holiday reaches back to the last
  published one); a date without rates is not an error. They are recorded exactly as the
  live rate is (source = the NBK source's name, stamped at the start of the Almaty date),
  so the KZT value of a past inflow uses its own business date's rate.
- Kraken and Coinbase: their clients here read only the live ticker, and the simulator serves
  no history for them, so there is no USD-market history: a backfilled inflow is valued from
  the USDT market and labelled USDT (issue 7's rule), a recent one from a fresh USD market.

How far each history reaches is kept in the register's `meta` table (key
`price_history:<source>:<symbol>`): the last kline close held, the last date asked of the
National Bank. A later update starts a little before that mark and asks only for what is new,
nothing at all until another hour has closed or another date has begun. A mark moves only
after the quotes it covers are written, so an interrupted backfill resumes where it stopped.
A history source that fails records the failure on its price feed's health and the pools go on.
"""

from __future__ import annotations

import asyncio
import logging
import time as clock_time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from desk.config import DeskSettings
from desk.feeds.crash import crashed
from desk.feeds.errors import FeedError
from desk.feeds.feed import Feed
from desk.feeds.prices.binance import BinanceClient
from desk.feeds.prices.nbk import ALMATY, NbkClient
from desk.feeds.records import Quote
from desk.register import Register

log = logging.getLogger("desk.sync")

#: The candle the history keeps: one close an hour is always within the staleness bound.
INTERVAL = "1h"
STEP = timedelta(hours=1)
#: Hours of closes asked again before the mark (a close Binance corrected stays as first kept:
#: quotes are never rewritten; the overlap only catches a candle missed at the edge).
OVERLAP_HOURS = 2
#: Dates asked of the National Bank per register write, so a long backfill lands in parts.
RATES_PER_WRITE = 20


def mark_key(source: str, symbol: str) -> str:
    return f"price_history:{source}:{symbol}"


async def reached(register: Register, key: str) -> str | None:
    """Where the history under `key` reaches (ISO text), or None before its first backfill."""
    return await register.meta_value(key)


async def _run(write: Coroutine[Any, Any, int]) -> int:
    return await write


def has_history(feed: Feed) -> bool:
    """Whether the feed's source serves price history this module backfills."""
    return isinstance(feed.client, BinanceClient | NbkClient)


class PriceHistory:
    """Backfills and extends the price history of the Binance and NBK price feeds."""

    def __init__(
        self,
        settings: DeskSettings,
        register: Register,
        *,
        write: Callable[[Coroutine[Any, Any, int]], Awaitable[int]] | None = None,
    ) -> None:
        self.settings = settings
        self.register = register
        #: how a write is run: the engine's shields it, so stopping never cuts one short
        self._write = write or _run

    def window_start(self, now: datetime) -> date:
        """The first day the pools backfill: the history starts there too."""
        return now.astimezone(UTC).date() - timedelta(days=self.settings.sync.backfill_days)

    async def update(self, feed: Feed) -> tuple[int, FeedError | None]:
        """Bring `feed`'s price history up to now; returns (quotes newly kept, the error).
        A failure is recorded on the feed's health (its reason names it) and never raised."""
        now = feed.client.http.clock.now()
        started = clock_time.perf_counter()
        kept = 0
        error: FeedError | None = None
        try:
            if isinstance(feed.client, BinanceClient):
                kept = await self._klines(feed.client, now)
            elif isinstance(feed.client, NbkClient):
                kept = await self._rates(feed.client, now)
        except asyncio.CancelledError:
            raise
        except FeedError as exc:
            error = exc
        except Exception as exc:  # a parser bug is this feed's problem, not the sync's
            error = crashed(feed.name, exc, "read its price history")
        if error is not None:
            feed.health.record_failure(now, error, clock_time.perf_counter() - started)
            log.warning("price history of %s: %s", feed.name, error.reason)
        return kept, error

    async def _klines(self, client: BinanceClient, now: datetime) -> int:
        """Hourly closes of every symbol from the window's start (or a little before the
        mark) to the last hour closed, a page (at most 1000 candles) per request, each written as it
        comes."""
        kept = 0
        for symbol in client.settings.symbols:
            key = mark_key(f"{client.name}:{INTERVAL}", symbol)
            mark = await reached(self.register, key)
            if mark is None:  # from the hour before the window: its close is in force as it opens
                cursor = datetime.combine(self.window_start(now), time(0), tzinfo=UTC) - STEP
            else:
                held = datetime.fromisoformat(mark)
                if now < held + STEP:  # no candle has closed since
                    continue
                cursor = held - OVERLAP_HOURS * STEP + timedelta(milliseconds=1)
            while cursor + STEP <= now:
                quotes = await client.klines(symbol, cursor, now, INTERVAL)
                if not quotes:
                    break
                last = max(q.source_time for q in quotes)
                kept += await self._write(self._store(quotes, key, last.isoformat()))
                cursor = last + timedelta(milliseconds=1)
        return kept

    async def _rates(self, client: NbkClient, now: datetime) -> int:
        """The rate in force on the window's first day, then every business date's rate up to
        today (Almaty); afterwards from the last date asked (asked again: a rate published
        later that day is picked up) to today."""
        today = now.astimezone(ALMATY).date()
        key = mark_key(client.name, ",".join(client.settings.symbols))
        mark = await reached(self.register, key)
        received = client.http.clock.now()
        quotes: list[Quote] = []
        if mark is None:
            first = self.window_start(now)
            published, rates = await client.rates_on(first)
            quotes += client.quotes_of(published, rates, received)
            day = first + timedelta(days=1)
        else:
            day = date.fromisoformat(mark)
            if day >= today:
                return 0
        kept = 0
        while day <= today:
            if day.weekday() < 5:  # the National Bank publishes on business days only
                parsed = await client.rates_of(day)
                if parsed is not None:
                    quotes += client.quotes_of(*parsed, received)
            if len(quotes) >= RATES_PER_WRITE:
                kept += await self._write(self._store(quotes, key, day.isoformat()))
                quotes = []
            day += timedelta(days=1)
        return kept + await self._write(self._store(quotes, key, today.isoformat()))

    async def _store(self, quotes: list[Quote], key: str, mark: str) -> int:
        """Keep `quotes`, then move the mark to `mark` (what they reach); the quotes newly kept."""
        kept = await self.register.record_quotes(quotes)
        await self.register.set_meta(key, mark)
        return kept
