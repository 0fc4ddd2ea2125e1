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
