"""The exchanges' server-time endpoints: the simulator answers in each one's documented shape
on its clock, and desk reads them exactly over a real socket; a malformed answer names the
field."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import aiohttp
import pytest

from desk.config import PriceSourceSettings
from desk.feeds.errors import FeedError, Malformed
from desk.feeds.http import HttpClient, RetryPolicy
from desk.feeds.prices.server_time import server_time
from desk.sim import SimCluster
from tests.builders import sim_fixture

NOW = datetime(2026, 11, 24, 12, 0, 7, 250_000, tzinfo=UTC)


sim = sim_fixture(seed=3, now=NOW, days=1)


@pytest.fixture
async def http() -> AsyncIterator[HttpClient]:
    async with aiohttp.ClientSession() as session:
        yield HttpClient(session, policy=RetryPolicy(attempts=1, timeout_s=10))


def source(sim: SimCluster, kind: str) -> PriceSourceSettings:
    return PriceSourceSettings(kind=kind, base_url=sim.urls[kind], symbols=[])


async def raw(sim: SimCluster, kind: str, path: str) -> object:
    async with aiohttp.ClientSession() as session, session.get(sim.urls[kind] + path) as reply:
        return json.loads(await reply.text(), parse_float=Decimal)


async def test_the_simulator_answers_in_the_documented_shapes(sim: SimCluster) -> None:
    assert await raw(sim, "binance", "/api/v3/time") == {"serverTime": 1795521607250}
    assert await raw(sim, "kraken", "/0/public/Time") == {
        "error": [],
        "result": {"unixtime": 1795521607, "rfc1123": "Tue, 24 Nov 26 12:00:07 +0000"},
    }
    assert await raw(sim, "coinbase", "/time") == {"iso": "2026-11-24T12:00:07.250Z", "epoch": Decimal("1795521607.25")}


@pytest.mark.parametrize(
    ("kind", "expected", "resolution"),
    [
        ("binance", NOW, timedelta(milliseconds=1)),
        ("kraken", NOW.replace(microsecond=0), timedelta(seconds=1)),
        ("coinbase", NOW, timedelta(milliseconds=1)),
    ],
)
async def test_each_exchange_time_is_read_exactly(
    sim: SimCluster, http: HttpClient, kind: str, expected: datetime, resolution: timedelta
) -> None:
    answer = await server_time(kind, source(sim, kind), http)
    assert (answer.source, answer.server, answer.resolution) == (kind, expected, resolution)
    assert answer.sent <= answer.received


async def test_the_simulated_clock_moves_the_answer(sim: SimCluster, http: HttpClient) -> None:
    sim.advance(timedelta(minutes=5))
    answer = await server_time("binance", source(sim, "binance"), http)
    assert answer.server == NOW + timedelta(minutes=5)


@pytest.mark.parametrize(
    ("kind", "fault", "message"),
    [
        ("binance", "wrong_types", "binance /api/v3/time serverTime: expected a number"),
        ("kraken", "empty_number", "kraken /0/public/Time result.unixtime: missing number"),
        ("coinbase", "truncated", "coinbase /time: not valid JSON"),
    ],
)
async def test_a_malformed_answer_names_the_field(
    sim: SimCluster, http: HttpClient, kind: str, fault: str, message: str
) -> None:
    sim.faults.set(kind, fault)
    with pytest.raises(Malformed, match=message):
        await server_time(kind, source(sim, kind), http)


async def test_an_error_status_is_a_feed_error(sim: SimCluster, http: HttpClient) -> None:
    sim.faults.set("coinbase", "403")
    with pytest.raises(FeedError, match="credentials refused"):
        await server_time("coinbase", source(sim, "coinbase"), http)
