"""Values the report shows, always from the valuation module's rules.

An inflow's value at receipt is its frozen valuation (desk.valuation.receipt writes those);
an inflow not yet frozen is valued on the spot by that module's own rule and price book
(exactly what the pass would freeze, nothing written) and marked so. A price that is
missing stays missing: the figure says so and is never zero.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from desk.money import Amount
from desk.register import Register
from desk.register import valuations as frozen
from desk.register.valuations import Receipt
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
