"""Values the report shows, always from the valuation module's rules.

An inflow's value at receipt is its frozen valuation (desk.valuation.receipt writes those);
an inflow not yet frozen is valued by the same rule on the spot (`value_of` at its own
time) and marked so. A price that is missing stays missing: the figure says so and is never
zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from desk.money import Amount
from desk.register import Register
from desk.register import valuations as frozen
from desk.valuation.prices import PriceMissing, PricePolicy, value_of


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
    stored = await frozen.current(register, sorted({seq for seq, _, _ in items}))
    result: dict[tuple[int, str], Value] = {}
    for seq, ts, amount in items:
        key = (seq, amount.asset.code)
        record = stored.get(key)
        if record is not None and record.units == amount.units:
            if record.state == "missing":
                result[key] = Value(None, None, frozen=True, missing=record.reason or "price missing")
            else:
                result[key] = Value(
                    record.usd,
                    record.kzt,
                    usd_currency=record.price_currency or "USD",
                    stale=record.state == "stale",
                    frozen=True,
                )
        else:
            result[key] = await now_value(register, amount, ts, policy)
    return result
