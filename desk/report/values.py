"""Values the report shows, always from the valuation module's rules.

An inflow's value at receipt is its frozen valuation (desk.valuation.receipt writes those);
an inflow not yet frozen is valued on the spot by that module's own rule and price book
(exactly what the pass would freeze, nothing written) and marked so. A price that is
missing stays missing: the figure says so and is never zero.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from desk.money import Amount
from desk.register import Register
from desk.register import valuations as frozen
from desk.register.period import ReceiptSum
from desk.register.valuations import Receipt
from desk.report.fmt import money
from desk.valuation.prices import PriceMissing, PricePolicy, value_of
from desk.valuation.receipt import Inflow, price_book, value_all


@dataclass(frozen=True, slots=True)
class Value:
    """USD and KZT of one amount, or why there is none. `frozen`: read from the valuations
    table (else computed now by the same rule); `stale`: a price older than the bound."""

    usd: Decimal | None
    kzt: Decimal | None
    usd_currency: str = "USD"
    stale: bool = False
    frozen: bool = False
    missing: str | None = None


async def now_value(register: Register, amount: Amount, at: datetime, policy: PricePolicy) -> Value:
    """`amount` in USD and KZT at `at`, by desk.valuation's rules."""
    try:
        usd = await value_of(register, amount, at, "USD", policy=policy)
        kzt = await value_of(register, amount, at, "KZT", policy=policy)
    except PriceMissing as exc:
        return Value(None, None, missing=str(exc))
    return Value(usd.value, kzt.value, usd_currency=usd.currency, stale=usd.stale or kzt.stale)


async def at_receipt(
    register: Register, items: Sequence[tuple[int, datetime, Amount]], policy: PricePolicy
) -> dict[tuple[int, str], Value]:
    """The value at receipt of each (seq, ts, amount): frozen when the pass has run."""
    stored = await frozen.receipts(register, sorted({seq for seq, _, _ in items}))
    result: dict[tuple[int, str], Value] = {}
    pending: list[Inflow] = []
    for seq, ts, amount in items:
        receipt = stored.get((seq, amount.asset.code))
        if receipt is not None and receipt.units == amount.units:
            result[(seq, amount.asset.code)] = _value(receipt, frozen_=True)
        else:
            pending.append(Inflow(seq, ts, "inflow", amount))
    if pending:
        book = await price_book(register, pending)
        for record in await asyncio.to_thread(value_all, book, pending, policy):
            receipt = Receipt(record.units, record.state, record.usd, record.kzt, record.price_currency, record.reason)
            result[(record.entry_seq, record.asset)] = _value(receipt, frozen_=False)
    return result


def _value(receipt: Receipt, *, frozen_: bool) -> Value:
    if receipt.state == "missing":
        return Value(None, None, frozen=frozen_, missing=receipt.reason or "price missing")
    return Value(
        receipt.usd,
        receipt.kzt,
        usd_currency=receipt.currency or "USD",
        stale=receipt.state == "stale",
        frozen=frozen_,
    )


@dataclass(slots=True)
class Tally:
    """The values at receipt of a group of inflows added up, as the report's row shows them:
    one Value at a time, or a sum of frozen valuations the register made (ReceiptSum)."""

    count: int = 0
    missing: int = 0
    unfrozen: int = 0
    stale: bool = False
    #: USD values per the currency their price was in (USD, or USDT labelled)
    usd: dict[str, Decimal] = field(default_factory=dict)
    kzt: Decimal = Decimal(0)
    #: (seq, why) of the first inflow without a price
    first_missing: tuple[int, str] | None = None

    def add(self, seq: int, value: Value) -> None:
        self.count += 1
        self.unfrozen += 0 if value.frozen else 1
        if value.missing:
            self._missing(1, seq, value.missing)
        self._values(value.usd_currency, value.usd or Decimal(0), value.kzt or Decimal(0), value.stale)

    def add_sum(self, summed: ReceiptSum) -> None:
        """`summed.count` frozen valuations at once."""
        self.count += summed.count
        if summed.state == "missing":  # as a Value: no figures, its reason (else "price missing")
            self._missing(summed.count, summed.first_seq, summed.first_reason or "price missing")
            self._values("USD", Decimal(0), Decimal(0), False)
        else:
            self._values(summed.currency or "USD", summed.usd, summed.kzt, summed.state == "stale")

    def _missing(self, count: int, seq: int, why: str) -> None:
        self.missing += count
        if self.first_missing is None or (seq, why) < self.first_missing:
            self.first_missing = (seq, why)

    def _values(self, currency: str, usd: Decimal, kzt: Decimal, stale: bool) -> None:
        self.usd[currency] = self.usd.get(currency, Decimal(0)) + usd
        self.kzt += kzt
        self.stale = self.stale or stale


def value_cell(tally: Tally, currency: str) -> str:
    """The sum of the values in one currency, or a plain statement of what is missing."""
    if tally.missing:
        return f"price missing for {tally.missing} of {tally.count} entries"
    totals = tally.usd if currency == "USD" else {"KZT": tally.kzt}
    text = " + ".join(money(totals[c], c) for c in sorted(totals))
    if tally.stale:
        text += " (stale price)"
    return text
