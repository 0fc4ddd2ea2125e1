"""Feeds benchmark: one concurrent round over 20 feeds with 200 ms server latency against the
same 20 polled one after another, and parse throughput of a 100k-payout response.

    .venv/bin/python bench/feeds.py [--feeds 20] [--latency 0.2] [--payouts 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, date, datetime

import aiohttp
from common import print_table

from desk.config import PriceSourceSettings
from desk.feeds.feed import Feed, poll_all
from desk.feeds.http import HttpClient
from desk.feeds.pools.braiins import BraiinsClient
from desk.feeds.prices.kraken import KrakenClient
from desk.sim import SimCluster
from desk.sim.encode import dumps

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


async def rounds(n: int, latency: float) -> tuple[float, float]:  # float-ok: seconds
    from datetime import timedelta

    async with SimCluster(seed=1, now=NOW, days=3, latency_s=latency) as sim, aiohttp.ClientSession() as session:
        http = HttpClient(session, pacing=False)
        url = sim.urls["kraken"]
        feeds = [
            Feed(
                KrakenClient(f"kraken{i}", PriceSourceSettings(kind="kraken", base_url=url, symbols=["XBTUSD"]), http),
                timedelta(minutes=1),
            )
            for i in range(n)
        ]
        start = time.perf_counter()
        results = await poll_all(feeds)
        concurrent = time.perf_counter() - start
        assert all(r.ok for r in results)
        start = time.perf_counter()
        for feed in feeds:
            assert (await feed.poll()).ok
        sequential = time.perf_counter() - start
    return concurrent, sequential


class Canned:
    """The payouts answer for the payouts path, no rewards for the rewards path."""

    def __init__(self, body: str) -> None:
        from desk.feeds.clock import Clock

        self.body, self.clock = body, Clock()

    async def request(self, method: str, url: str, *args: object, **kwargs: object):
        from desk.feeds.http import Response

        body = self.body if "payouts" in url else '{"btc": {"daily_rewards": []}}'
        return Response(200, body, {}, "http://bench")


async def parse_rate(payouts: int) -> float:  # float-ok: records per second
    rows = [
        {
            "financial_account_name": "Ops",
            "requested_at_ts": 1795320000 + i,
            "resolved_at_ts": 1795322400 + i,
            "status": "confirmed",
            "amount_sats": 4276540 + i,
            "fee_sats": 0,
            "destination": "bc1qdeskdemo0hotwallet0000000000000000000000",
            "tx_id": f"{i:064x}",
            "trigger_type": "triggered",
        }
        for i in range(payouts)
    ]
    body = dumps({"onchain": rows, "lightning": []})
    from pydantic import SecretStr

    from desk.config import PoolSettings

    client = BraiinsClient("bp", PoolSettings(kind="braiins", token=SecretStr("x")), Canned(body))  # type: ignore[arg-type]
    start = time.perf_counter()
    parsed = await client.window(date(2026, 1, 1), date(2026, 12, 31))
    elapsed = time.perf_counter() - start
    assert len(parsed.payouts) == payouts and not parsed.refused
    return payouts / elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--payouts", type=int, default=100_000)
    args = parser.parse_args()
    concurrent, sequential = await rounds(args.feeds, args.latency)
    rate = await parse_rate(args.payouts)
    print_table(
        f"feeds benchmark, {args.feeds} feeds at {args.latency * 1000:.0f} ms latency",
        [
            (
                "one round, concurrent",
                f"{concurrent:.2f} s",
                f"{sequential / concurrent:.1f}x faster than one after another ({sequential:.2f} s)",
                ">= 8x",
            ),
            (f"parse {args.payouts:,}-payout response", f"{rate:,.0f} records/s", "", ""),
        ],
    )


if __name__ == "__main__":
    asyncio.run(main())
