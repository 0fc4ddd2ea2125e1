"""The Binance stream client recovers from silence and from serverShutdown in time."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal

import aiohttp
import pytest
from aiohttp import web

from desk.feeds.prices.binance_ws import BinanceStream
from desk.sim import SimCluster
from tests.builders import serve_on_loopback
from tests.feeds.conftest import prices, sample
from tests.waiting import until


def stream_for(sim: SimCluster, session: aiohttp.ClientSession, silence_s: float = 0.5) -> BinanceStream:
    url = sim.urls["binance"].replace("http", "ws", 1)
    return BinanceStream(
        "binance_ws", prices("binance_ws", url, ["BTCUSDT", "BNBUSDT"]), session, silence_s=silence_s, max_backoff_s=0.2
    )


@asynccontextmanager
async def running(stream: BinanceStream) -> AsyncIterator[list]:
    """`stream` running in a task of its own, its quotes gathered in the list yielded; stopped
    on leaving the block."""
    quotes: list = []
    stop = asyncio.Event()
    task = asyncio.create_task(stream.run(quotes.append, stop))
    try:
        yield quotes
    finally:
        stop.set()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def collect_until(stream: BinanceStream, condition) -> list:
    async with running(stream) as quotes:
        await until(lambda: condition(quotes), "the quotes asked for")
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


@pytest.mark.parametrize(
    ("fault", "silence_s", "by_watchdog"),
    [("ws_silent", 0.5, True), ("ws_shutdown", 60, False)],
    ids=["silence: the watchdog reconnects", "serverShutdown: reconnected at once"],
)
async def test_a_lost_stream_is_reconnected_and_quotes_resume(
    sim: SimCluster,
    fault: str,
    silence_s: float,  # float-ok: seconds
    by_watchdog: bool,
) -> None:
    """A silent socket that stays open is ended by the watchdog (nothing else would); a
    serverShutdown announcement is acted on at once, before any silence is recorded."""
    sim.state.stream_interval_s = 0.05
    async with aiohttp.ClientSession() as session:
        stream = stream_for(sim, session, silence_s=silence_s)
        async with running(stream) as quotes:
            await until(lambda: quotes, "the first quote")
            sim.faults.set("binance", fault)
            await until(lambda: stream.reconnects >= 1, "a reconnect")
            sim.faults.clear()
            silences = [f for f in stream.health.failures if "silent" in f.reason]
            assert bool(silences) is by_watchdog, stream.health.failures
            count = len(quotes)
            await until(lambda: len(quotes) > count, "quotes again after the reconnect")


async def test_a_stream_stops_though_the_server_keeps_sending_and_never_answers_the_close() -> None:
    """A server that goes on sending ticks and never reads: the stream still stops once told
    to. (The engine's stop hung in aiohttp's close, which reads on while data frames come,
    each read with a fresh timeout; this server does not bring that hang about every time,
    the silent-stream test of tests/sync/test_supervised.py did, one run in a few.)"""
    tick = sample("binance/ws_combined_miniticker.json")

    async def chatty(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        with contextlib.suppress(ConnectionResetError):
            while True:
                await ws.send_str(tick)
                await asyncio.sleep(0.01)  # float-ok: seconds between ticks

    app = web.Application()
    app.router.add_get("/stream", chatty)
    runners: list[web.AppRunner] = []
    try:
        url = (await serve_on_loopback(app, runners)).replace("http", "ws", 1)
        async with aiohttp.ClientSession() as session:
            stream = BinanceStream("binance_ws", prices("binance_ws", url, ["BTCUSDT"]), session)
            quotes: list = []
            stop = asyncio.Event()
            task = asyncio.create_task(stream.run(quotes.append, stop))
            await until(lambda: len(quotes) >= 3, "ticks from the server")
            stop.set()
            task.cancel()
            await until(task.done, "the stream to stop")
    finally:
        for runner in runners:
            await runner.cleanup()
