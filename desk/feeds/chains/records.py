"""What the chain clients yield: receipts at our addresses and balances of our addresses.

Both carry the block they were read at, because a proof of reserves or a reconciliation is
only meaningful "as of" a height: a receipt with `block_height=None` is still in the mempool.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from desk.money import Amount


@dataclass(frozen=True, slots=True)
class ChainReceipt:
    """One output (vout) paying one of our addresses; a tx with two such outputs gives two."""

    chain: str
    txid: str
    address: str
    amount: Amount
    block_height: int | None
    block_time: datetime | None
    confirmations: int


@dataclass(frozen=True, slots=True)
class ChainBalance:
    """The confirmed balance of one address at `block_height` (None when the chain does not say),
    read at `as_of`."""

    chain: str
    address: str
    amount: Amount
    block_height: int | None
    as_of: datetime


@dataclass(frozen=True, slots=True)
class ChainMovement:
    """One transaction that moved an asset into (`direction="in"`) or out of (`"out"`) one of our
    watched addresses, as the chain shows it when read.

    The transfer lifecycle (desk/transfers) matches these against transfers in flight — by
    `txid`, else by (`address`, `amount`) — and turns any movement nobody recorded into a
    reconciliation break and an alert. `amount` is the value moved, positive, without the fee;
    `fee` is the network fee the sender paid (known for outgoing movements, None when the chain
    does not say). `status` is "mempool", "confirmed", "replaced" (RBF: `replaced_by` names the
    replacement when the source tells) or "dropped"; `confirmations` is 0 until mined.
    """

    chain: str
    txid: str
    address: str
    direction: str
    amount: Amount
    fee: Amount | None
    counterparty: str | None
    block_height: int | None
    block_time: datetime | None
    confirmations: int
    status: str
    replaced_by: str | None = None
