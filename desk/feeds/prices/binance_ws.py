"""The Binance combined stream (`<symbol>@miniTicker`): live prices without polling.

Streams go silent without closing, and Binance announces a restart with a `serverShutdown`
event before it drops the connection; a connection lives at most 24 hours. So: a watchdog
that reconnects after `silence_s` without a message, an immediate reconnect on
`serverShutdown` or close, and exponential backoff with jitter while the host is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable
from datetime import timedelta

import aiohttp

from desk.config import PriceSourceSettings
from desk.feeds.clock import Clock
from desk.feeds.errors import FeedError, Malformed, Unreachable
from desk.feeds.health import FeedHealth
from desk.feeds.parsing import field, loads, text, unix_millis
from desk.feeds.parsing import price as parsed_price
from desk.feeds.prices.base import split_symbol
from desk.feeds.records import Quote

#: Seconds a closing connection waits for the server's close frame, in all.
CLOSE_S = 2.0  # float-ok: seconds


async def _close(ws: aiohttp.ClientWebSocketResponse) -> None:
    """Close `ws`, waiting at most CLOSE_S in all for the server's answer. aiohttp's own close
    reads on while data frames keep coming, each read with a fresh timeout: a server that goes
    on sending ticks without answering the close held a stopping sync (and a test) forever.
    Cut short, aiohttp drops the connection."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(ws.close(), CLOSE_S)


class BinanceStream:
    kind = "binance_ws"

    def __init__(
        self,
        name: str,
        settings: PriceSourceSettings,
        session: aiohttp.ClientSession,
        *,
        clock: Clock | None = None,
        silence_s: float = 30.0,  # float-ok: seconds
        max_backoff_s: float = 30.0,  # float-ok: seconds
    ) -> None:
        self.name = name
        self.settings = settings
        self.session = session
        self.clock = clock or Clock()
        self.silence_s = silence_s
        self.max_backoff_s = max_backoff_s
        self.health = FeedHealth(name, timedelta(seconds=silence_s))
        self.reconnects = 0
        self._rng = random.Random()

    @property
    def url(self) -> str:
        streams = "/".join(f"{s.lower()}@miniTicker" for s in self.settings.symbols)
        return f"{self.settings.url}/stream?streams={streams}"

    async def run(self, on_quote: Callable[[Quote], None], stop: asyncio.Event) -> None:
        """Deliver quotes until `stop` is set, reconnecting as often as it takes."""
        backoff = 0.5  # float-ok: seconds
        while not stop.is_set():
            try:
                got_any = await self._session_once(on_quote, stop)
            except asyncio.CancelledError:
                raise
            except FeedError as exc:
                self.health.record_failure(self.clock.now(), exc, 0)
                got_any = False
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                error = Unreachable(f"{self.name}: stream unreachable ({type(exc).__name__})")
                self.health.record_failure(self.clock.now(), error, 0)
                got_any = False
            if stop.is_set():
                return
            self.reconnects += 1
            backoff = 0.5 if got_any else min(self.max_backoff_s, backoff * 2)  # float-ok: seconds
            await asyncio.sleep(backoff * (0.5 + self._rng.random() / 2))  # float-ok: jitter

    async def _session_once(self, on_quote: Callable[[Quote], None], stop: asyncio.Event) -> bool:
        """One connection: True if it delivered at least one quote before it ended."""
        ws = await self.session.ws_connect(self.url, heartbeat=None, timeout=aiohttp.ClientWSTimeout(ws_close=CLOSE_S))
        try:
            return await self._receive(ws, on_quote, stop)
        finally:
            await _close(ws)

    async def _receive(
        self, ws: aiohttp.ClientWebSocketResponse, on_quote: Callable[[Quote], None], stop: asyncio.Event
    ) -> bool:
        """Quotes from `ws` until `stop`, silence, a close or serverShutdown: True if any came."""
        got_any = False
        while not stop.is_set():
            try:
                message = await asyncio.wait_for(ws.receive(), timeout=self.silence_s)
            except TimeoutError:
                error = FeedError(f"{self.name}: stream silent for {self.silence_s:.0f} s; reconnecting")
                error.state = "stale"
                self.health.record_failure(self.clock.now(), error, 0)
                return got_any
            if message.type != aiohttp.WSMsgType.TEXT:
                return got_any  # closed or errored: reconnect
            quote = self.parse(message.data)
            if quote is None:  # serverShutdown
                return got_any
            got_any = True
            self.health.record_ok(self.clock.now(), 1, 0)
            on_quote(quote)
        return got_any

    def parse(self, raw: str) -> Quote | None:
        """A miniTicker event as a Quote; None for `serverShutdown` (time to reconnect)."""
        data = field(loads(raw, "binance stream"), "data", "binance stream")
        event = text(field(data, "e", "binance stream data"), "binance stream data.e")
        if event == "serverShutdown":
            return None
        if event != "24hrMiniTicker":
            raise Malformed(f"binance stream: unexpected event {event!r}")
        symbol = text(field(data, "s", "miniTicker"), "miniTicker.s") or ""
        try:
            base, quote = split_symbol(symbol)
        except ValueError as exc:
            raise Malformed(f"miniTicker.s: {exc}") from None
        price = parsed_price(field(data, "c", "miniTicker"), "miniTicker.c")
        return Quote(
            base=base,
            quote=quote,
            price=price,
            source=self.name,
            source_time=unix_millis(field(data, "E", "miniTicker"), "miniTicker.E"),
            received_time=self.clock.now(),
        )
