"""BNB Smart Chain JSON-RPC (any Ethereum-compatible node): `eth_getBalance` of an address.

The answer is a hex string of wei (10^-18 BNB). 8,000 BNB is 8 x 10^21 wei, beyond 64 bits:
it goes through int(hex, 16) and Decimal, never float. Errors come as
`{"error": {"code", "message"}}` and become the feed's error.
"""

from __future__ import annotations

from desk.config import DeskSettings
from desk.feeds.chains.base import JsonRpcClient, integer_text, units_to_amount
from desk.feeds.chains.records import ChainBalance
from desk.feeds.errors import Malformed
from desk.feeds.http import HttpClient
from desk.money import BNB, Asset

CHAIN = "bsc"
WEI_DECIMALS = 18


class BscClient(JsonRpcClient):
    def __init__(self, rpc_url: str, http: HttpClient, *, asset: Asset = BNB, name: str = "bsc") -> None:
        super().__init__(name, rpc_url, http)
        self.asset = asset

    async def block_number(self) -> int:
        return integer_text(await self.rpc("eth_blockNumber", []), f"{self.name} eth_blockNumber.result", base=16)

    async def balance(self, address: str) -> ChainBalance:
        """The balance at the latest block, with that block's number read just before."""
        height = await self.block_number()
        result = await self.rpc("eth_getBalance", [address, "latest"])
        where = f"{self.name} eth_getBalance({address}).result"
        wei = integer_text(result, where, base=16)
        if wei >= 10**40:
            raise Malformed(f"{where}: {wei} wei is not a plausible balance")
        amount = units_to_amount(wei, WEI_DECIMALS, self.asset, where)
        return ChainBalance(CHAIN, address, amount, height, self.http.clock.now())


def bsc_client(settings: DeskSettings, http: HttpClient) -> BscClient:
    """The BSC client of a DeskSettings, at the configured BNB precision."""
    return BscClient(settings.chains.bsc.rpc_url, http, asset=settings.asset("BNB"))
