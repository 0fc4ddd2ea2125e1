"""A simulated Bitcoin chain served as Esplora (the chains' state is `chain.ChainSim`).

Blocks come every 600 s from a fixed anchor (desk/sim/heights.py), plus the blocks mined on
demand. Every payout of the simulated pools is a tx with
the tx id the pool reports, paying the pool's destination (the demo's revenue wallet) the
amount the wallet receives (payout minus network fee): in the mempool from the request,
confirmed in the last block at or before the time the pool calls it confirmed. Reserve
addresses hold seeded balances (see `ChainSim.set_balance`).

The ledger's txs (custodian transfers, unrecorded movements: desk/sim/ledger.py) are served
beside the payouts in the same shapes: an outgoing one spends an input of the sender, pays
the recipient and returns change; a replaced or dropped one is gone (404), as on a node.
The usual faults (`/__sim/fault`) apply to these servers as to the others.
"""

from __future__ import annotations

import hashlib
import random
import re
from typing import TYPE_CHECKING, Any

from aiohttp import web

from desk.feeds.chains.subsidy import subsidy_sats
from desk.sim.heights import block_time
from desk.sim.state import json_response

if TYPE_CHECKING:
    from desk.sim.chain import ChainSim, SimTx
    from desk.sim.ledger import LedgerTx

RETARGET = 2016
#: Difficulty around which epochs vary; with ~0.03 BTC fees it gives the model's hashprice.
BASE_DIFFICULTY = 132_200_000_000_000
MINER_ADDRESS = "bc1qdesksimminer00000000000000000000000000000"
#: Where the simulated pools pay from (a pool's hot wallet), per pool name.
POOL_WALLET = "bc1qdesksimpool{name}"

#: Demo addresses: the revenue wallet the pools pay, and the reserve's cold addresses.
SIM_WALLET = "bc1qdesksimhotwallet000000000000000000000000"
SIM_RESERVE_BTC = "bc1qdesksimreserve0cold00000000000000000000"
SIM_RESERVE_BNB = "0x000000000000000000000000000000000de5c01d"
SIM_RESERVE_SOL = "DeskSimReserveOwner111111111111111111111111"
SIM_KZTE_MINT = "KZTEDemoMint11111111111111111111111111111111"
KZTE_DECIMALS = 6
#: The demo reserve, in base units (sats, wei, KZTE's 10^-6): 12.5 BTC, 8,000 BNB, 250,000 KZTE.
DEMO_RESERVE: dict[tuple[str, str], int] = {
    ("bitcoin", SIM_RESERVE_BTC): 1_250_000_000,
    ("bsc", SIM_RESERVE_BNB): 8_000 * 10**18,
    ("solana", SIM_RESERVE_SOL): 250_000 * 10**KZTE_DECIMALS,
}


def demo_addresses() -> list[dict[str, str]]:
    """The `[[addresses]]` of the demo: the revenue wallet every simulated pool pays into
    (the model's default destination, wallet "ops") and the reserve's three cold addresses."""
    reserve = "assets:reserve:cold"
    return [
        {"account": "assets:wallet:ops", "chain": "bitcoin", "asset": "BTC", "address": SIM_WALLET, "custody": "cold"},
        {"account": reserve, "chain": "bitcoin", "asset": "BTC", "address": SIM_RESERVE_BTC, "custody": "cold"},
        {"account": reserve, "chain": "bsc", "asset": "BNB", "address": SIM_RESERVE_BNB, "custody": "cold"},
        {"account": reserve, "chain": "solana", "asset": "KZTE", "address": SIM_RESERVE_SOL, "custody": "custodian"},
    ]


#: Roughly what Esplora accepts as an address; anything else is its 400 "Invalid Bitcoin address".
_BITCOIN_ADDRESS = re.compile(r"(?:bc1|tb1|bcrt1)[a-z0-9]{8,87}|[123mn][1-9A-HJ-NP-Za-km-z]{25,34}")


