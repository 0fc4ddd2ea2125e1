"""A simulated Bitcoin chain served as Esplora, and the test hooks of all three chains.

Blocks come every 600 s from a fixed anchor (height 925,001 at the sample's block time), so
heights and times agree on every machine. Every payout of the simulated pools is a tx with
the tx id the pool reports, paying the pool's destination (the demo's revenue wallet) the
amount the wallet receives (payout minus network fee): in the mempool from the request,
confirmed in the last block at or before the time the pool calls it confirmed. Reserve
addresses hold seeded balances (see `ChainSim.set_balance`).

A test changes history through `ChainSim` (`sim.chain`) or `POST /__sim/chain` on any chain
server: drop a tx, shorten one, redirect it to another address, add an extra receipt, set a
balance. The usual faults (`/__sim/fault`) apply to these servers as to the others.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from aiohttp import web

from desk.feeds.chains.subsidy import subsidy_sats
from desk.sim.model import MiningModel
from desk.sim.state import SimState, json_response

ANCHOR_HEIGHT = 925_001
ANCHOR_TIME = datetime.fromtimestamp(1_795_400_000, UTC)
BLOCK_SECONDS = 600
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


def height_at(moment: datetime) -> int:
    """The height of the last block mined at or before `moment`."""
    return ANCHOR_HEIGHT + int((moment - ANCHOR_TIME).total_seconds()) // BLOCK_SECONDS


def block_time(height: int) -> datetime:
    return ANCHOR_TIME + timedelta(seconds=(height - ANCHOR_HEIGHT) * BLOCK_SECONDS)


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


@dataclass(frozen=True, slots=True)
class SimTx:
    """A transaction paying one of the watched addresses (one output to it)."""

    txid: str
    address: str
    sats: int
    seen_at: datetime  # in the mempool from then
    height: int  # confirmed in this block
    sender: str


class ChainSim:
    """The three simulated chains' state and the hooks tests use to change it."""

    def __init__(
        self, model: MiningModel, state: SimState, *, reserve: dict[tuple[str, str], int] | None = None
    ) -> None:
        self.model = model
        self.state = state
        self.dropped: set[str] = set()
        self.shortened: dict[str, int] = {}
        self.redirected: dict[str, str] = {}
        self.extra: list[SimTx] = []
        self._payouts: list[SimTx] | None = None
        #: serve mempool.space's /v1/blocks (fees in `extras`); False: a plain Esplora (404)
        self.mempool_api = True
        #: (chain, address) -> base units outside the pools' payouts: sats, wei, KZTE 10^-6
        self.balances: dict[tuple[str, str], int] = {}
        self._opened = datetime.combine(model.start, datetime.min.time(), tzinfo=UTC)
        # the reserve's addresses receive no payouts, so their funding is their balance (kept
        # lazy: a 100k-payout simulation starts without walking its payouts)
        for (chain, address), units in (DEMO_RESERVE if reserve is None else reserve).items():
            self.balances[(chain, address.lower() if chain == "bsc" else address)] = units

    # ------------------------------------------------------------------ hooks

    def drop_tx(self, txid: str) -> None:
        """The tx never reaches the chain (the pool still reports it)."""
        self._known(txid)
        self.dropped.add(txid)

    def shorten(self, txid: str, sats: int) -> None:
        """The tx pays `sats` less than the pool says."""
        tx = self._known(txid)
        if not 0 < sats < tx.sats:
            raise ValueError(f"cannot shorten {txid} ({tx.sats} sats) by {sats} sats")
        self.shortened[txid] = sats

    def redirect(self, txid: str, address: str) -> None:
        """The tx pays another address than the pool's destination."""
        self._known(txid)
        self.redirected[txid] = address

    def add_receipt(self, address: str, sats: int, *, at: datetime | None = None, txid: str | None = None) -> str:
        """An extra tx paying `address` (a deposit that is not revenue); confirmed in the block
        at or before `at` (default: ten minutes ago). Returns its tx id."""
        if sats <= 0:
            raise ValueError("an extra receipt pays a positive number of sats")
        moment = at or self.state.now() - timedelta(minutes=10)
        number = len(self.extra)
        txid = txid or hashlib.sha256(f"{self.model.seed}:extra:{number}:{address}:{sats}".encode()).hexdigest()
        self.extra.append(SimTx(txid, address, sats, moment, height_at(moment), "bc1qdesksimoutsider0000000000000000"))
        return txid

    def set_balance(self, chain: str, address: str, units: int) -> None:
        """Set an address's balance in base units (sats, wei, or KZTE's 10^-6). On bitcoin this
        is one funding tx at the simulation's start, sized so the confirmed balance is `units`
        beside whatever the pools paid there."""
        if isinstance(units, bool) or not isinstance(units, int) or units < 0:
            raise ValueError(f"balance of {address} must be whole non-negative base units, not {units!r}")
        if chain not in ("bitcoin", "bsc", "solana"):
            raise ValueError(f"unknown chain {chain!r}; one of bitcoin, bsc, solana")
        key = (chain, address.lower() if chain == "bsc" else address)
        if chain != "bitcoin":
            self.balances[key] = units
            return
        self.balances.pop(key, None)
        others = sum(tx.sats for tx in self.txs_of(address) if tx.height <= self.tip_height())
        if units < others:
            raise ValueError(f"{address} already received {others} sats; its balance cannot be {units}")
        self.balances[key] = units - others

    def apply(self, body: dict[str, Any]) -> dict[str, Any]:
        """The `POST /__sim/chain` form of the hooks: {"op": "drop"|"shorten"|"redirect"|
        "add_receipt"|"set_balance", ...}. Big numbers may come as strings."""
        op = body.get("op")
        if op == "drop":
            self.drop_tx(str(body["txid"]))
        elif op == "shorten":
            self.shorten(str(body["txid"]), int(body["sats"]))
        elif op == "redirect":
            self.redirect(str(body["txid"]), str(body["address"]))
        elif op == "add_receipt":
            at = datetime.fromisoformat(body["at"]) if body.get("at") else None
            return {"txid": self.add_receipt(str(body["address"]), int(body["sats"]), at=at, txid=body.get("txid"))}
        elif op == "set_balance":
            self.set_balance(str(body["chain"]), str(body["address"]), int(body["units"]))
        else:
            raise ValueError(f"unknown op {op!r}; one of drop, shorten, redirect, add_receipt, set_balance")
        return {"op": op}

    # ------------------------------------------------------------------ history

    def tip_height(self) -> int:
        return height_at(self.state.now())

    def payout_txs(self) -> list[SimTx]:
        """Every pool payout as the chain carries it, before the hooks' changes (computed once:
        the model's payouts never change)."""
        if self._payouts is not None:
            return self._payouts
        result = []
        for pool in self.model.pools.values():
            for p in pool.payouts:
                sender = POOL_WALLET.format(name=pool.name)
                result.append(
                    SimTx(
                        p.tx_id, p.destination, p.sats - p.fee_sats, p.requested_at, height_at(p.confirmed_at), sender
                    )
                )
        self._payouts = result
        return result

    def _known(self, txid: str) -> SimTx:
        for tx in self.payout_txs() + self.extra:
            if tx.txid == txid:
                return tx
        raise KeyError(f"no simulated tx {txid}")

    def txs(self) -> list[SimTx]:
        """Every tx visible now (mempool and confirmed), with the hooks applied."""
        now = self.state.now()
        result = []
        for tx in self.payout_txs() + self.extra + self._fundings():
            if tx.txid in self.dropped or tx.seen_at > now:
                continue
            if tx.txid in self.redirected:
                tx = replace(tx, address=self.redirected[tx.txid])
            if tx.txid in self.shortened:
                tx = replace(tx, sats=tx.sats - self.shortened[tx.txid])
            result.append(tx)
        return result

    def _fundings(self) -> list[SimTx]:
        return [
            SimTx(
                hashlib.sha256(f"{self.model.seed}:funding:{address}".encode()).hexdigest(),
                address,
                units,
                self._opened,
                height_at(self._opened),
                "bc1qdesksimtreasury000000000000000000",
            )
            for (chain, address), units in self.balances.items()
            if chain == "bitcoin" and units
        ]

    def txs_of(self, address: str) -> list[SimTx]:
        return [tx for tx in self.txs() if tx.address == address]

    def balance_units(self, chain: str, address: str) -> int:
        if chain == "bitcoin":
            tip = self.tip_height()
            return sum(tx.sats for tx in self.txs_of(address) if tx.height <= tip)
        return self.balances.get((chain, address.lower() if chain == "bsc" else address), 0)

    # ------------------------------------------------------------------ blocks

    def difficulty(self, height: int) -> Decimal:
        rng = random.Random(f"{self.model.seed}:difficulty:{height // RETARGET}")
        whole = BASE_DIFFICULTY * rng.randint(960, 1040) // 1000
        return Decimal(whole) + Decimal(rng.randint(0, 99)).scaleb(-2)

    def fees_sats(self, height: int) -> int:
        return random.Random(f"{self.model.seed}:fees:{height}").randint(1_000_000, 5_000_000)


