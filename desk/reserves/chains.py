"""Reading the balance of any configured address from its chain, through the right client."""

from __future__ import annotations

from desk.config import AddressSettings, DeskSettings
from desk.feeds.chains.bsc import BscClient, bsc_client
from desk.feeds.chains.esplora import EsploraClient, esplora_client
from desk.feeds.chains.records import ChainBalance
from desk.feeds.chains.solana import SolanaClient, solana_client
from desk.feeds.http import HttpClient


class ChainReader:
    """One client per chain, built only when an address on that chain is asked for (a
    config with no Solana address needs no KZTE mint)."""

    def __init__(self, settings: DeskSettings, http: HttpClient) -> None:
        self.settings = settings
        self.http = http
        self._esplora: EsploraClient | None = None
        self._bsc: BscClient | None = None
        self._solana: SolanaClient | None = None

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
        return {"bitcoin": "esplora", "bsc": "bsc", "solana": "solana"}[chain]

    async def balance(self, entry: AddressSettings) -> ChainBalance:
        if entry.chain == "bitcoin":
            return await self.esplora.balance(entry.address)
        if entry.chain == "bsc":
            return await self.bsc.balance(entry.address)
        return await self.solana.balance(entry.address)
