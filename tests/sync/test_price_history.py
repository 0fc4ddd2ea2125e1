"""The first sync brings the price history the backfilled inflows need: every earning is
valued at receipt from the hourly close before it and its business date's official rate;
later syncs ask only for what is new; a failing history source degrades alone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import aiohttp
import pytest

from desk.config import DeskSettings, load_settings
from desk.feeds.clock import FakeClock
from desk.feeds.http import HttpClient, RetryPolicy
from desk.feeds.prices.nbk import NbkClient
from desk.register import Register
from desk.register import valuations as store
from desk.sim import SimCluster
from desk.sync import SyncEngine
from desk.sync.events import FeedPolled
from desk.sync.history import STEP, PriceHistory, mark_key, reached
from desk.valuation.prices import business_date
from tests.builders import NOW, sync_engine
from tests.sync.conftest import write_config

BACKFILL_DAYS = 7
SYMBOLS = ("BTCUSDT", "BNBUSDT")


@pytest.fixture
async def settings(tmp_path: Path, sim: SimCluster) -> DeskSettings:
    path = write_config(
        tmp_path / "desk.toml", tmp_path / "register.sqlite", sim.settings_overrides(), backfill_days=BACKFILL_DAYS
    )
    settings = load_settings(path, env={})
    async with Register.open(settings.register.path, operator="admin", create=True) as register:
        await register.init_accounts(settings)
    return settings


@pytest.fixture
async def engine(settings: DeskSettings) -> AsyncIterator[SyncEngine]:
    async with sync_engine(settings) as engine:
        yield engine


def rate_date(at: datetime) -> date:
    """The business date whose official rate is in force at `at`: the sim publishes weekdays."""
    day = business_date(at)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


async def earning_valuations(register: Register) -> list[tuple[datetime, store.Valuation]]:
    current = await store.current(register)
    found = []
    for (seq, _asset), valuation in sorted(current.items()):
        entry = await register.entry(seq)
        assert entry.kind == "earning"
        found.append((entry.ts, valuation))
    return found


async def test_every_backfilled_earning_is_valued_at_the_price_of_its_hour(engine: SyncEngine, sim: SimCluster) -> None:
    # the National Bank answers slowly: the pools' entries are written before its history is,
    # and must still be valued (at receipt) only once the rates are in
    nbk = next(feed.client for feed in engine.feeds if feed.name == "nbk")
    assert isinstance(nbk, NbkClient)
    rates_of = nbk.rates_of

    async def slowly(day: date) -> object:
        await asyncio.sleep(0.05)  # float-ok: seconds
        return await rates_of(day)

    nbk.rates_of = slowly  # type: ignore[method-assign]
    summary = await engine.run_once()
    assert summary.failed == ()
    valued = await earning_valuations(engine.register)
    earliest = min(ts for ts, _ in valued)
    assert len(valued) >= 4 * (BACKFILL_DAYS - 1)  # four pools, a credit a day
    assert earliest < NOW - timedelta(days=BACKFILL_DAYS - 1)
    for ts, v in valued:
        where = f"earning at {ts.isoformat()}"
        # valued at receipt, first time: the history arrived before the pools' entries were valued
        assert (v.state, v.cause, v.revision) == ("valued", "receipt", 1), (where, v.reason)
        assert v.source == "binance:1h BTC/USDT" and v.price_currency == "USDT", where
        assert v.source_time is not None and timedelta(0) <= ts - v.source_time < timedelta(hours=1), where
        assert v.price == sim.state.model.btc_usdt(v.source_time), where  # that hour's close
        assert v.kzt_rate_date == rate_date(ts) and v.kzt_rate_source == "nbk", where
        assert v.kzt_rate == sim.state.model.usd_kzt(v.kzt_rate_date), where
        assert v.usd is not None and v.kzt == v.usd * v.kzt_rate, where
    assert await store.open_missing(engine.register) == []


async def test_a_later_sync_asks_only_for_hours_and_dates_not_held(engine: SyncEngine, sim: SimCluster) -> None:
    await engine.run_once()
    last_close = NOW - timedelta(milliseconds=1)
    for symbol in SYMBOLS:
        assert await reached(engine.register, mark_key("binance:1h", symbol)) == last_close.isoformat()
    assert await reached(engine.register, mark_key("nbk", "USD")) == business_date(NOW).isoformat()
    # the history starts with the close in force as the window opens (an opening balance there)
    opens = datetime.combine(NOW.date() - timedelta(days=BACKFILL_DAYS), time(0), tzinfo=UTC)
    first = await engine.register.price_at("BTC", "USDT", opens, source="binance:1h")
    assert first is not None and first.source_time == opens - timedelta(milliseconds=1)
    # a week of hours per symbol fits a page: one klines request each, beside the ticker
    before = dict(sim.state.requests)
    assert before["binance"] == 1 + len(SYMBOLS)

    second = await engine.run_once()
    asked = {k: sim.state.requests[k] - before.get(k, 0) for k in ("binance", "nbk")}
    assert asked == {"binance": 1, "nbk": 1}  # the live ticker and today's rate, no history
    assert second.written <= 4

    hours = 3
    sim.advance(timedelta(hours=hours))
    engine.clock.advance(hours * 3600)
    quotes_before = await engine.register.price_at("BTC", "USDT", NOW, source="binance:1h")
    before = dict(sim.state.requests)
    await engine.run_once()
    assert sim.state.requests["binance"] - before["binance"] == 1 + len(SYMBOLS)
    newest = NOW + timedelta(hours=hours) - timedelta(milliseconds=1)
    quote = await engine.register.price_at("BTC", "USDT", newest, source="binance:1h")
    assert quote is not None and quote.source_time == newest
    assert quote.price == sim.state.model.btc_usdt(newest)
    assert quotes_before is not None and quotes_before.source_time == last_close
    for symbol in SYMBOLS:
        assert await reached(engine.register, mark_key("binance:1h", symbol)) == newest.isoformat()


async def test_a_failing_kline_history_degrades_binance_alone_and_fills_in_later(
    engine: SyncEngine, sim: SimCluster
) -> None:
    sim.faults.set("binance:klines", "500")
    events: list = []
    engine.subscribe(events.append)
    summary = await engine.run_once()
    polled = {e.feed: e for e in events if isinstance(e, FeedPolled)}
    assert summary.failed == ("binance",)
    assert polled["binance"].status == "degraded" and "500" in (polled["binance"].reason or "")
    for pool in ("braiins", "f2main", "foundry", "ocean"):
        assert polled[pool].status == "ok" and polled[pool].written > 0, pool
    # the live ticker still landed; past earnings are flagged missing, never zero
    assert await engine.register.price_at("BTC", "USDT", NOW, source="binance") is not None
    missing = await store.open_missing(engine.register)
    assert missing and all(v.state == "missing" and v.usd is None and "BTC" in (v.reason or "") for v, _, _ in missing)
    assert await reached(engine.register, mark_key("binance:1h", "BTCUSDT")) is None

    sim.faults.clear("binance:klines")
    summary = await engine.run_once()
    assert summary.failed == ()
    assert await store.open_missing(engine.register) == []
    for ts, v in await earning_valuations(engine.register):
        assert (v.state, v.cause, v.revision) == ("valued", "late price", 2), ts
        assert v.source == "binance:1h BTC/USDT"


async def test_a_long_backfill_pages_the_klines_without_a_gap(tmp_path: Path, sim: SimCluster) -> None:
    days = 45  # 1093 hourly closes per symbol: two pages of at most 1000
    path = write_config(tmp_path / "long.toml", tmp_path / "long.sqlite", sim.settings_overrides(), backfill_days=days)
    settings = load_settings(path, env={})
    async with (
        Register.open(settings.register.path, operator="sync-bot", create=True) as register,
        aiohttp.ClientSession() as session,
    ):
        await register.init_accounts(settings)
        http = HttpClient(session, clock=FakeClock(NOW), pacing=False, policy=RetryPolicy(attempts=1))
        binance = next(feed for feed in SyncEngine(settings, register, http).feeds if feed.name == "binance")
        kept, error = await PriceHistory(settings, register).update(binance)
        assert error is None
        hours = days * 24 + NOW.hour + 1
        assert kept == hours * len(SYMBOLS)
        assert sim.state.requests["binance"] == 2 * len(SYMBOLS)
        opens = datetime.combine(NOW.date() - timedelta(days=days), time(0), tzinfo=UTC)
        expected = [opens - timedelta(milliseconds=1) + i * STEP for i in range(hours)]
        held = await store.quotes_between(register, [("BTC", "USDT")], opens, NOW + timedelta(days=1))
        assert sorted(q.source_time for q in held if q.source == "binance:1h") == expected
        # the candle still open at NOW (Binance sends it) is not kept
        assert expected[-1] == NOW - timedelta(milliseconds=1)
