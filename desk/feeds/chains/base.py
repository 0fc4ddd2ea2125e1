"""What the chain clients share: a name for health and messages, the HTTP layer, parsing of
big answers off the event loop, JSON-RPC envelopes, and exact unit conversion."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from itertools import count
from typing import Any, TypeVar

from desk.feeds.errors import FeedError, Malformed
from desk.feeds.http import HttpClient, Response
from desk.feeds.parsing import as_list, field, loads
from desk.money import MONEY_CONTEXT, Amount, Asset, MoneyError

T = TypeVar("T")
#: Answers larger than this (characters) are parsed in a worker thread.
OFF_LOOP_CHARS = 200_000


class ChainError(FeedError):
    """The node answered, but with an error of its own (a JSON-RPC error object, an Esplora
    400 such as "Invalid Bitcoin address"); `status` is the HTTP status when it was one."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status


class ChainClient:
    """One chain source. `name` is the feed's name in health and messages."""

    def __init__(self, name: str, url: str, http: HttpClient) -> None:
        self.name = name
        self.url = url.rstrip("/")
        self.http = http

    async def off_loop(self, parse: Callable[[], T], size: int) -> T:
        """Run `parse` here for a small answer, in a worker thread for a big one."""
        return await asyncio.to_thread(parse) if size > OFF_LOOP_CHARS else parse()

    async def json_of(self, response: Response, where: str) -> Any:
        return await self.off_loop(lambda: loads(response.text, where), len(response.text))


class JsonRpcClient(ChainClient):
    """A JSON-RPC 2.0 node over HTTP POST: `result`, or an `error` object become a ChainError."""

    def __init__(self, name: str, url: str, http: HttpClient) -> None:
        super().__init__(name, url, http)
        self._ids = count(1)

    async def rpc(self, method: str, params: list[Any]) -> Any:
        request_id = next(self._ids)
        body = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}
        response = await self.http.request("POST", self.url, json_body=body)
        where = f"{self.name} {method}"
        if response.status != 200 and not response.text.lstrip().startswith("{"):
            raise ChainError(f"{where}: HTTP {response.status} {response.text[:80]}".strip())
        data = await self.json_of(response, where)
        if isinstance(data, dict) and data.get("error") is not None:
            error = data["error"]
            code = error.get("code") if isinstance(error, dict) else None
            message = error.get("message") if isinstance(error, dict) else error
            raise ChainError(f"{where}: node error {code}: {str(message)[:160]}")
        if response.status != 200:
            raise ChainError(f"{where}: HTTP {response.status}")
        return field(data, "result", where)

    async def rpc_batch(self, method: str, params: list[list[Any]]) -> list[Any]:
        """One JSON-RPC 2.0 batch (an array of calls in one POST) of `method` with each of
        `params`; the results in the same order (the node may answer in any order: matched
        by id). An error object in any answer is the batch's ChainError."""
        if not params:
            return []
        ids = [next(self._ids) for _ in params]
        body = [{"jsonrpc": "2.0", "id": i, "method": method, "params": p} for i, p in zip(ids, params, strict=True)]
        response = await self.http.request("POST", self.url, json_body=body)
        where = f"{self.name} {method} x{len(params)}"
        if response.status != 200:
            raise ChainError(f"{where}: HTTP {response.status} {response.text[:80]}".strip())
        data = await self.json_of(response, where)
        if isinstance(data, dict) and data.get("error") is not None:
            raise ChainError(f"{where}: node error {str(data['error'])[:160]}")
        answers = {item.get("id"): item for item in as_list(data, where) if isinstance(item, dict)}
        results = []
        for i in ids:
            item = answers.get(i)
            if item is None:
                raise Malformed(f"{where}: no answer for call id {i}")
            if item.get("error") is not None:
                error = item["error"]
                message = error.get("message") if isinstance(error, dict) else error
                raise ChainError(f"{where}: node error: {str(message)[:160]}")
            results.append(field(item, "result", f"{where} id {i}"))
        return results


def units_to_amount(units: int, decimals: int, asset: Asset, where: str) -> Amount:
    """`units` of a token with `decimals` (wei: 18, KZTE on Solana: 6) as an exact Amount of
    `asset` at desk's precision; a remainder below desk's precision is refused, never rounded."""
    if isinstance(units, bool) or not isinstance(units, int):
        raise Malformed(f"{where}: expected whole base units, got {units!r}"[:160])
    if units < 0:
        raise Malformed(f"{where}: {units} base units is negative")
    try:
        return Amount(asset, Decimal(units).scaleb(-decimals, MONEY_CONTEXT))
    except MoneyError as exc:
        raise Malformed(f"{where}: {exc}") from None


def integer_text(value: Any, where: str, *, base: int = 10) -> int:
    """An integer sent as a string (Solana's "250000000000", an RPC's hex "0x1b1a..."):
    parsed with int(), exact at any size, never through float."""
    if not isinstance(value, str) or not value.strip():
        raise Malformed(f"{where}: expected an integer string, got {value!r}"[:160])
    raw = value.strip()
    if base == 16:
        if not raw.lower().startswith("0x") or len(raw) < 3:
            raise Malformed(f"{where}: {raw[:40]!r} is not a 0x-prefixed hex quantity")
        digits = raw[2:]
        allowed = "0123456789abcdefABCDEF"
    else:
        digits = raw
        allowed = "0123456789"
    if not digits or any(c not in allowed for c in digits):
        raise Malformed(f"{where}: {raw[:40]!r} is not an integer")
    return int(digits, base)
