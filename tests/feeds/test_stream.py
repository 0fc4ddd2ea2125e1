"""The Binance stream client recovers from silence and from serverShutdown in time."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import aiohttp

from desk.feeds.prices.binance_ws import BinanceStream
from desk.sim import SimCluster
from tests.feeds.conftest import prices, sample


def stream_for(sim: SimCluster, session: aiohttp.ClientSession, silence_s: float = 0.5) -> BinanceStream:
    url = sim.urls["binance"].replace("http", "ws", 1)
    return BinanceStream("binance_ws", prices("binance_ws", url, ["BTCUSDT", "BNBUSDT"]), session,
                         silence_s=silence_s, max_backoff_s=0.2)


async def collect_until(stream: BinanceStream, condition, timeout: float = 5.0) -> list:
    quotes: list = []
    stop = asyncio.Event()
    task = asyncio.create_task(stream.run(quotes.append, stop))
    deadline = time.monotonic() + timeout
    while not condition(quotes) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    stop.set()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return quotes


def test_the_documented_events_parse() -> None:
    stream = BinanceStream("b", prices("binance_ws", "ws://x", ["BTCUSDT"]), None)  # type: ignore[arg-type]
    quote = stream.parse(sample("binance/ws_combined_miniticker.json"))
    assert quote is not None and (quote.base, quote.quote, quote.price) == ("BTC", "USDT", Decimal("91234.56000000"))
    assert stream.parse(sample("binance/ws_server_shutdown.json")) is None


async def test_quotes_arrive_from_the_stream(sim: SimCluster) -> None:
    sim.state.stream_interval_s = 0.05
    async with aiohttp.ClientSession() as session:
        stream = stream_for(sim, session)
        quotes = await collect_until(stream, lambda q: len(q) >= 4)
    assert {(q.base, q.quote) for q in quotes} == {("BTC", "USDT"), ("BNB", "USDT")}
    assert stream.health.last_error is None


async def test_a_silent_stream_is_noticed_and_reconnected_within_the_watchdog(sim: SimCluster) -> None:
    sim.state.stream_interval_s = 0.05
    async with aiohttp.ClientSession() as session:
        stream = stream_for(sim, session, silence_s=0.5)
        quotes: list = []
        stop = asyncio.Event()
        task = asyncio.create_task(stream.run(quotes.append, stop))
        await asyncio.sleep(0.3)
        sim.faults.set("binance", "ws_silent")
        silent_since = time.monotonic()
        while stream.reconnects == 0 and time.monotonic() - silent_since < 3:
            await asyncio.sleep(0.02)
        noticed = time.monotonic() - silent_since
        assert stream.reconnects >= 1 and noticed < 1.5
        assert "silent" in stream.health.failures[0].reason
        sim.faults.clear()
        count = len(quotes)
        recovered = time.monotonic()
        while len(quotes) == count and time.monotonic() - recovered < 3:
            await asyncio.sleep(0.02)
        assert len(quotes) > count
        stop.set()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_server_shutdown_reconnects_at_once(sim: SimCluster) -> None:
    sim.state.stream_interval_s = 0.05
    async with aiohttp.ClientSession() as session:
        stream = stream_for(sim, session, silence_s=5)
        quotes: list = []
        stop = asyncio.Event()
        task = asyncio.create_task(stream.run(quotes.append, stop))
        await asyncio.sleep(0.3)
        sim.faults.set("binance", "ws_shutdown")
        start = time.monotonic()
        while stream.reconnects == 0 and time.monotonic() - start < 3:
            await asyncio.sleep(0.01)
        sim.faults.clear()
        assert stream.reconnects >= 1 and time.monotonic() - start < 1.0  # well inside the 5 s watchdog
        count = len(quotes)
        while len(quotes) == count and time.monotonic() - start < 3:
            await asyncio.sleep(0.02)
        assert len(quotes) > count
        stop.set()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
