"""Solana JSON-RPC: the KZTE held by an owner, from `getTokenAccountsByOwner` with the mint
filter and `jsonParsed` encoding.

An owner may hold several token accounts of the mint; their `tokenAmount.amount` (an integer
string in base units, `decimals` beside it) are summed exactly. The float `uiAmount` is
ignored. The answer's `context.slot` is the slot the balance is as of.
"""

from __future__ import annotations

from desk.config import DeskSettings
from desk.feeds.chains.base import ChainError, JsonRpcClient, integer_text, units_to_amount
from desk.feeds.chains.records import ChainBalance
from desk.feeds.errors import Malformed
from desk.feeds.http import HttpClient
from desk.feeds.parsing import as_list, field
from desk.money import KZTE, Amount, Asset

CHAIN = "solana"


class SolanaClient(JsonRpcClient):
    def __init__(self, rpc_url: str, mint: str, http: HttpClient, *, asset: Asset = KZTE, name: str = "solana") -> None:
        super().__init__(name, rpc_url, http)
        self.mint = mint
        self.asset = asset

    async def balance(self, owner: str) -> ChainBalance:
        params = [owner, {"mint": self.mint}, {"encoding": "jsonParsed"}]
        result = await self.rpc("getTokenAccountsByOwner", params)
        where = f"{self.name} getTokenAccountsByOwner({owner})"
        slot = field(field(result, "context", where), "slot", f"{where}.context")
        if not isinstance(slot, int) or slot < 0:
            raise Malformed(f"{where}.context.slot: {slot!r} is not a slot")
        total = Amount.zero(self.asset)
        for i, account in enumerate(as_list(field(result, "value", where), f"{where}.value")):
            total += self._holding(account, f"{where}.value[{i}]")
        return ChainBalance(CHAIN, owner, total, slot, self.http.clock.now())

    def _holding(self, account: object, where: str) -> Amount:
        data = field(field(account, "account", where), "data", f"{where}.account")
        info = field(field(data, "parsed", f"{where}.data"), "info", f"{where}.data.parsed")
        if field(info, "mint", f"{where}.info") != self.mint:
            raise ChainError(f"{where}.info.mint: the node returned a token account of another mint")
        token = field(info, "tokenAmount", f"{where}.info")
        decimals = field(token, "decimals", f"{where}.tokenAmount")
        if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 18:
            raise Malformed(f"{where}.tokenAmount.decimals: {decimals!r} is not a token precision")
        units = integer_text(field(token, "amount", f"{where}.tokenAmount"), f"{where}.tokenAmount.amount")
        return units_to_amount(units, decimals, self.asset, f"{where}.tokenAmount.amount")


def solana_client(settings: DeskSettings, http: HttpClient) -> SolanaClient:
    """The Solana client of a DeskSettings; ChainError when no KZTE mint is configured."""
    mint = settings.chains.solana.kzte_mint
    if not mint:
        raise ChainError("solana: no chains.solana.kzte_mint configured")
    return SolanaClient(settings.chains.solana.rpc_url, mint, http, asset=settings.asset("KZTE"))
