"""Building the configured feeds: adding a pool or a price source is one module and one line
here."""

from __future__ import annotations

from datetime import timedelta

from desk.config import DeskSettings
from desk.feeds.feed import Feed
from desk.feeds.http import HttpClient
from desk.feeds.pools.base import PoolClient
from desk.feeds.pools.braiins import BraiinsClient
from desk.feeds.pools.f2pool import F2PoolClient
from desk.feeds.pools.foundry import FoundryClient
from desk.feeds.pools.ocean import OceanClient
from desk.feeds.prices.base import PriceClient
from desk.feeds.prices.binance import BinanceClient
from desk.feeds.prices.coinbase import CoinbaseClient
from desk.feeds.prices.kraken import KrakenClient
from desk.feeds.prices.nbk import NbkClient

POOLS: dict[str, type[PoolClient]] = {c.kind: c for c in (BraiinsClient, F2PoolClient, FoundryClient, OceanClient)}
PRICES: dict[str, type[PriceClient]] = {c.kind: c for c in (BinanceClient, KrakenClient, CoinbaseClient, NbkClient)}


def build_feeds(settings: DeskSettings, http: HttpClient) -> list[Feed]:
    """Every enabled pool and price source, pools first. (The Binance WebSocket stream is
    not polled; it is not built here.)"""
    feeds = []
    pool_stale = timedelta(seconds=3 * settings.sync.pools_interval)
    price_stale = timedelta(seconds=3 * settings.sync.prices_interval)
    for name, pool in settings.pools.items():
        if pool.enabled:
            feeds.append(Feed(POOLS[pool.kind](name, pool, http), pool_stale))
    for name, source in settings.prices.sources.items():
        if source.enabled and source.kind in PRICES:
            stale = timedelta(days=4) if source.kind == "nbk" else price_stale
            feeds.append(Feed(PRICES[source.kind](name, source, http), stale))
    return feeds
