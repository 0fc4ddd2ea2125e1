"""The typed records every client yields, whatever its source's units and time encodings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from desk.money import Amount


@dataclass(frozen=True, slots=True)
class Earning:
    """What a pool credited for one UTC day (or one block, for OCEAN's TIDES)."""

    pool: str
    external_id: str
    day: date
    amount: Amount
    fees: Amount | None = None
    hashrate_hs: Decimal | None = None
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Payout:
    """A payment from the pool to the operation's wallet.

    `external_id` is stable from `queued` to `confirmed`, so the register records it once.
    """

    pool: str
    external_id: str
    amount: Amount
    fee: Amount
    destination: str
    tx_id: str | None
    status: str  # queued | confirmed
    rail: str  # onchain | lightning
    requested_at: datetime
    resolved_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    """`price` units of `quote` per one `base`, as `source` said at `source_time`.

    USDT is its own currency, never USD; KZT comes only from the National Bank.
    `source_date_note` says when a rate is an earlier day's (NBK on a holiday).
    """

    base: str
    quote: str
    price: Decimal
    source: str
    source_time: datetime
    received_time: datetime
    note: str | None = None
