"""Every fault gives the documented health state and reason, no exception escapes, and the
other feeds keep working in the same round."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from desk.config import load_settings
from desk.feeds.clock import FakeClock
from desk.feeds.factory import build_feeds
from desk.feeds.feed import Feed, poll_all
from desk.feeds.http import HttpClient, RetryPolicy
from desk.sim import SimCluster
from tests.builders import NOW

EXPECTED = {
    "500": ("degraded", "HTTP 500"),
    "429": ("degraded", "HTTP 429"),
    "418": ("down", "IP banned until"),
    "drop": ("down", "no answer"),
    "truncated": ("degraded", "not valid JSON"),
    "wrong_types": ("degraded", ""),
    "empty_number": ("degraded", ""),
    "403": ("down", ""),
}


@pytest.fixture
async def desk_feeds(sim: SimCluster) -> AsyncIterator[tuple[list[Feed], FakeClock]]:
    settings = load_settings(None, env={}, overrides=sim.settings_overrides())
    clock = FakeClock(NOW)
    async with aiohttp.ClientSession() as session:
        http = HttpClient(
            session, clock=clock, policy=RetryPolicy(attempts=2, base_delay_s=0.01, timeout_s=0.5), pacing=False
        )
        yield build_feeds(settings, http), clock


async def test_a_healthy_round_reads_every_feed(desk_feeds) -> None:
    feeds, clock = desk_feeds
    results = await poll_all(feeds)
    assert all(r.ok for r in results), [r.error for r in results if r.error]
    assert {f.health.state(clock.now()) for f in feeds} == {"ok"}
    by_name = {r.feed: r for r in results}
    assert by_name["braiins"].earnings and by_name["f2main"].payouts
    assert {(q.base, q.quote) for q in by_name["binance"].quotes} == {("BTC", "USDT"), ("BNB", "USDT")}
    assert by_name["nbk"].quotes[0].quote == "KZT"


@pytest.mark.parametrize("fault", sorted(EXPECTED))
@pytest.mark.parametrize("victim", ["f2main", "binance", "braiins", "ocean"])
async def test_each_fault_degrades_only_its_feed(desk_feeds, sim: SimCluster, fault: str, victim: str) -> None:
    feeds, clock = desk_feeds
    sim.faults.set(victim, fault)
    results = {r.feed: r for r in await poll_all(feeds)}
    broken = results.pop(victim)
    # a pool's answer of the right shape with bad fields: each row is refused alone
    rows_refused = broken.ok and bool(broken.refused)
    assert not broken.ok or (rows_refused and fault in ("wrong_types", "empty_number"))
    state, needle = EXPECTED[fault]
    feed = next(f for f in feeds if f.name == victim)
    if fault == "403":
        state = "down"
    assert feed.health.state(clock.now()) == state, feed.health.reason(clock.now())
    assert needle in (feed.health.reason(clock.now()) or "")
    assert all(r.ok for r in results.values()), {n: r.error for n, r in results.items() if r.error}
    reason = "; ".join(broken.problems()) if rows_refused else broken.error.reason
    assert feed.health.failures[0].reason == reason


async def test_a_418_ban_means_nothing_is_sent_to_that_host_until_it_ends(desk_feeds, sim: SimCluster) -> None:
    feeds, clock = desk_feeds
    binance = next(f for f in feeds if f.name == "binance")
    sim.faults.set("binance", "418")
    await binance.poll()
    sent = sim.state.requests["binance"]
    sim.faults.clear()
    for _ in range(5):
        clock.advance(23)  # 115 s later: still banned
        result = await binance.poll()
        assert not result.ok and "banned" in result.error.reason
    assert sim.state.requests["binance"] == sent
    assert "retry in" in binance.health.reason(clock.now())
    clock.advance(6)  # 121 s after the ban: free again
    assert (await binance.poll()).ok
    assert sim.state.requests["binance"] == sent + 1
    assert binance.health.state(clock.now()) == "ok"


async def test_a_429_is_honoured_for_its_retry_after(desk_feeds, sim: SimCluster) -> None:
    feeds, clock = desk_feeds
    kraken = next(f for f in feeds if f.name == "kraken")
    sim.faults.set("kraken", "429")
    await kraken.poll()
    sent = sim.state.requests["kraken"]
    sim.faults.clear()
    clock.advance(60)
    assert not (await kraken.poll()).ok
    assert sim.state.requests["kraken"] == sent
    clock.advance(61)
    assert (await kraken.poll()).ok


async def test_a_5xx_is_retried_before_giving_up(desk_feeds, sim: SimCluster) -> None:
    feeds, _ = desk_feeds
    coinbase = next(f for f in feeds if f.name == "coinbase")
    sim.faults.set("coinbase", "500")
    await coinbase.poll()
    assert sim.state.requests["coinbase"] == 2  # the policy's two attempts


async def test_a_token_never_appears_in_reasons_or_logs(desk_feeds, sim: SimCluster, caplog) -> None:
    feeds, _clock = desk_feeds
    for fault in EXPECTED:
        if fault in ("429", "418"):
            continue
        sim.faults.clear()
        sim.faults.set("foundry", fault)
        foundry = next(f for f in feeds if f.name == "foundry")
        await foundry.poll()
        text = " ".join(x.reason for x in foundry.health.failures) + caplog.text
        assert "sim-token" not in text


async def test_the_simulator_can_be_switched_through_its_admin_endpoint(sim: SimCluster) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(sim.urls["kraken"] + "/__sim/fault", json={"fault": "500"}) as reply:
            assert reply.status == 200
        async with session.get(sim.urls["kraken"] + "/0/public/Ticker?pair=XBTUSD") as reply:
            assert reply.status == 500
        async with session.delete(sim.urls["kraken"] + "/__sim/fault") as reply:
            assert reply.status == 200
        async with session.get(sim.urls["kraken"] + "/0/public/Ticker?pair=XBTUSD") as reply:
            assert reply.status == 200


async def test_braiins_is_paced_to_one_request_per_interval(sim: SimCluster) -> None:
    settings = load_settings(None, env={}, overrides=sim.settings_overrides())
    async with aiohttp.ClientSession() as session:
        http = HttpClient(session)
        feed = next(f for f in build_feeds(settings, http) if f.name == "braiins")
        feed.client.min_interval_s = 0.3  # the real 5 s, shortened for the test
        import time

        start = time.perf_counter()
        await feed.poll()
        await feed.poll()
        assert time.perf_counter() - start >= 1.5  # six requests (rewards, payouts, profile) twice, five gaps


async def test_sim_payouts_are_queued_then_confirmed_under_one_id(sim: SimCluster) -> None:
    from datetime import timedelta

    settings = load_settings(None, env={}, overrides=sim.settings_overrides())
    last = sim.model.pools["braiins"].payouts[-8]
    sim.state.offset = last.requested_at + timedelta(minutes=1) - NOW
    async with aiohttp.ClientSession() as session:
        http = HttpClient(session, pacing=False)
        feed = next(f for f in build_feeds(settings, http) if f.name == "braiins")
        until = sim.now().date()
        before = {p.external_id: p for p in (await feed.poll(until - timedelta(days=3), until)).payouts}
        sim.advance(timedelta(hours=1))
        after = {p.external_id: p for p in (await feed.poll(until - timedelta(days=3), until)).payouts}
    queued = [k for k, p in before.items() if p.status == "queued"]
    assert queued
    assert all(after[k].status == "confirmed" and after[k].tx_id for k in queued)
