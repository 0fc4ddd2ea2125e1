"""A simulated Solana JSON-RPC node: `getTokenAccountsByOwner` (mint filter, jsonParsed) and
`getSlot`. An owner with a KZTE balance holds one token account of the demo mint; another
mint, or an owner without a balance, has none."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from desk.sim.esplora import KZTE_DECIMALS, SIM_KZTE_MINT, ChainSim, admin_routes
from desk.sim.state import json_response

#: Slot 380,000,000 at this time, then a slot every 400 ms.
ANCHOR_SLOT = 380_000_000
ANCHOR_TIME = datetime(2026, 11, 1, tzinfo=UTC)
TOKEN_PROGRAM = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"


def slot(chain: ChainSim) -> int:
    return ANCHOR_SLOT + int((chain.state.now() - ANCHOR_TIME).total_seconds()) * 5 // 2


def token_account(owner: str, units: int) -> dict[str, Any]:
    whole, fraction = divmod(units, 10**KZTE_DECIMALS)
    shown = f"{whole}.{fraction:0{KZTE_DECIMALS}d}".rstrip("0").rstrip(".")
    return {
        "pubkey": hashlib.sha256(f"token-account:{owner}".encode()).hexdigest()[:44],
        "account": {
            "lamports": 2039280,
            "owner": TOKEN_PROGRAM,
            "executable": False,
            "rentEpoch": 18446744073709551615,
            "space": 165,
            "data": {
                "program": "spl-token",
                "space": 165,
                "parsed": {
                    "type": "account",
                    "info": {
                        "isNative": False,
                        "mint": SIM_KZTE_MINT,
                        "owner": owner,
                        "state": "initialized",
                        "tokenAmount": {
                            "amount": str(units),
                            "decimals": KZTE_DECIMALS,
                            # what the real node sends (a float); clients must ignore it
                            "uiAmount": units / 10**KZTE_DECIMALS,
                            "uiAmountString": shown,
                        },
                    },
                },
            },
        },
    }


def routes(chain: ChainSim) -> list[web.RouteDef]:
    def answer(request_id: Any, result: Any = None, error: dict[str, Any] | None = None) -> web.Response:
        body: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id}
        body.update({"error": error} if error else {"result": result})
        return json_response(body)

    async def rpc(request: web.Request) -> web.Response:
        try:
            call = await request.json()
        except ValueError:
            return answer(None, error={"code": -32700, "message": "Parse error"})
        request_id, method, params = call.get("id"), call.get("method"), call.get("params") or []
        if method == "getSlot":
            return answer(request_id, slot(chain))
        if method == "getTokenAccountsByOwner":
            if len(params) < 2 or not isinstance(params[1], dict) or "mint" not in params[1]:
                return answer(request_id, error={"code": -32602, "message": "Invalid params: missing mint filter"})
            owner, mint = params[0], params[1]["mint"]
            units = chain.balance_units("solana", owner) if mint == SIM_KZTE_MINT else 0
            context = {"apiVersion": "2.2.0", "slot": slot(chain)}
            value = [token_account(owner, units)] if units else []
            return answer(request_id, {"context": context, "value": value})
        return answer(request_id, error={"code": -32601, "message": "Method not found"})

    return [web.post("/", rpc), *admin_routes(chain)]