def _status(chain: ChainSim, tx: SimTx) -> dict[str, Any]:
    if tx.height > chain.tip_height():
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
        return json_response([coinbase_json(chain, height), *ours])

    async def address(request: web.Request) -> web.Response:
        addr = request.match_info["address"]
        if not _BITCOIN_ADDRESS.fullmatch(addr):
            return web.Response(status=400, text="Invalid Bitcoin address", content_type="text/plain")
        tip = chain.tip_height()
        mine = chain.txs_of(addr)
        confirmed = [tx for tx in mine if tx.height <= tip]
        pending = [tx for tx in mine if tx.height > tip]
        funded = chain.balance_units("bitcoin", addr)

        def stats(txs: list[SimTx], total: int) -> dict[str, int]:
            return {
                "funded_txo_count": len(txs),
                "funded_txo_sum": total,
                "spent_txo_count": 0,
                "spent_txo_sum": 0,
                "tx_count": len(txs),
            }

        return json_response(
            {
                "address": addr,
                "chain_stats": stats(confirmed, funded),
                "mempool_stats": stats(pending, sum(tx.sats for tx in pending)),
            }
        )

    def ordered(addr: str) -> tuple[list[SimTx], list[SimTx]]:
        tip = chain.tip_height()
        mine = chain.txs_of(addr)
        pending = sorted((tx for tx in mine if tx.height > tip), key=lambda t: (t.seen_at, t.txid), reverse=True)
        confirmed = sorted((tx for tx in mine if tx.height <= tip), key=lambda t: (t.height, t.txid), reverse=True)
        return pending, confirmed

    async def address_txs(request: web.Request) -> web.Response:
        pending, confirmed = ordered(request.match_info["address"])
        return json_response([tx_json(chain, tx) for tx in pending[:50] + confirmed[:25]])

    async def address_txs_chain(request: web.Request) -> web.Response:
        _, confirmed = ordered(request.match_info["address"])
        last = request.match_info["last"]
        ids = [tx.txid for tx in confirmed]
        if last not in ids:
            return web.Response(status=400, text="Invalid hex string", content_type="text/plain")
        after = ids.index(last) + 1
        return json_response([tx_json(chain, tx) for tx in confirmed[after : after + 25]])

    async def transaction(request: web.Request) -> web.Response:
        for tx in chain.txs():
            if tx.txid == request.match_info["txid"]:
                return json_response(tx_json(chain, tx))
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
        *admin_routes(chain),
    ]


def admin_routes(chain: ChainSim) -> list[web.RouteDef]:
    """POST /__sim/chain with a hook as JSON (see `ChainSim.apply`); served by every chain."""

    async def change(request: web.Request) -> web.Response:
        try:
            body = await request.json()
            return json_response(chain.apply(body))
        except (KeyError, ValueError, TypeError) as exc:
            return json_response({"error": str(exc)}, status=400)

    return [web.post("/__sim/chain", change)]
