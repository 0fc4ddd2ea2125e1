"""SyncEngine: polls each configured feed at its interval and writes what it brings into the
register, idempotently, publishing progress and health as events for both faces.

A pool's first sync reaches back `sync.backfill_days`, in chunks that start at a week and
adapt to keep each answer near TARGET_RECORDS, so a long history streams into the register
a chunk (one short transaction) at a time and no answer is big enough to stall a screen; later syncs start two days
before the last day synced, so late credits and queued payouts that confirm are picked up.
A write in flight is never cancelled: stopping waits for it, so a SIGTERM leaves no gap.
A Binance or NBK poll also brings that source's price history over the same window
(desk/sync/history.py), and a round values inflows only once it is in: backfilled inflows are
valued at receipt at the price in force at their time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, date, timedelta

from desk.config import DeskSettings
from desk.feeds.factory import build_feeds
from desk.feeds.feed import Feed, PollResult
from desk.feeds.http import HttpClient
from desk.feeds.prices.binance_ws import BinanceStream
from desk.feeds.records import Quote
from desk.register import NewEntry, Register
from desk.sync.events import FeedPolled, Progress, RoundFinished, RoundStarted, SyncEvent
from desk.sync.history import PriceHistory, has_history
from desk.sync.mapping import earning_entry, payout_entry, register_quote
from desk.valuation import fifo
from desk.valuation.prices import PricePolicy
from desk.valuation.receipt import value_inflows

log = logging.getLogger("desk.sync")

#: Days re-read before the last day synced: late credits, payouts confirming after queueing.
OVERLAP_DAYS = 2
#: Records mapped on the event loop below this; above it, in a worker thread.
THREAD_THRESHOLD = 2_000
#: Records a backfill chunk should bring at most. Parsing a JSON answer holds the GIL for
#: its whole length, worker thread or not, so a huge answer stalls the screen: after a big
#: chunk the window shrinks to keep answers near this size.
TARGET_RECORDS = 2_000
#: The widest window asked for at once (Braiins' own default window).
MAX_CHUNK_DAYS = 90


class SyncEngine:
    def __init__(
        self,
        settings: DeskSettings,
        register: Register,
        http: HttpClient,
        *,
        chunk_days: int = 7,
        feeds: list[Feed] | None = None,
    ) -> None:
        self.settings = settings
        self.register = register
        self.http = http
        self.clock = http.clock
        self.chunk_days = chunk_days
        self.feeds = feeds if feeds is not None else build_feeds(settings, http)
        #: live price streams: run by `run()` only (a one-shot round polls REST)
        self.streams = [
            BinanceStream(name, source, http.session, clock=http.clock)
            for name, source in settings.prices.sources.items()
            if source.enabled and source.kind == "binance_ws"
        ]
        self.latest_quotes: dict[tuple[str, str, str], Quote] = {}
        self._streamed: dict[tuple[str, str, str], Quote] = {}
        self._subscribers: list[Callable[[SyncEvent], None]] = []
        self._writes: set[asyncio.Task] = set()
        #: set by `poll_now` to cut a feed's wait short (the screen's "poll now" key)
        self._wake: dict[str, asyncio.Event] = {}
        #: hourly closes and official rates back to the backfill window (desk/sync/history.py)
        self.history = PriceHistory(settings, register, write=self._write)
        #: price feeds whose history update of this round has not finished: a valuation pass
        #: waits for them (it values every inflow not valued yet), so backfilled inflows find
        #: their prices at receipt
        self._history_pending: dict[str, asyncio.Event] = {}

    # ---------------------------------------------------------------- events

    def subscribe(self, callback: Callable[[SyncEvent], None]) -> None:
        """Call `callback` with every event (on the engine's loop; keep it quick)."""
        self._subscribers.append(callback)

    def _emit(self, event: SyncEvent) -> None:
        for callback in self._subscribers:
            try:
                callback(event)
            except Exception:  # a broken listener must not stop the sync
                log.exception("sync event listener failed")

    @property
    def health(self) -> dict[str, object]:
        return {feed.name: feed.health for feed in self.feeds}

    # ---------------------------------------------------------------- rounds

    async def run_once(self) -> RoundFinished:
        """Poll every feed once, all at the same time; return the round's summary."""
        started = time.perf_counter()
        self._emit(RoundStarted(self.clock.now(), feeds=tuple(f.name for f in self.feeds)))
        self._expect_history()
        polled = await asyncio.gather(*(self.poll_feed(feed) for feed in self.feeds))
        summary = RoundFinished(
            self.clock.now(),
            written=sum(p.written for p in polled),
            failed=tuple(p.feed for p in polled if p.status != "ok"),
            duration_s=time.perf_counter() - started,
        )
        self._emit(summary)
        return summary

    async def run(self, stop: asyncio.Event) -> None:
        """Poll each feed at its interval until `stop` is set; then let writes in flight
        finish and return."""
        self._expect_history()
        loops = [asyncio.create_task(self._loop(feed, stop), name=f"sync:{feed.name}") for feed in self.feeds]
        loops += [asyncio.create_task(stream.run(self._on_stream_quote, stop), name=f"stream:{stream.name}")
                  for stream in self.streams]
        if self.streams:
            loops.append(asyncio.create_task(self._flush_streams(stop), name="stream:flush"))
        await stop.wait()
        for task in loops:
            task.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
        await self.drain()

    async def drain(self) -> None:
        """Wait for every register write in flight."""
        if self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)

    def poll_now(self, name: str) -> bool:
        """Have a running engine poll feed `name` at once rather than at its next interval
        (a poll in progress is followed by another). False when no polled feed has that name."""
        if not any(feed.name == name for feed in self.feeds):
            return False
        self._wake.setdefault(name, asyncio.Event()).set()
        return True

    async def _loop(self, feed: Feed, stop: asyncio.Event) -> None:
        interval = self.settings.sync.pools_interval if feed.kind == "pool" else self.settings.sync.prices_interval
        wake = self._wake.setdefault(feed.name, asyncio.Event())
        while not stop.is_set():
            wake.clear()
            await self.poll_feed(feed)
            waits = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())}
            try:
                await asyncio.wait(waits, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiting in waits:
                    waiting.cancel()

    def _on_stream_quote(self, quote: Quote) -> None:
        """Ticks arrive many a second: keep only the latest per market until the next flush."""
        key = (quote.base, quote.quote, quote.source)
        self.latest_quotes[key] = self._streamed[key] = quote

    async def _flush_streams(self, stop: asyncio.Event) -> None:
        """Write the latest streamed quotes to the price history once per price interval."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.settings.sync.prices_interval)
            quotes, self._streamed = list(self._streamed.values()), {}
            if quotes:
                written = await self._write(self.register.record_quotes([register_quote(q) for q in quotes]))
                now = self.clock.now()
                for stream in self.streams:
                    self._emit(FeedPolled(now, feed=stream.name, status=stream.health.state(now), seen=len(quotes),
                                          written=written, reason=stream.health.reason(now), kind="price",
                                          last_ok=stream.health.last_ok, retry_at=stream.health.retry_at))

    async def _write(self, coro):  # type: ignore[no-untyped-def]
        """Run a register write so that cancelling the poll does not cancel the write."""
        task = asyncio.ensure_future(coro)
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)
        return await asyncio.shield(task)

    # ---------------------------------------------------------------- one feed

    async def poll_feed(self, feed: Feed) -> FeedPolled:
        started = time.perf_counter()
        if feed.kind == "pool":
            seen, written, error, through = await self._sync_pool(feed)
        else:
            seen, written, error, through = await self._sync_prices(feed)
        now = self.clock.now()
        state, reason = feed.health.state(now), feed.health.reason(now)
        event = FeedPolled(now, feed=feed.name, status=state, seen=seen, written=written,
                           duration_s=time.perf_counter() - started, reason=reason, kind=feed.kind,
                           last_ok=feed.health.last_ok, retry_at=feed.health.retry_at)
        await self._write(self.register.record_sync(feed.name, at=now, ok=error is None, written=written,
                                                    state=state, reason=reason, synced_through=through))
        if written:  # value the new inflows at receipt (new quotes may fill missing ones), then the lots
            await self._history_settled()
            policy = PricePolicy.from_settings(self.settings)
            await self._write(value_inflows(self.register, policy))
            await self._write(fifo.advance(self.register, policy))
        self._emit(event)
        return event

    async def _window_start(self, feed: Feed, today: date) -> date:
        state = (await self.register.sync_state()).get(feed.name)
        if state and state["synced_through"]:
            return min(today, state["synced_through"] - timedelta(days=OVERLAP_DAYS))
        return today - timedelta(days=self.settings.sync.backfill_days)

    async def _sync_pool(self, feed: Feed) -> tuple[int, int, object, date | None]:
        today = self.clock.now().astimezone(UTC).date()
        start = await self._window_start(feed, today)
        wallet = self.settings.pools[feed.name].pays_into
        seen = written = 0
        chunk_start = start
        total_days = (today - start).days + 1
        days = self.chunk_days
        while chunk_start <= today:
            chunk_end = min(today, chunk_start + timedelta(days=days - 1))
            result = await feed.poll(chunk_start, chunk_end)
            if not result.ok:
                return seen, written, result.error, None
            entries = await self._entries(result, wallet)
            seen += len(entries)
            span = (chunk_end - chunk_start).days + 1
            if len(entries) > TARGET_RECORDS:
                days = max(1, span * TARGET_RECORDS // len(entries))
            elif len(entries) < TARGET_RECORDS // 4:
                days = min(MAX_CHUNK_DAYS, days * 2)
            if entries:
                outcome = await self._write(self.register.ingest(entries))
                written += outcome.new + outcome.updated
            self._emit(Progress(self.clock.now(), feed=feed.name, done=(chunk_end - start).days + 1,
                                total=total_days))
            chunk_start = chunk_end + timedelta(days=1)
        return seen, written, None, today

    async def _entries(self, result: PollResult, wallet: str) -> list[NewEntry]:
        def build() -> list[NewEntry]:
            return [earning_entry(e) for e in result.earnings] + [payout_entry(p, wallet) for p in result.payouts]

        if result.count >= THREAD_THRESHOLD:
            return await asyncio.to_thread(build)
        return build()

    async def _sync_prices(self, feed: Feed) -> tuple[int, int, object, date | None]:
        """The live quotes, then (Binance, NBK) the price history up to now."""
        try:
            result = await feed.poll()
            seen = written = 0
            if result.ok:
                for quote in result.quotes:
                    self.latest_quotes[(quote.base, quote.quote, quote.source)] = quote
                quotes = [register_quote(q) for q in result.quotes]
                seen, written = len(quotes), await self._write(self.register.record_quotes(quotes))
            error = result.error
            if has_history(feed):
                kept, history_error = await self.history.update(feed)
                written += kept
                error = error or history_error
            return seen, written, error, None
        finally:
            pending = self._history_pending.pop(feed.name, None)
            if pending is not None:
                pending.set()

    def _expect_history(self) -> None:
        """Note the price feeds this round brings history for (see `_history_settled`)."""
        for feed in self.feeds:
            if has_history(feed):
                self._history_pending.setdefault(feed.name, asyncio.Event())

    async def _history_settled(self) -> None:
        """Wait until the price history updates this round expects have finished (or failed).
        They never wait for anything themselves; a feed polled alone (`poll_now`) expects none."""
        pending = list(self._history_pending.values())
        if pending:
            await asyncio.gather(*(event.wait() for event in pending))
