"""Reading the balance of any configured address from its chain, through the right client."""

from __future__ import annotations

import time
from collections.abc import Collection
from datetime import timedelta

from desk.config import AddressSettings, DeskSettings
from desk.feeds.chains.bsc import BscClient, bsc_client
from desk.feeds.chains.esplora import EsploraClient, esplora_client
from desk.feeds.chains.records import ChainBalance, ChainMovement
from desk.feeds.chains.solana import SolanaClient, solana_client
from desk.feeds.errors import FeedError
from desk.feeds.health import FeedHealth
from desk.feeds.http import HttpClient

#: A chain balance older than this is stale (the feeds screen shows its age).
STALE_AFTER = timedelta(minutes=30)
SOURCES = {"bitcoin": "esplora", "bsc": "bsc", "solana": "solana"}


class ChainReader:
    """One client per chain, built only when an address on that chain is asked for (a
    config with no Solana address needs no KZTE mint), and each chain source's health (kind
    "chain" on the feeds screen), kept as the pool and price feeds keep theirs."""

    def __init__(self, settings: DeskSettings, http: HttpClient) -> None:
        self.settings = settings
        self.http = http
        self._esplora: EsploraClient | None = None
        self._bsc: BscClient | None = None
        self._solana: SolanaClient | None = None
        self.health: dict[str, FeedHealth] = {name: FeedHealth(name, STALE_AFTER) for name in SOURCES.values()}

    @property
    def esplora(self) -> EsploraClient:
        if self._esplora is None:
            self._esplora = esplora_client(self.settings, self.http)
        return self._esplora

    @property
    def bsc(self) -> BscClient:
        if self._bsc is None:
            self._bsc = bsc_client(self.settings, self.http)
        return self._bsc

    @property
    def solana(self) -> SolanaClient:
        if self._solana is None:
            self._solana = solana_client(self.settings, self.http)
        return self._solana

    def source_of(self, chain: str) -> str:
        """The name the operator knows the chain's source by, for messages."""
        return SOURCES[chain]

    async def balance(self, entry: AddressSettings) -> ChainBalance:
        """The address's balance; a failure is recorded in the source's health and re-raised."""
        health = self.health[self.source_of(entry.chain)]
        started = time.perf_counter()
        try:
            if entry.chain == "bitcoin":
                balance = await self.esplora.balance(entry.address)
            elif entry.chain == "bsc":
                balance = await self.bsc.balance(entry.address)
            else:
                balance = await self.solana.balance(entry.address)
        except FeedError as exc:
            health.record_failure(self.http.clock.now(), exc, time.perf_counter() - started)
            raise
        health.record_ok(self.http.clock.now(), 1, time.perf_counter() - started)
        return balance

    async def movements(self, entry: AddressSettings, tracked: Collection[str] = ()) -> list[ChainMovement]:
        """The movements in and out of the address (`tracked`: txids of transfers in flight,
        looked up wherever they are on chains that cannot list an address's history); a
        failure is recorded in the source's health and re-raised. One reader per watch: the
        clients remember the mempool txs they reported, to say when one was replaced."""
        health = self.health[self.source_of(entry.chain)]
        started = time.perf_counter()
        try:
            if entry.chain == "bitcoin":
                found = await self.esplora.movements(entry.address)
            elif entry.chain == "bsc":
                found = await self.bsc.movements(entry.address, tracked)
            else:
                found = await self.solana.movements(entry.address, tracked)
        except FeedError as exc:
            health.record_failure(self.http.clock.now(), exc, time.perf_counter() - started)
            raise
        health.record_ok(self.http.clock.now(), len(found), time.perf_counter() - started)
        return found
