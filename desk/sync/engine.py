"""SyncEngine: polls each configured feed at its interval and writes what it brings into the
register, idempotently, publishing progress and health as events for both faces.

A pool's window streams in a chunk (one short transaction) at a time: desk/sync/pools.py.
A write in flight is never cancelled: stopping waits for it, so a SIGTERM leaves no gap.
A Binance or NBK poll also brings that source's price history over the same window
(desk/sync/history.py), and a round values inflows only once it is in: backfilled inflows are
valued at receipt at the price in force at their time.

Nothing one feed does stops another: a bad row is refused alone (kept with its reason in the
register until it parses or an operator acknowledges it), a fault of the source is the
feed's state, and a bug of desk's own on one feed (desk/sync/supervisor.py) marks that feed
down, is logged with a traceback id, and restarts its loop with backoff. Bans and waits a
host imposed are kept in the register, so a restarted desk honours them. The price stream
reports its state every price interval whether prices come or not, so its silence is seen
(stale) and alerted like any other feed's state.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta

from desk.config import DeskSettings
from desk.feeds.crash import crashed
from desk.feeds.errors import Crashed
from desk.feeds.factory import build_feeds
from desk.feeds.feed import Feed
from desk.feeds.health import FeedHealth
from desk.feeds.http import HttpClient
from desk.feeds.prices.binance_ws import BinanceStream
from desk.feeds.records import Quote
from desk.register import Register
from desk.sync.events import FeedCrashed, FeedPolled, RoundFinished, RoundStarted, SyncEvent
from desk.sync.history import PriceHistory, has_history
from desk.sync.mapping import Mapper, map_records
from desk.sync.pools import PoolSync
from desk.sync.supervisor import FIRST_BACKOFF_S, Supervisor
from desk.valuation import fifo
from desk.valuation.prices import PricePolicy
from desk.valuation.receipt import value_inflows

log = logging.getLogger("desk.sync")


class SyncEngine:
    def __init__(
        self,
        settings: DeskSettings,
        register: Register,
        http: HttpClient,
        *,
        chunk_days: int = 7,
        feeds: list[Feed] | None = None,
        mapper: Mapper = map_records,
        restart_after_s: float = FIRST_BACKOFF_S,  # float-ok: seconds
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
        self._streamed: dict[str, dict[tuple[str, str, str], Quote]] = {s.name: {} for s in self.streams}
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
        #: the accounting of a window's records (desk/sync/mapping.py)
        self.mapper = mapper
        #: restarts each feed's loop after an unexpected error: after `restart_after_s`, doubled
        #: on each next crash up to 60 times that, back to it once the feed polls well
        self.supervisor = Supervisor(self._crashed, first_s=restart_after_s, most_s=60 * restart_after_s)
        self._blocks_restored = False

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
    def health(self) -> dict[str, FeedHealth]:
        """Every feed's health, the price streams' included."""
        return {
            **{feed.name: feed.health for feed in self.feeds},
            **{stream.name: stream.health for stream in self.streams},
        }

    # ---------------------------------------------------------------- rounds

    async def run_once(self) -> RoundFinished:
        """Poll every feed once, all at the same time; return the round's summary. A feed
        that fails, whatever the failure, is in `failed` with its reason; the others are
        written."""
        started = time.perf_counter()
        await self._restore_blocks()
        self._emit(RoundStarted(self.clock.now(), feeds=tuple(f.name for f in self.feeds)))
        self._expect_history()
        polled = await asyncio.gather(*(self._poll_once(feed) for feed in self.feeds))
        failed = [p for p in polled if p.status != "ok"]
        summary = RoundFinished(
            self.clock.now(),
            written=sum(p.written for p in polled),
            failed=tuple(p.feed for p in failed),
            duration_s=time.perf_counter() - started,
            reasons=tuple(f"{p.feed}: {p.reason or p.status}" for p in failed),
        )
        self._emit(summary)
        return summary

    async def _poll_once(self, feed: Feed) -> FeedPolled:
        try:
            return await self.poll_feed(feed)
        except Exception as exc:  # desk's own bug on this feed: reported, the round goes on
            return await self._crashed(feed.name, feed.kind, crashed(feed.name, exc, "was polled"), None)

    async def run(self, stop: asyncio.Event) -> None:
        """Poll each feed at its interval until `stop` is set; then let writes in flight
        finish and return. Every feed's loop runs under the supervisor."""
        await self._restore_blocks()
        self._expect_history()
        run = self.supervisor.run
        loops = [
            asyncio.create_task(
                run(
                    feed.name,
                    feed.kind,
                    lambda feed=feed: self._loop(feed, stop),
                    stop,
                    self._wake.setdefault(feed.name, asyncio.Event()),
                ),
                name=f"sync:{feed.name}",
            )
            for feed in self.feeds
        ]
        for stream in self.streams:
            loops.append(
                asyncio.create_task(
                    run(stream.name, "price", lambda stream=stream: stream.run(self._on_stream_quote, stop), stop),
                    name=f"stream:{stream.name}",
                )
            )
            loops.append(
                asyncio.create_task(
                    run(stream.name, "price", lambda stream=stream: self._stream_rounds(stream, stop), stop),
                    name=f"stream-status:{stream.name}",
                )
            )
        await stop.wait()
        for task in loops:
            task.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
        await self.drain()

    async def drain(self) -> None:
        """Wait for every register write in flight."""
        while self._writes:
            await asyncio.gather(*list(self._writes), return_exceptions=True)

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
            self.supervisor.succeeded(feed.name)
            waits = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())}
            try:
                await asyncio.wait(waits, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiting in waits:
                    waiting.cancel()

    async def _crashed(self, name: str, kind: str, error: Crashed, restart_in: float | None) -> FeedPolled:  # float-ok
        """A feed failed by desk's own fault: mark it down with the reason, say so (one JSON
        line with the traceback id), record it for `desk status`."""
        now = self.clock.now()
        health = self.health.get(name) or FeedHealth(name, timedelta(0))
        health.record_failure(now, error, 0.0)  # float-ok: a latency (none: nothing was asked)
        self._emit(
            FeedCrashed(
                now, feed=name, kind=kind, error=error.reason, traceback_id=error.traceback_id, restart_in_s=restart_in
            )
        )
        state, reason = health.state(now), health.reason(now)
        try:
            await self._write(self.register.record_sync(name, at=now, ok=False, written=0, state=state, reason=reason))
        except Exception:  # the register itself may be what failed: the event still goes out
            log.exception("could not record the failure of feed %s", name)
        event = FeedPolled(
            now, feed=name, status=state, reason=reason, kind=kind, last_ok=health.last_ok, retry_at=health.retry_at
        )
        self._emit(event)
        return event

    # ---------------------------------------------------------------- streams

    def _on_stream_quote(self, quote: Quote) -> None:
        """Ticks arrive many a second: keep only the latest per market until the next flush."""
        key = (quote.base, quote.quote, quote.source)
        self.latest_quotes[key] = quote
        self._streamed.setdefault(quote.source, {})[key] = quote

    async def _stream_rounds(self, stream: BinanceStream, stop: asyncio.Event) -> None:
        """Once per price interval: write the stream's latest quotes to the price history,
        then report its state, ok or stale or down, whether quotes came or not."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.settings.sync.prices_interval)
            await self.report_stream(stream)

    async def report_stream(self, stream: BinanceStream) -> FeedPolled:
        """Write what `stream` brought since the last report; publish and record its state."""
        quotes, self._streamed[stream.name] = list(self._streamed.get(stream.name, {}).values()), {}
        written = await self._write(self.register.record_quotes(quotes)) if quotes else 0
        now = self.clock.now()
        state, reason = stream.health.state(now), stream.health.reason(now)
        await self._write(
            self.register.record_sync(
                stream.name, at=now, ok=state == "ok", written=written, state=state, reason=reason
            )
        )
        event = FeedPolled(
            now,
            feed=stream.name,
            status=state,
            seen=len(quotes),
            written=written,
            reason=reason,
            kind="price",
            last_ok=stream.health.last_ok,
            retry_at=stream.health.retry_at,
        )
        self._emit(event)
        return event

    # ---------------------------------------------------------------- bans

    async def _restore_blocks(self) -> None:
        """Honour the bans and waits an earlier process was told of; keep the new ones."""
        if self._blocks_restored:
            return
        self._blocks_restored = True
        for block in await self.register.host_blocks(self.clock.now()):
            self.http.restore_block(block.host, block.until, block.kind)
        self.http.on_block = self._remember_block

    def _remember_block(self, host: str, until: datetime, kind: str, reason: str) -> None:
        task = asyncio.ensure_future(self.register.block_host(host, until, kind, reason))
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

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
        event = FeedPolled(
            now,
            feed=feed.name,
            status=state,
            seen=seen,
            written=written,
            duration_s=time.perf_counter() - started,
            reason=reason,
            kind=feed.kind,
            last_ok=feed.health.last_ok,
            retry_at=feed.health.retry_at,
        )
        await self._write(
            self.register.record_sync(
                feed.name, at=now, ok=error is None, written=written, state=state, reason=reason, synced_through=through
            )
        )
        if written:  # value the new inflows at receipt (new quotes may fill missing ones), then the lots
            await self._history_settled()
            policy = PricePolicy.from_settings(self.settings)
            await self._write(value_inflows(self.register, policy))
            await self._write(fifo.advance(self.register, policy))
        self._emit(event)
        return event

    async def _sync_pool(self, feed: Feed) -> tuple[int, int, object, date | None]:
        """The pool's window, chunk by chunk (desk/sync/pools.py)."""
        pools = PoolSync(
            self.settings, self.register, self.clock, self._write, self._emit, self.mapper, self.chunk_days
        )
        return await pools.sync(feed)

    async def _sync_prices(self, feed: Feed) -> tuple[int, int, object, date | None]:
        """The live quotes, then (Binance, NBK) the price history up to now."""
        try:
            result = await feed.poll()
            if isinstance(result.error, Crashed):
                raise result.error
            seen = written = 0
            if result.ok:
                for quote in result.quotes:
                    self.latest_quotes[(quote.base, quote.quote, quote.source)] = quote
                quotes = list(result.quotes)
                seen, written = len(quotes), await self._write(self.register.record_quotes(quotes))
            error = result.error
            if has_history(feed):
                kept, history_error = await self.history.update(feed)
                written += kept
                error = error or history_error
            return seen, written, error, None
        finally:
            self._history_done(feed.name)

    def _history_done(self, name: str) -> None:
        """`name`'s history update of this round is over, however it ended."""
        pending = self._history_pending.pop(name, None)
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
