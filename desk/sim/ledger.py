"""The simulated chains' own transactions: transfers the custodian broadcasts and the
movements nobody recorded, on bitcoin, bsc and solana alike.

(Pool payouts stay where they were, computed from the mining model in `chain.py`.) A tx
enters the mempool at the tip it was broadcast at and is mined in the next block; it then
gains a confirmation per block. Blocks advance with the chain's clock (bitcoin every 600 s,
BSC every 3 s, a Solana slot every 400 ms, from fixed anchors) and, on demand, by `mine`:
the tip a chain reports is its clock's height plus the blocks mined on demand, so a test
advances blocks without waiting and a demo may mine on a short interval.

A tx may also never be mined (it stays in the mempool until dropped), be replaced by a tx
spending the same coins with a higher fee (the original becomes "replaced"), or be
double-spent (the original is dropped and a different tx spends the same coins elsewhere).
A replaced or dropped tx is gone from the chain's answers, as on a real node.
Amounts are integer base units (sats, wei, KZTE's 10^-6); the fee is in the chain's own
unit (sats, wei, lamports) and, except on solana, is paid from the sender's balance.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

CHAINS = ("bitcoin", "bsc", "solana")
#: Fees the simulated network asks, in its own unit: sats, wei (21,000 gas x 3 gwei), lamports.
DEFAULT_FEE = {"bitcoin": 1_500, "bsc": 21_000 * 3 * 10**9, "solana": 5_000}
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = ""
    while number:
        number, rest = divmod(number, 58)
        digits = _BASE58[rest] + digits
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + digits


def make_txid(chain: str, seed: str) -> str:
    """A tx id in the chain's own form: 64 hex (bitcoin), 0x + 64 hex (bsc), a base-58
    signature of 64 bytes (solana)."""
    if chain == "solana":
        return base58(hashlib.sha512(seed.encode()).digest())
    digest = hashlib.sha256(seed.encode()).hexdigest()
    return "0x" + digest if chain == "bsc" else digest


@dataclass(slots=True)
class LedgerTx:
    chain: str
    txid: str
    sender: str
    to: str
    units: int
    fee: int
    seen_at: datetime
    seen_tip: int
    #: the block it is (to be) mined in; None: it is never mined
    height: int | None
    #: the coins it spends: an outpoint "txid:vout" on bitcoin, "sender:nonce" on bsc
    spends: str
    nonce: int = 0
    #: "replaced" or "dropped" once gone; None while it is in the mempool or mined
    gone: str | None = None
    replaced_by: str | None = None

    def status(self, tip: int) -> str:
        if self.gone is not None:
            return self.gone
        return "confirmed" if self.height is not None and self.height <= tip else "mempool"


class Ledger:
    """The transactions of the three chains; `tip` is told by the chain sim (its clock plus
    the blocks mined on demand), `now` by the sim's clock."""

    def __init__(self, tip: Callable[[str], int], now: Callable[[], datetime], seed: int) -> None:
        self._tip = tip
        self._now = now
        self._seed = seed
        self.txs: list[LedgerTx] = []
        self._nonces: dict[str, int] = {}
        #: called before every read, so events due by time (a custodian's delayed broadcast)
        #: have happened by the time anyone looks
        self.before_read: list[Callable[[], None]] = []
        self._reading = False

    def tip(self, chain: str) -> int:
        return self._tip(chain)

    def catch_up(self) -> None:
        """Run the `before_read` hooks once (not again from inside one of them)."""
        if self._reading:
            return
        self._reading = True
        try:
            for hook in self.before_read:
                hook()
        finally:
            self._reading = False

    def broadcast(
        self,
        chain: str,
        sender: str,
        to: str,
        units: int,
        *,
        fee: int | None = None,
        mined: bool = True,
        spends: str | None = None,
        nonce: int | None = None,
    ) -> LedgerTx:
        """A new tx in the mempool now, mined in the next block (never, when not `mined`)."""
        if chain not in CHAINS:
            raise ValueError(f"unknown chain {chain!r}; one of {', '.join(CHAINS)}")
        if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
            raise ValueError(f"a transaction moves a positive whole number of base units, not {units!r}")
        if chain == "bsc":
            sender, to = sender.lower(), to.lower()
        number = len(self.txs)
        txid = make_txid(chain, f"{self._seed}:ledger:{number}:{chain}:{sender}:{to}:{units}")
        if nonce is None and chain == "bsc":
            nonce = self._nonces.get(sender, 0)
            self._nonces[sender] = nonce + 1
        tip = self.tip(chain)
        tx = LedgerTx(
            chain=chain,
            txid=txid,
            sender=sender,
            to=to,
            units=units,
            fee=DEFAULT_FEE[chain] if fee is None else fee,
            seen_at=self._now(),
            seen_tip=tip,
            height=tip + 1 if mined else None,
            spends=spends or (f"{sender}:{nonce}" if chain == "bsc" else f"{make_txid('bitcoin', txid)}:0"),
            nonce=nonce or 0,
        )
        self.txs.append(tx)
        return tx

    def find(self, txid: str) -> LedgerTx:
        for tx in self.txs:
            if tx.txid == txid:
                return tx
        raise KeyError(f"no simulated ledger tx {txid}")

    def drop(self, txid: str) -> None:
        """The tx leaves the mempool unmined."""
        tx = self._in_mempool(txid, "dropped")
        tx.gone, tx.height = "dropped", None

    def replace_by_fee(self, txid: str) -> LedgerTx:
        """A replacement paying the same with twice the fee and a new id; the original is
        "replaced" by it."""
        tx = self._in_mempool(txid, "replaced")
        new = self.broadcast(tx.chain, tx.sender, tx.to, tx.units, fee=tx.fee * 2, spends=tx.spends, nonce=tx.nonce)
        tx.gone, tx.height, tx.replaced_by = "replaced", None, new.txid
        return new

    def double_spend(self, txid: str, elsewhere: str) -> LedgerTx:
        """The original is dropped and a different tx spends the same coins to `elsewhere`."""
        tx = self._in_mempool(txid, "double-spent")
        tx.gone, tx.height = "dropped", None
        return self.broadcast(tx.chain, tx.sender, elsewhere, tx.units, fee=tx.fee, spends=tx.spends, nonce=tx.nonce)

    def _in_mempool(self, txid: str, what: str) -> LedgerTx:
        tx = self.find(txid)
        if tx.status(self.tip(tx.chain)) != "mempool":
            raise ValueError(f"{txid} is {tx.status(self.tip(tx.chain))}; only a tx in the mempool can be {what}")
        return tx

    def visible(self, chain: str) -> list[LedgerTx]:
        """The chain's txs a node would show now: in the mempool or mined, not gone."""
        self.catch_up()
        return [tx for tx in self.txs if tx.chain == chain and tx.gone is None]

    def of(self, chain: str, address: str) -> list[LedgerTx]:
        key = address.lower() if chain == "bsc" else address
        return [tx for tx in self.visible(chain) if key in (tx.sender, tx.to)]

    def net(self, chain: str, address: str) -> int:
        """What the mined txs added to (minus took from) `address`, in base units; the sender
        pays the fee too except on solana (lamports, not the token)."""
        key = address.lower() if chain == "bsc" else address
        tip = self.tip(chain)
        total = 0
        for tx in self.visible(chain):
            if tx.status(tip) != "confirmed":
                continue
            if tx.to == key:
                total += tx.units
            if tx.sender == key:
                total -= tx.units + (0 if chain == "solana" else tx.fee)
        return total
