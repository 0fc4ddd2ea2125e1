"""The engine writes exactly what the pools report, once, and keeps going when a feed fails."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest

from desk.config import DeskSettings
from desk.feeds.http import HttpClient
from desk.register import PageFilter, Register
from desk.sim import SimCluster
from desk.sync import SyncEngine
from desk.sync.events import FeedPolled, Progress, RoundFinished
from tests.builders import NOW, sync_engine
from tests.waiting import PATIENCE, until


@pytest.fixture
async def engine(settings: DeskSettings) -> AsyncIterator[SyncEngine]:
    async with sync_engine(settings) as engine:
        yield engine


async def pool_totals(register: Register, pool: str) -> tuple[int, int]:
    earned = -(await register.balance(f"income:mining:{pool}", "BTC")).units
    paid = earned - (await register.balance(f"assets:pool:{pool}", "BTC")).units
    return earned, paid


async def test_a_round_writes_exactly_what_the_simulator_reported(engine: SyncEngine, sim: SimCluster) -> None:
    events: list = []
    engine.subscribe(events.append)
    summary = await engine.run_once()
    assert summary.failed == ()
    for pool in ("braiins", "f2main", "foundry", "ocean"):
        assert await pool_totals(engine.register, pool) == sim.truth(pool), pool
    assert (await engine.register.verify()).ok
    assert any(isinstance(e, Progress) for e in events)
    assert {e.feed for e in events if isinstance(e, FeedPolled)} == {f.name for f in engine.feeds}
    assert isinstance(events[-1], RoundFinished)
    quote = await engine.register.price_at("BTC", "USDT", NOW + timedelta(minutes=1))
    assert quote is not None and quote.source == "binance"


async def test_a_second_round_writes_nothing_new(engine: SyncEngine) -> None:
    first = await engine.run_once()
    count = await engine.register.count()
    second = await engine.run_once()
    assert first.written > 0
    assert await engine.register.count() == count
    assert second.written <= 4  # only fresh price quotes


async def test_queued_payouts_confirm_into_the_same_entries(engine: SyncEngine, sim: SimCluster) -> None:
    last = sim.model.pools["braiins"].payouts[-8]
    sim.state.offset = last.requested_at + timedelta(minutes=1) - NOW
    engine.clock._now = sim.now()  # type: ignore[attr-defined]
    await engine.run_once()
    payouts = engine.register.walk(PageFilter(kind="payout"), newest_first=True)
    queued = [e async for e in payouts if e.status == "queued"]
    assert queued
    count = await engine.register.count()
    sim.advance(timedelta(hours=1))
    engine.clock._now = sim.now()  # type: ignore[attr-defined]
    await engine.run_once()
    confirmed = [await engine.register.entry(e.seq) for e in queued]
    assert all(e.status == "confirmed" and e.reference for e in confirmed)
    new_entries = await engine.register.count() - count
    earned_after = sum(1 for p in sim.model.pools.values() for x in p.earnings_until(sim.now()))
    assert new_entries <= earned_after  # no payout was written twice
    for pool in ("braiins", "f2main", "foundry", "ocean"):
        assert await pool_totals(engine.register, pool) == sim.truth(pool)


async def test_one_feed_down_the_others_still_written(engine: SyncEngine, sim: SimCluster) -> None:
    sim.faults.set("f2main", "500")
    sim.faults.set("binance", "418")
    summary = await engine.run_once()
    assert set(summary.failed) == {"f2main", "binance"}
    assert await pool_totals(engine.register, "ocean") == sim.truth("ocean")
    assert await pool_totals(engine.register, "f2main") == (0, 0)
    state = await engine.register.sync_state()
    assert state["f2main"]["state"] == "degraded" and "HTTP 500" in state["f2main"]["reason"]
    assert state["binance"]["state"] == "down"
    sim.faults.clear()
    engine.clock._now += timedelta(minutes=5)  # type: ignore[attr-defined]
    await engine.run_once()
    assert await pool_totals(engine.register, "f2main") == sim.truth("f2main")


async def test_an_incremental_sync_asks_only_for_recent_days(engine: SyncEngine, sim: SimCluster) -> None:
    await engine.run_once()
    state = await engine.register.sync_state()
    assert state["braiins"]["synced_through"] == NOW.date()
    before = sim.state.requests["foundry"]
    await engine.run_once()
    assert sim.state.requests["foundry"] - before == 3  # one chunk: earnings and transactions; the hashrate


async def test_the_service_writes_streamed_prices_once_per_interval(settings: DeskSettings, sim: SimCluster) -> None:
    sim.state.stream_interval_s = 0.05
    fast = settings.model_copy(update={"sync": settings.sync.model_copy(update={"prices_interval": 1})})
    async with (
        Register.open(settings.register.path, operator="sync-bot") as register,
        aiohttp.ClientSession() as session,
    ):
        engine = SyncEngine(fast, register, HttpClient(session, pacing=False))
        assert [s.name for s in engine.streams] == ["binance_ws"]
        stop = asyncio.Event()
        task = asyncio.create_task(engine.run(stop))

        def streamed():  # type: ignore[no-untyped-def]
            return register.price_at("BTC", "USDT", sim.now() + timedelta(hours=1), source="binance_ws")

        await until(streamed, "a streamed quote written to the register")
        stop.set()
        await asyncio.wait_for(task, PATIENCE)
        assert ("BTC", "USDT", "binance_ws") in engine.latest_quotes
