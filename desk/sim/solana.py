"""A simulated Solana JSON-RPC node: `getSlot`, `getTokenAccountsByOwner` (mint filter,
jsonParsed), `getSignaturesForAddress`, `getTransaction` (jsonParsed) and
`getSignatureStatuses`, in the shapes of Solana's RPC documentation (solana.com/docs/rpc).

An owner with a KZTE balance or history holds one token account of the demo mint (its
address derived from the owner's); another mint has none. The ledger's solana txs are KZTE
transfers between owners' token accounts; like a real node, the simulator lists a tx only
once it has landed (a tx still "in the mempool" is not visible), "confirmed" then
"finalized" 32 slots later; a dropped or replaced one never appears. The fee is paid in
lamports, beside the token's balances.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from aiohttp import web

from desk.sim.esplora import KZTE_DECIMALS, SIM_KZTE_MINT
from desk.sim.heights import solana_slot_time
from desk.sim.ledger import base58
from desk.sim.state import json_response

if TYPE_CHECKING:
    from desk.sim.chain import ChainSim
    from desk.sim.ledger import LedgerTx

TOKEN_PROGRAM = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
#: Slots after which a landed tx is finalized.
FINALITY = 32
#: What an owner the simulator did not seed holds, so a counterparty never goes negative.
OUTSIDER_UNITS = 10**15


def account_of(owner: str) -> str:
    """The owner's token account of the demo mint (a base-58 public key)."""
    return base58(hashlib.sha256(f"token-account:{owner}".encode()).digest())


def ui_amount(units: int) -> dict[str, Any]:
    whole, fraction = divmod(units, 10**KZTE_DECIMALS)
    shown = f"{whole}.{fraction:0{KZTE_DECIMALS}d}".rstrip("0").rstrip(".")
    # `uiAmount` is what the real node sends (a float); clients must ignore it
    return {
        "amount": str(units),
        "decimals": KZTE_DECIMALS,
        "uiAmount": units / 10**KZTE_DECIMALS,
        "uiAmountString": shown,
    }


def token_account(owner: str, units: int) -> dict[str, Any]:
    return {
        "pubkey": account_of(owner),
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
                        "tokenAmount": ui_amount(units),
                    },
                },
            },
        },
    }


def landed(chain: ChainSim) -> list[LedgerTx]:
    """The solana txs that have landed, in ledger order."""
    tip = chain.tip("solana")
    return [tx for tx in chain.ledger.visible("solana") if tx.status(tip) == "confirmed"]


def balance_before(chain: ChainSim, owner: str, tx: LedgerTx) -> int:
    """The owner's KZTE just before `tx` (landed txs before it in ledger order)."""
    base = chain.balances.get(("solana", owner), OUTSIDER_UNITS if owner not in _seeded(chain) else 0)
    for earlier in landed(chain):
        if earlier is tx:
            break
        base += earlier.units if earlier.to == owner else 0
        base -= earlier.units if earlier.sender == owner else 0
    return base


def _seeded(chain: ChainSim) -> set[str]:
    return {address for (name, address) in chain.balances if name == "solana"}


def status_of(chain: ChainSim, tx: LedgerTx) -> str:
    assert tx.height is not None
    return "finalized" if chain.tip("solana") - tx.height >= FINALITY else "confirmed"


def signature_info(chain: ChainSim, tx: LedgerTx) -> dict[str, Any]:
    assert tx.height is not None
    return {
        "signature": tx.txid,
        "slot": tx.height,
        "err": None,
        "memo": None,
        "blockTime": int(solana_slot_time(tx.height).timestamp()),
        "confirmationStatus": status_of(chain, tx),
    }


