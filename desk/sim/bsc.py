"""A simulated BNB Smart Chain JSON-RPC node: `eth_blockNumber`, `eth_getBalance`,
`eth_chainId`, `eth_getBlockByNumber`, `eth_getTransactionByHash`,
`eth_getTransactionReceipt`, single calls or batches (a JSON array of calls), with the
node's error objects for a malformed address or an unknown method.

Balances are `ChainSim`'s (wei, as big as they come); the ledger's BSC txs are served in
the shapes of the Ethereum JSON-RPC spec (github.com/ethereum/execution-apis,
src/schemas/transaction.yaml, receipt.yaml, block.yaml): a pending tx has `blockNumber`
null and no receipt; a replaced or dropped one is unknown (null), as on a node. Blocks
carry only the ledger's txs (a real block carries the whole network's)."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from aiohttp import web

from desk.sim.heights import bsc_block_time
from desk.sim.state import json_response

if TYPE_CHECKING:
    from desk.sim.chain import ChainSim
    from desk.sim.ledger import LedgerTx

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
GAS = 21_000
CHAIN_ID = "0x38"


class RpcError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def block_hash(number: int) -> str:
    return "0x" + hashlib.sha256(f"bsc:block:{number}".encode()).hexdigest()


def tx_object(chain: ChainSim, tx: LedgerTx) -> dict[str, Any]:
    mined = tx.status(chain.tip("bsc")) == "confirmed" and tx.height is not None
    return {
        "blockHash": block_hash(tx.height) if mined and tx.height is not None else None,
        "blockNumber": hex(tx.height) if mined and tx.height is not None else None,
        "from": tx.sender,
        "gas": hex(GAS),
        "gasPrice": hex(tx.fee // GAS),
        "hash": tx.txid,
        "input": "0x",
        "nonce": hex(tx.nonce),
        "to": tx.to,
        "transactionIndex": "0x0" if mined else None,
        "value": hex(tx.units),
        "type": "0x0",
        "chainId": CHAIN_ID,
        "v": "0x93",
        "r": "0x" + tx.txid[2:34].rjust(64, "0"),
        "s": "0x" + tx.txid[34:].rjust(64, "0"),
    }


def receipt(chain: ChainSim, tx: LedgerTx) -> dict[str, Any] | None:
    if tx.status(chain.tip("bsc")) != "confirmed" or tx.height is None:
        return None
    return {
        "transactionHash": tx.txid,
        "transactionIndex": "0x0",
        "blockHash": block_hash(tx.height),
        "blockNumber": hex(tx.height),
        "from": tx.sender,
        "to": tx.to,
        "cumulativeGasUsed": hex(GAS),
        "gasUsed": hex(GAS),
        "effectiveGasPrice": hex(tx.fee // GAS),
        "contractAddress": None,
        "logs": [],
        "logsBloom": "0x" + "0" * 512,
        "type": "0x0",
        "status": "0x1",
    }


def block(chain: ChainSim, number: int, full: bool) -> dict[str, Any] | None:
    if number > chain.tip("bsc") or number < 0:
        return None
    txs = [tx for tx in chain.ledger.visible("bsc") if tx.height == number]
    return {
        "number": hex(number),
        "hash": block_hash(number),
        "parentHash": block_hash(number - 1),
        "timestamp": hex(int(bsc_block_time(number).timestamp())),
        "miner": "0x0000000000000000000000000000000000001000",
        "gasLimit": hex(140_000_000),
        "gasUsed": hex(GAS * len(txs)),
        "transactions": [tx_object(chain, tx) if full else tx.txid for tx in txs],
    }


def _address(params: list[Any]) -> str:
    address = params[0] if params else ""
    if not isinstance(address, str) or not _ADDRESS.fullmatch(address):
        length = len(address) - 2 if isinstance(address, str) else 0
        raise RpcError(-32602, f"invalid argument 0: hex string has length {length}, want 40 for common.Address")
    return address


def _block_number(chain: ChainSim, value: Any) -> int:
    if value in ("latest", "safe", "finalized", "pending"):
        return chain.tip("bsc")
    if isinstance(value, str) and value.startswith("0x"):
        try:
            return int(value, 16)
        except ValueError:
            pass
    raise RpcError(-32602, f"invalid argument 0: hex string without 0x prefix: {value!r}"[:120])


def _ledger_tx(chain: ChainSim, params: list[Any]) -> LedgerTx | None:
    wanted = str(params[0]).lower() if params else ""
    return next((tx for tx in chain.ledger.visible("bsc") if tx.txid == wanted), None)


def call(chain: ChainSim, method: Any, params: list[Any]) -> Any:
    """The result of one call, or RpcError."""
    if method == "eth_chainId":
        return CHAIN_ID
    if method == "eth_blockNumber":
        return hex(chain.tip("bsc"))
    if method == "eth_getBalance":
        return hex(chain.balance_units("bsc", _address(params)))
    if method == "eth_getBlockByNumber":
        return block(chain, _block_number(chain, params[0] if params else None), bool(params[1:2] and params[1]))
    if method == "eth_getTransactionByHash":
        tx = _ledger_tx(chain, params)
        return None if tx is None else tx_object(chain, tx)
    if method == "eth_getTransactionReceipt":
        tx = _ledger_tx(chain, params)
        return None if tx is None else receipt(chain, tx)
    raise RpcError(-32601, f"the method {method} does not exist/is not available")


def answer(chain: ChainSim, request: Any) -> dict[str, Any]:
    if not isinstance(request, dict):
        return {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "invalid request"}}
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": request.get("id")}
    try:
        body["result"] = call(chain, request.get("method"), request.get("params") or [])
    except RpcError as exc:
        body["error"] = {"code": exc.code, "message": exc.message}
    return body


def routes(chain: ChainSim) -> list[web.RouteDef]:
    async def rpc(request: web.Request) -> web.Response:
        try:
            calls = await request.json()
        except ValueError:
            return json_response({"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "parse error"}})
        if isinstance(calls, list):
            return json_response([answer(chain, one) for one in calls])
        return json_response(answer(chain, calls))

    return [web.post("/", rpc)]