def block_hash(seed: int, height: int) -> str:
    """A hash that carries its height (hex digits 8..16), so `/block/{hash}` needs no index."""
    tail = hashlib.sha256(f"{seed}:block:{height}".encode()).hexdigest()
    return f"00000000{height:08x}{tail[16:]}"


def height_of_hash(seed: int, value: str) -> int | None:
    try:
        height = int(value[8:16], 16)
    except ValueError:
        return None
    return height if block_hash(seed, height) == value else None


def _status(chain: ChainSim, tx: SimTx) -> dict[str, Any]:
    if not chain.mined_payout(tx):
        return {"confirmed": False}
    return {
        "confirmed": True,
        "block_height": tx.height,
        "block_hash": block_hash(chain.model.seed, tx.height),
        "block_time": int(block_time(tx.height).timestamp()),
    }


def tx_json(chain: ChainSim, tx: SimTx) -> dict[str, Any]:
    """A tx in Esplora's shape: one input from the sender, the output to us, change back."""
    fee = 1_500
    change = 100_000
    prev = hashlib.sha256(f"prev:{tx.txid}".encode()).hexdigest()
    return {
        "txid": tx.txid,
        "version": 2,
        "locktime": 0,
        "vin": [
            {
                "txid": prev,
                "vout": 0,
                "prevout": {"scriptpubkey_address": tx.sender, "value": tx.sats + change + fee},
                "is_coinbase": False,
                "sequence": 4294967293,
            }
        ],
        "vout": [
            {
                "scriptpubkey": "0014" + tx.txid[:40],
                "scriptpubkey_type": "v0_p2wpkh",
                "scriptpubkey_address": tx.address,
                "value": tx.sats,
            },
            {
                "scriptpubkey": "0014" + prev[:40],
                "scriptpubkey_type": "v0_p2wpkh",
                "scriptpubkey_address": tx.sender,
                "value": change,
            },
        ],
        "size": 222,
        "weight": 561,
        "fee": fee,
        "status": _status(chain, tx),
    }


def ledger_tx_json(chain: ChainSim, tx: LedgerTx) -> dict[str, Any]:
    """A ledger tx in Esplora's shape: the sender's input (the coins it spends), the output to
    the recipient, and change back to the sender."""
    change = 100_000
    prev_txid, prev_vout = tx.spends.rsplit(":", 1)
    confirmed = tx.status(chain.tip_height()) == "confirmed" and tx.height is not None
    status: dict[str, Any] = {"confirmed": False}
    if confirmed and tx.height is not None:
        status = {
            "confirmed": True,
            "block_height": tx.height,
            "block_hash": block_hash(chain.model.seed, tx.height),
            "block_time": int(block_time(tx.height).timestamp()),
        }
    return {
        "txid": tx.txid,
        "version": 2,
        "locktime": 0,
        "vin": [
            {
                "txid": prev_txid,
                "vout": int(prev_vout),
                "prevout": {"scriptpubkey_address": tx.sender, "value": tx.units + tx.fee + change},
                "is_coinbase": False,
                "sequence": 4294967293,
            }
        ],
        "vout": [
            {"scriptpubkey_type": "v0_p2wpkh", "scriptpubkey_address": tx.to, "value": tx.units},
            {"scriptpubkey_type": "v0_p2wpkh", "scriptpubkey_address": tx.sender, "value": change},
        ],
        "size": 222,
        "weight": 561,
        "fee": tx.fee,
        "status": status,
    }


def block_json(chain: ChainSim, height: int) -> dict[str, Any]:
    seed = chain.model.seed
    return {
        "id": block_hash(seed, height),
        "height": height,
        "version": 536870912,
        "timestamp": int(block_time(height).timestamp()),
        "tx_count": 3000,
        "size": 1_600_000,
        "weight": 3_993_000,
        "merkle_root": hashlib.sha256(f"{seed}:merkle:{height}".encode()).hexdigest(),
        "previousblockhash": block_hash(seed, height - 1),
        "mediantime": int(block_time(height - 6).timestamp()),
        "nonce": random.Random(f"{seed}:nonce:{height}").randint(0, 2**32 - 1),
        "bits": 386_000_000,
        "difficulty": chain.difficulty(height),
    }


