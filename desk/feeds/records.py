"""The typed records every client yields, whatever its source's units and time encodings.

A pool record checks its own fields when it is made (`__post_init__`), so none can exist with
a negative amount, a fee larger than its payout, a garbled tx id or an address outside its
chain's alphabet: a parser that builds one from a bad row gets `Malformed` naming the field,
and that row is refused alone (see `PoolWindow.refused`). A zero amount is legal: a quiet day
earns nothing, and the sync records it as such rather than as an entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from desk.feeds import fields
from desk.feeds.errors import Malformed
from desk.money import Amount

# one Quote (re-exported here for the price clients): what a price feed reads is what the register keeps
from desk.register import Quote as Quote

STATUSES = ("queued", "confirmed")
RAILS = ("onchain", "lightning")


def _not_negative(amount: Amount, what: str) -> None:
    if amount.value < 0:
        raise Malformed(f"{what}: {amount} is negative")


@dataclass(frozen=True, slots=True)
class Earning:
    """What a pool credited for one UTC day (or one block, for OCEAN's TIDES).

    `hashrate_hs` is the pool's own figure for that day in H/s, when the row carries one."""

    pool: str
    external_id: str
    day: date
    amount: Amount
    fees: Amount | None = None
    hashrate_hs: Decimal | None = None
    at: datetime | None = None

    def __post_init__(self) -> None:
        fields.external_id(self.external_id, "earning id")
        _not_negative(self.amount, "earning amount")
        if self.fees is not None:
            _not_negative(self.fees, "earning pool fee")
        if self.hashrate_hs is not None and self.hashrate_hs < 0:
            raise Malformed(f"earning hashrate: {self.hashrate_hs} H/s is negative")


@dataclass(frozen=True, slots=True)
class Payout:
    """A payment from the pool to the operation's wallet.

    `external_id` is stable from `queued` to `confirmed`, so the register records it once.
    `fee` is the network fee taken out of `amount`: the wallet receives `amount - fee`.
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

    def __post_init__(self) -> None:
        fields.external_id(self.external_id, "payout id")
        _not_negative(self.amount, "payout amount")
        _not_negative(self.fee, "payout fee")
        if self.fee.asset != self.amount.asset or self.fee.units > self.amount.units:
            raise Malformed(f"payout fee: {self.fee} is more than the payout itself ({self.amount})")
        if self.status not in STATUSES:
            raise Malformed(f"payout status: {fields.shown(self.status)} is not queued or confirmed")
        if self.rail not in RAILS:
            raise Malformed(f"payout rail: {fields.shown(self.rail)} is not onchain or lightning")
        if self.tx_id is not None and not fields.TX_ID_LOWER.fullmatch(self.tx_id):
            fields.tx_id(self.tx_id, "payout tx id")  # says what is wrong with it
            raise Malformed(f"payout tx id: {fields.shown(self.tx_id)} is not in lower case")
        if self.destination:
            fields.address(self.destination, "payout destination", rail=self.rail)


@dataclass(frozen=True, slots=True)
class Hashrate:
    """A pool's hashrate for one UTC day, in H/s exactly, whatever unit the pool named.

    `basis` says how good a figure of the day it is: `day` (the pool's own figure for that
    whole day) or `snapshot` (a current reading, replaced by the next one, and by a `day`
    figure when one comes). `source` names the endpoint, field and unit it was read from."""

    pool: str
    day: date
    hs: Decimal
    basis: str
    source: str

    def __post_init__(self) -> None:
        if self.hs < 0:
            raise Malformed(f"hashrate: {self.hs} H/s is negative")
        if self.basis not in ("day", "snapshot"):
            raise Malformed(f"hashrate basis: {self.basis!r} is not day or snapshot")


@dataclass(frozen=True, slots=True)
class Refusal:
    """One row of an answer that could not be read, refused alone while the rest is kept.

    `key` names the row across polls (a digest of its content), so a row refused on every
    poll is one refusal; `day` is the day the row is for when that could be read, else the
    first day of the window it came in (a later poll reaching back to it retries it)."""

    kind: str  # earning | payout | write
    key: str
    day: date
    where: str
    reason: str


@dataclass(slots=True)
class PoolWindow:
    """What a pool said about a window of days: its records, the rows it refused, and how
    many rows it read (a health reason says "1 of 214 rows refused")."""

    earnings: list[Earning] = field(default_factory=list)
    payouts: list[Payout] = field(default_factory=list)
    hashrates: list[Hashrate] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    rows: int = 0
