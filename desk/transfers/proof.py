"""What transfers in flight explain of a reserve account's difference between chain and book.

The proof compares an account's recorded balance with the confirmed balance of its
addresses. While a transfer is in flight the two may differ by exactly what the chain has
or has not mined yet:

    into the account   recorded at settlement; on chain once mined      → +amount once mined
    out of the account recorded at approval;   on chain (with the fee)
                       once mined; the fee recorded at settlement       → +amount before, −fee after

Each transfer is in one of its two cases (the watch may not have seen the newest block), so
a difference is explained when it is one of the sums those cases allow — nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product

from desk.money import Amount, Asset
from desk.register.transfers import Transfer

#: Beyond this many transfers in flight on one account, only the watch's own view counts.
MAX_COMBINED = 12


@dataclass(frozen=True, slots=True)
class InFlight:
    """The transfers in flight on one account and asset, and the differences they explain."""

    transfers: tuple[Transfer, ...]
    #: the chain-minus-register differences (in units) these transfers can account for
    explains: frozenset[int]
    #: what is on its way into the account (+) or out of it (−), as recorded
    amount: Amount

    def explained(self, difference: Amount) -> bool:
        return difference.units in self.explains


def _cases(transfer: Transfer, account: str) -> tuple[int, ...]:
    """The contributions (units) `transfer` may make to `account`'s difference, unmined first."""
    mined = transfer.confirmations > 0
    if transfer.destination == account:
        return (transfer.amount.units,) if mined else (0, transfer.amount.units)
    fee = transfer.fee.units if transfer.fee is not None and transfer.fee.asset == transfer.amount.asset else 0
    return (-fee,) if mined else (transfer.amount.units, -fee)


def in_flight(transfers: Sequence[Transfer], account: str, asset: Asset) -> InFlight:
    mine = tuple(
        t for t in transfers if t.in_flight and t.amount.asset == asset and account in (t.source, t.destination)
    )
    nominal = sum((t.amount.units if t.destination == account else -t.amount.units for t in mine), 0)
    if len(mine) > MAX_COMBINED:
        explains = frozenset({sum(_cases(t, account)[-1] if t.confirmations else _cases(t, account)[0] for t in mine)})
    else:
        explains = frozenset(sum(choice) for choice in product(*(_cases(t, account) for t in mine)))
    return InFlight(mine, explains or frozenset({0}), Amount.from_units(asset, nominal))
