"""A simulated BNB Smart Chain JSON-RPC node: `eth_blockNumber`, `eth_getBalance`,
`eth_chainId`, with the node's error objects for a malformed address or an unknown method.
Balances are `ChainSim`'s (wei, as big as they come)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from desk.sim.esplora import ChainSim, admin_routes
from desk.sim.state import json_response

#: BSC block 45,000,000 at this time, then a block every 3 s.
ANCHOR_BLOCK = 45_000_000
ANCHOR_TIME = datetime(2026, 11, 1, tzinfo=UTC)
BLOCK_SECONDS = 3
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


def block_number(chain: ChainSim) -> int:
    return ANCHOR_BLOCK + int((chain.state.now() - ANCHOR_TIME).total_seconds()) // BLOCK_SECONDS


def routes(chain: ChainSim) -> list[web.RouteDef]:
    def answer(request_id: Any, result: Any = None, error: dict[str, Any] | None = None) -> web.Response:
        body: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id}
        body.update({"error": error} if error else {"result": result})
        return json_response(body)

    async def rpc(request: web.Request) -> web.Response:
        try:
            call = await request.json()
        except ValueError:
            return answer(None, error={"code": -32700, "message": "parse error"})
        request_id, method, params = call.get("id"), call.get("method"), call.get("params") or []
        if method == "eth_chainId":
            return answer(request_id, "0x38")
        if method == "eth_blockNumber":
            return answer(request_id, hex(block_number(chain)))
        if method == "eth_getBalance":
            address = params[0] if params else ""
            if not isinstance(address, str) or not _ADDRESS.fullmatch(address):
                length = len(address) - 2 if isinstance(address, str) else 0
                message = f"invalid argument 0: hex string has length {length}, want 40 for common.Address"
                return answer(request_id, error={"code": -32602, "message": message})
            return answer(request_id, hex(chain.balance_units("bsc", address)))
        return answer(
            request_id, error={"code": -32601, "message": f"the method {method} does not exist/is not available"}
        )

    return [web.post("/", rpc), *admin_routes(chain)]