def transaction(chain: ChainSim, tx: LedgerTx) -> dict[str, Any]:
    assert tx.height is not None
    sender_before, to_before = balance_before(chain, tx.sender, tx), balance_before(chain, tx.to, tx)

    def balances(sender_units: int, to_units: int) -> list[dict[str, Any]]:
        return [
            {
                "accountIndex": 1,
                "mint": SIM_KZTE_MINT,
                "owner": owner,
                "programId": TOKEN_PROGRAM,
                "uiTokenAmount": ui_amount(units),
            }
            for owner, units in ((tx.sender, sender_units), (tx.to, to_units))
        ]

    keys = [tx.sender, account_of(tx.sender), account_of(tx.to), TOKEN_PROGRAM]
    return {
        "slot": tx.height,
        "blockTime": int(solana_slot_time(tx.height).timestamp()),
        "meta": {
            "err": None,
            "status": {"Ok": None},
            "fee": tx.fee,
            "preBalances": [10**9, 2039280, 2039280, 1],
            "postBalances": [10**9 - tx.fee, 2039280, 2039280, 1],
            "preTokenBalances": balances(sender_before, to_before),
            "postTokenBalances": balances(sender_before - tx.units, to_before + tx.units),
            "logMessages": [],
            "rewards": [],
        },
        "transaction": {
            "signatures": [tx.txid],
            "message": {
                "accountKeys": [
                    {"pubkey": key, "signer": i == 0, "writable": i < 3, "source": "transaction"}
                    for i, key in enumerate(keys)
                ],
                "instructions": [
                    {
                        "program": "spl-token",
                        "programId": TOKEN_PROGRAM,
                        "parsed": {
                            "type": "transferChecked",
                            "info": {
                                "authority": tx.sender,
                                "source": account_of(tx.sender),
                                "destination": account_of(tx.to),
                                "mint": SIM_KZTE_MINT,
                                "tokenAmount": ui_amount(tx.units),
                            },
                        },
                        "stackHeight": None,
                    }
                ],
                "recentBlockhash": base58(hashlib.sha256(f"blockhash:{tx.seen_tip}".encode()).digest()),
            },
        },
        "version": 0,
    }


def routes(chain: ChainSim) -> list[web.RouteDef]:
    def answer(request_id: Any, result: Any = None, error: dict[str, Any] | None = None) -> web.Response:
        body: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id}
        body.update({"error": error} if error else {"result": result})
        return json_response(body)

    def by_signature(value: Any) -> LedgerTx | None:
        return next((tx for tx in landed(chain) if tx.txid == value), None)

    async def rpc(request: web.Request) -> web.Response:
        try:
            call = await request.json()
        except ValueError:
            return answer(None, error={"code": -32700, "message": "Parse error"})
        request_id, method, params = call.get("id"), call.get("method"), call.get("params") or []
        context = {"apiVersion": "2.2.0", "slot": chain.tip("solana")}
        if method == "getSlot":
            return answer(request_id, chain.tip("solana"))
        if method == "getTokenAccountsByOwner":
            if len(params) < 2 or not isinstance(params[1], dict) or "mint" not in params[1]:
                return answer(request_id, error={"code": -32602, "message": "Invalid params: missing mint filter"})
            owner, mint = params[0], params[1]["mint"]
            units = chain.balance_units("solana", owner) if mint == SIM_KZTE_MINT else 0
            history = mint == SIM_KZTE_MINT and bool(chain.ledger.of("solana", owner))
            value = [token_account(owner, units)] if units or history else []
            return answer(request_id, {"context": context, "value": value})
        if method == "getSignaturesForAddress":
            account = params[0] if params else None
            limit = params[1].get("limit", 1000) if len(params) > 1 and isinstance(params[1], dict) else 1000
            mine = [tx for tx in landed(chain) if account in (account_of(tx.sender), account_of(tx.to))]
            mine.sort(key=lambda tx: (tx.height or 0, tx.txid), reverse=True)
            return answer(request_id, [signature_info(chain, tx) for tx in mine[:limit]])
        if method == "getTransaction":
            tx = by_signature(params[0] if params else None)
            return answer(request_id, None if tx is None else transaction(chain, tx))
        if method == "getSignatureStatuses":
            wanted = params[0] if params and isinstance(params[0], list) else []
            values = []
            for sig in wanted:
                tx = by_signature(sig)
                values.append(
                    None
                    if tx is None or tx.height is None
                    else {
                        "slot": tx.height,
                        "confirmations": None,
                        "err": None,
                        "status": {"Ok": None},
                        "confirmationStatus": status_of(chain, tx),
                    }
                )
            return answer(request_id, {"context": context, "value": values})
        return answer(request_id, error={"code": -32601, "message": "Method not found"})

    return [web.post("/", rpc)]
