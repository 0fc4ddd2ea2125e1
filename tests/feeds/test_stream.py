"""The Binance stream client recovers from silence and from serverShutdown in time."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import aiohttp

from desk.feeds.prices.binance_ws import BinanceStream
from desk.sim import SimCluster
from tests.feeds.conftest import prices, sample
from tests.waiting import until


def stream_for(sim: SimCluster, session: aiohttp.ClientSession, silence_s: float = 0.5) -> BinanceStream:
    url = sim.urls["binance"].replace("http", "ws", 1)
    return BinanceStream("binance_ws", prices("binance_ws", url, ["BTCUSDT", "BNBUSDT"]), session,
                         silence_s=silence_s, max_backoff_s=0.2)


async def collect_until(stream: BinanceStream, condition) -> list:
    quotes: list = []
    stop = asyncio.Event()
    task = asyncio.create_task(stream.run(quotes.append, stop))
    await until(lambda: condition(quotes), "the quotes asked for")
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


async def test_a_silent_stream_is_noticed_and_reconnected_by_the_watchdog(sim: SimCluster) -> None:
    sim.state.stream_interval_s = 0.05
    async with aiohttp.ClientSession() as session:
        stream = stream_for(sim, session, silence_s=0.5)
        quotes: list = []
        stop = asyncio.Event()
        task = asyncio.create_task(stream.run(quotes.append, stop))
        await until(lambda: quotes, "the first quote")
        sim.faults.set("binance", "ws_silent")
        await until(lambda: stream.reconnects >= 1, "a reconnect")
        # the watchdog's doing (nothing else ends a silent socket that stays open)
        assert "silent" in stream.health.failures[0].reason
        sim.faults.clear()
        count = len(quotes)
        await until(lambda: len(quotes) > count, "quotes again after the reconnect")
        stop.set()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_server_shutdown_reconnects_at_once(sim: SimCluster) -> None:
    sim.state.stream_interval_s = 0.05
    async with aiohttp.ClientSession() as session:
        stream = stream_for(sim, session, silence_s=60)
        quotes: list = []
        stop = asyncio.Event()
        task = asyncio.create_task(stream.run(quotes.append, stop))
        await until(lambda: quotes, "the first quote")
        sim.faults.set("binance", "ws_shutdown")
        await until(lambda: stream.reconnects >= 1, "a reconnect")
        sim.faults.clear()
        # at once, on the announcement: not by the watchdog, which would have recorded a silence
        assert not [f for f in stream.health.failures if "silent" in f.reason]
        count = len(quotes)
        await until(lambda: len(quotes) > count, "quotes again after the reconnect")
        stop.set()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