def coinbase_json(chain: ChainSim, height: int) -> dict[str, Any]:
    claimed = subsidy_sats(height) + chain.fees_sats(height)
    return {
        "txid": hashlib.sha256(f"{chain.model.seed}:coinbase:{height}".encode()).hexdigest(),
        "version": 2,
        "locktime": 0,
        "vin": [{"txid": "0" * 64, "vout": 4294967295, "prevout": None, "is_coinbase": True, "sequence": 4294967295}],
        "vout": [
            {
                "scriptpubkey": "0014" + "ab" * 20,
                "scriptpubkey_type": "v0_p2wpkh",
                "scriptpubkey_address": MINER_ADDRESS,
                "value": claimed,
            },
            {"scriptpubkey": "6a24aa21a9ed" + "00" * 32, "scriptpubkey_type": "op_return", "value": 0},
        ],
        "size": 300,
        "weight": 1100,
        "fee": 0,
        "status": {
            "confirmed": True,
            "block_height": height,
            "block_hash": block_hash(chain.model.seed, height),
            "block_time": int(block_time(height).timestamp()),
        },
    }


def routes(chain: ChainSim) -> list[web.RouteDef]:
    def text(value: object) -> web.Response:
        return web.Response(text=str(value), content_type="text/plain")

    def not_found(message: str) -> web.Response:
        return web.Response(status=404, text=message, content_type="text/plain")

    async def tip_height(request: web.Request) -> web.Response:
        return text(chain.tip_height())

    async def tip_hash(request: web.Request) -> web.Response:
        return text(block_hash(chain.model.seed, chain.tip_height()))

    async def blocks(request: web.Request) -> web.Response:
        tip = chain.tip_height()
        start = int(request.match_info.get("height") or tip)
        start = min(start, tip)
        return json_response([block_json(chain, h) for h in range(start, max(start - 10, -1), -1)])

    async def v1_blocks(request: web.Request) -> web.Response:
        if not chain.mempool_api:
            return not_found("Not Found")
        tip = chain.tip_height()
        start = min(int(request.match_info.get("height") or tip), tip)
        rows = []
        for h in range(start, max(start - 15, -1), -1):
            fees = chain.fees_sats(h)
            extras = {"totalFees": fees, "reward": subsidy_sats(h) + fees, "medianFee": 3, "avgFee": 1200}
            rows.append({**block_json(chain, h), "extras": extras})
        return json_response(rows)

    async def block(request: web.Request) -> web.Response:
        height = height_of_hash(chain.model.seed, request.match_info["hash"])
        if height is None or height > chain.tip_height():
            return not_found("Block not found")
        return json_response(block_json(chain, height))

    async def block_txs(request: web.Request) -> web.Response:
        height = height_of_hash(chain.model.seed, request.match_info["hash"])
        if height is None or height > chain.tip_height():
            return not_found("Block not found")
        if int(request.match_info.get("start") or 0) > 0:
            return json_response([])
        ours = [tx_json(chain, tx) for tx in chain.txs() if tx.height == height]
        ledger = [ledger_tx_json(chain, tx) for tx in chain.ledger.visible("bitcoin") if tx.height == height]
        return json_response([coinbase_json(chain, height), *ours, *ledger])

    async def address(request: web.Request) -> web.Response:
        addr = request.match_info["address"]
        if not _BITCOIN_ADDRESS.fullmatch(addr):
            return web.Response(status=400, text="Invalid Bitcoin address", content_type="text/plain")
        tip = chain.tip_height()
        mine = chain.txs_of(addr)
        confirmed = [tx for tx in mine if chain.mined_payout(tx)]
        pending = [tx for tx in mine if not chain.mined_payout(tx)]
        funded = chain.balance_units("bitcoin", addr)
        ledger_pending = [tx for tx in chain.ledger.of("bitcoin", addr) if tx.status(tip) == "mempool"]

        def stats(count: int, total: int, spent: int = 0) -> dict[str, int]:
            return {
                "funded_txo_count": count,
                "funded_txo_sum": total,
                "spent_txo_count": 0,
                "spent_txo_sum": spent,
                "tx_count": count,
            }

        ins = sum(tx.sats for tx in pending) + sum(tx.units for tx in ledger_pending if tx.to == addr)
        outs = sum(tx.units + tx.fee for tx in ledger_pending if tx.sender == addr)
        return json_response(
            {
                "address": addr,
                "chain_stats": stats(len(confirmed), funded),
                "mempool_stats": stats(len(pending) + len(ledger_pending), ins, outs),
            }
        )

    def ordered(addr: str) -> tuple[list[tuple[str, dict[str, Any]]], list[tuple[str, dict[str, Any]]]]:
        """(txid, Esplora json) of the address's mempool txs, newest first, and of its
        confirmed ones, highest block first: the pools' payouts and the ledger's txs."""
        tip = chain.tip_height()
        pending: list[tuple[Any, ...]] = []
        confirmed: list[tuple[Any, ...]] = []
        for tx in chain.txs_of(addr):
            row = (tx.txid, lambda tx=tx: tx_json(chain, tx))
            (confirmed if chain.mined_payout(tx) else pending).append(((tx.seen_at, tx.height), row))
        for ltx in chain.ledger.of("bitcoin", addr):
            row = (ltx.txid, lambda ltx=ltx: ledger_tx_json(chain, ltx))
            if ltx.status(tip) == "confirmed" and ltx.height is not None:
                confirmed.append(((ltx.seen_at, ltx.height), row))
            else:
                pending.append(((ltx.seen_at, 0), row))
        pending.sort(key=lambda item: (item[0][0], item[1][0]), reverse=True)
        confirmed.sort(key=lambda item: (item[0][1], item[1][0]), reverse=True)
        return [(txid, make()) for _, (txid, make) in pending[:50]], [(txid, make) for _, (txid, make) in confirmed]

    async def address_txs(request: web.Request) -> web.Response:
        pending, confirmed = ordered(request.match_info["address"])
        return json_response([body for _, body in pending] + [make() for _, make in confirmed[:25]])

    async def address_txs_chain(request: web.Request) -> web.Response:
        _, confirmed = ordered(request.match_info["address"])
        last = request.match_info["last"]
        ids = [txid for txid, _ in confirmed]
        if last not in ids:
            return web.Response(status=400, text="Invalid hex string", content_type="text/plain")
        after = ids.index(last) + 1
        return json_response([make() for _, make in confirmed[after : after + 25]])

    async def transaction(request: web.Request) -> web.Response:
        txid = request.match_info["txid"]
        for tx in chain.txs():
            if tx.txid == txid:
                return json_response(tx_json(chain, tx))
        for ltx in chain.ledger.visible("bitcoin"):
            if ltx.txid == txid:
                return json_response(ledger_tx_json(chain, ltx))
        return not_found("Transaction not found")

    return [
        web.get("/blocks/tip/height", tip_height),
        web.get("/blocks/tip/hash", tip_hash),
        web.get("/blocks", blocks),
        web.get("/blocks/{height:[0-9]+}", blocks),
        web.get("/v1/blocks", v1_blocks),
        web.get("/v1/blocks/{height:[0-9]+}", v1_blocks),
        web.get("/block/{hash}", block),
        web.get("/block/{hash}/txs", block_txs),
        web.get("/block/{hash}/txs/{start:[0-9]+}", block_txs),
        web.get("/address/{address}", address),
        web.get("/address/{address}/txs", address_txs),
        web.get("/address/{address}/txs/chain/{last}", address_txs_chain),
        web.get("/tx/{txid}", transaction),
    ]
