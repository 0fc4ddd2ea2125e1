"""A break: one place where the pool, the register and the chain disagree, to the satoshi.

Every break carries its kind (what explains it, if anything), the difference as an exact
Amount (expected minus found: positive when money is missing from where it should be,
negative when more turned up than anyone reported), and an id derived only from what it is
about (scope, day, kind, the record's key), so the same break has the same id on every run
and an operator's resolution of it sticks.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from desk.money import Amount


class BreakKind(StrEnum):
    """What a break is, as far as the rules in `rules.py` can tell."""

    TIMING = "timing"
    POOL_FEE = "pool_fee"
    DUST = "dust"
    ADJUSTMENT = "refund_or_compensation"
    LIGHTNING = "lightning_rail"
    UNCONFIRMED = "unconfirmed"
    NON_REVENUE = "non_revenue_receipt"
    MISSING_ON_CHAIN = "missing_on_chain"
    SHORT = "short_payment"
    OVERPAID = "over_payment"
    WRONG_ADDRESS = "wrong_address"
    MISSING_IN_REGISTER = "missing_in_register"
    NOT_REPORTED = "not_reported_by_pool"
    AMOUNT_MISMATCH = "amount_mismatch"
    UNPAID = "unpaid_over_threshold"
    #: a movement at a watched address that no transfer, entry or payout accounts for
    #: (desk/transfers/watch.py): an incident until a person explains it
    UNRECORDED_OUTFLOW = "unrecorded_outflow"
    UNRECORDED_DEPOSIT = "unrecorded_deposit"


#: Kinds that explain themselves: a known, expected reconciling item. Every other kind is
#: unexplained and waits in the open queue until an operator resolves it with a note.
EXPLAINED: frozenset[BreakKind] = frozenset(
    {
        BreakKind.TIMING,
        BreakKind.POOL_FEE,
        BreakKind.DUST,
        BreakKind.ADJUSTMENT,
        BreakKind.LIGHTNING,
        BreakKind.UNCONFIRMED,
    }
)


def break_id(scope: str, day: date, kind: BreakKind, key: str) -> str:
    """A short id that names the same break on every run: `rb-` and 12 hex digits."""
    digest = hashlib.sha256(f"{scope}|{day.isoformat()}|{kind.value}|{key}".encode()).hexdigest()
    return f"rb-{digest[:12]}"


@dataclass(frozen=True, slots=True)
class Resolution:
    """An operator's recorded word on a break (an action in the register's chained log)."""

    break_id: str
    note: str
    by: str
    at: datetime
    action_seq: int


@dataclass(frozen=True, slots=True)
class Break:
    """One disagreement. `scope` is a pool name, or `wallet:<name>` for a receipt that no
    pool accounts for; `key` is the record it is about (external id or tx id)."""

    scope: str
    day: date
    kind: BreakKind
    difference: Amount
    expected: Amount | None
    found: Amount | None
    key: str
    why: str
    txid: str | None = None
    resolution: Resolution | None = None

    @property
    def id(self) -> str:
        return break_id(self.scope, self.day, self.kind, self.key)

    @property
    def explained(self) -> bool:
        return self.kind in EXPLAINED

    @property
    def open(self) -> bool:
        """Unexplained and not yet resolved by an operator: the unmatched queue."""
        return not self.explained and self.resolution is None

    @property
    def state(self) -> str:
        if self.explained:
            return "explained"
        return "resolved" if self.resolution else "open"
