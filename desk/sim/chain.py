"""The three simulated chains' state: the pool payouts of the mining model as bitcoin txs,
the seeded balances, the shared ledger of other transactions (`ledger.py`: custodian
transfers, unrecorded movements), the tips, and the hooks tests use to change history.

A test changes history through `ChainSim` (`sim.chain`) or `POST /__sim/chain` on any chain
server (see `apply`): drop a payout tx, shorten one, redirect it, add an extra receipt, set a
balance; mine blocks on a chain now; make an outflow or a deposit nobody recorded at a
watched address.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from aiohttp import web

from desk.sim.esplora import BASE_DIFFICULTY, DEMO_RESERVE, POOL_WALLET, RETARGET
from desk.sim.heights import clock_height, height_at
from desk.sim.ledger import CHAINS, Ledger
from desk.sim.model import MiningModel
from desk.sim.state import SimState, json_response

#: Who sends the deposits nobody recorded, and where the unrecorded outflows go, per chain.
OUTSIDER = {
    "bitcoin": "bc1qdesksimoutsider0000000000000000",
    "bsc": "0x00000000000000000000000000000000000bad01",
    "solana": "DeskSimOutsider11111111111111111111111111111",
}


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
        #: blocks mined on demand per chain, on top of each chain's clock
        self.mined: dict[str, int] = dict.fromkeys(CHAINS, 0)
        self.ledger = Ledger(self.tip, state.now, model.seed)
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
        others = sum(tx.sats for tx in self.txs_of(address) if self.mined_payout(tx))
        if units < others:
            raise ValueError(f"{address} already received {others} sats; its balance cannot be {units}")
        self.balances[key] = units - others

    def apply(self, body: dict[str, Any]) -> dict[str, Any]:
        """The `POST /__sim/chain` form of the hooks: {"op": "drop"|"shorten"|"redirect"|
        "add_receipt"|"set_balance", ...}; {"op": "mine", "chain", "blocks"}; {"op":
        "outflow"|"deposit", "chain", "address", "units", "other"?} (a movement nobody
        recorded; answers its "txid"). Big numbers may come as strings."""
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
        elif op == "mine":
            return {"op": op, "tip": self.mine(str(body["chain"]), int(body.get("blocks", 1)))}
        elif op in ("outflow", "deposit"):
            units = int(body["units"])
            txid = self.unrecorded(op, str(body["chain"]), str(body["address"]), units, body.get("other"))
            return {"op": op, "txid": txid}
        else:
            ops = "drop, shorten, redirect, add_receipt, set_balance, mine, outflow, deposit"
            raise ValueError(f"unknown op {op!r}; one of {ops}")
        return {"op": op}

    # ------------------------------------------------------------------ history

    def tip(self, chain: str) -> int:
        """The chain's tip: its clock's height now plus the blocks mined on demand."""
        return clock_height(chain, self.state.now()) + self.mined[chain]

    def tip_height(self) -> int:
        return self.tip("bitcoin")

    def mined_payout(self, tx: SimTx) -> bool:
        """Whether a pool payout is mined: by the chain's clock, as the pool reports it (the
        blocks mined on demand add confirmations but never confirm a payout early)."""
        return tx.height <= clock_height("bitcoin", self.state.now())

    def mine(self, chain: str, blocks: int = 1) -> int:
        """Mine `blocks` blocks on `chain` now (a test's way to advance confirmations without
        waiting); the new tip."""
        if chain not in CHAINS:
            raise ValueError(f"unknown chain {chain!r}; one of {', '.join(CHAINS)}")
        if isinstance(blocks, bool) or not isinstance(blocks, int) or blocks < 1:
            raise ValueError(f"mine a positive number of blocks, not {blocks!r}")
        self.mined[chain] += blocks
        return self.tip(chain)

    def unrecorded(self, direction: str, chain: str, address: str, units: int, other: str | None = None) -> str:
        """A movement nobody approved at a watched address: an "outflow" from it to `other`
        (default: an outsider) or a "deposit" into it from `other`; in the mempool now,
        mined in the next block. Its tx id."""
        outsider = other or OUTSIDER[chain]
        if direction == "outflow":
            tx = self.ledger.broadcast(chain, address, outsider, units)
        elif direction == "deposit":
            tx = self.ledger.broadcast(chain, outsider, address, units)
        else:
            raise ValueError(f"unknown direction {direction!r}; outflow or deposit")
        return tx.txid

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
        """The confirmed balance in base units: seeded, paid by the pools (bitcoin), and the
        mined ledger txs' net."""
        moved = self.ledger.net(chain, address)
        if chain == "bitcoin":
            return sum(tx.sats for tx in self.txs_of(address) if self.mined_payout(tx)) + moved
        return self.balances.get((chain, address.lower() if chain == "bsc" else address), 0) + moved

    # ------------------------------------------------------------------ blocks

    def difficulty(self, height: int) -> Decimal:
        rng = random.Random(f"{self.model.seed}:difficulty:{height // RETARGET}")
        whole = BASE_DIFFICULTY * rng.randint(960, 1040) // 1000
        return Decimal(whole) + Decimal(rng.randint(0, 99)).scaleb(-2)

    def fees_sats(self, height: int) -> int:
        return random.Random(f"{self.model.seed}:fees:{height}").randint(1_000_000, 5_000_000)


def admin_routes(chain: ChainSim) -> list[web.RouteDef]:
    """POST /__sim/chain with a hook as JSON (see `ChainSim.apply`); served by every chain."""

    async def change(request: web.Request) -> web.Response:
        try:
            body = await request.json()
            return json_response(chain.apply(body))
        except (KeyError, ValueError, TypeError) as exc:
            return json_response({"error": str(exc)}, status=400)

    return [web.post("/__sim/chain", change)]
