"""The figures the screens show: amounts worth something in the reporting currency, and the
prices behind them with their age.

One `Figures` is built per refresh from a single price snapshot (a few index seeks in the
register), then values any number of amounts without touching the register again. The
rules (USD market first, USDT labelled, KZT through the official rate, stale flags) are
desk.valuation's; this only adds BTC as a reporting currency (the USD value divided by the
USD price of one bitcoin).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from desk.money import ONE_BTC, Amount
from desk.register import Quote, Register
from desk.valuation.prices import PriceMissing, PricePolicy, QuoteLookup, Valued, snapshot, value_in

REPORTING = ("KZT", "USD", "BTC")
#: The markets the dashboard shows, in order: (base, quote).
MARKETS = (("BTC", "USDT"), ("BNB", "USDT"), ("BTC", "USD"), ("USD", "KZT"))


@dataclass(frozen=True, slots=True)
class Shown:
    """A value ready to print: `text` in its currency, `stale` when a price behind it is."""

    value: Decimal | None
    currency: str
    stale: bool
    why: str = ""
    #: where the price came from and when ("" and None for an amount needing no price)
    source: str = ""
    as_of: datetime | None = None

    @property
    def text(self) -> str:
        if self.value is None:
            return "n/a"
        return money_text(self.value, self.currency)


@dataclass(frozen=True, slots=True)
class PriceLine:
    """One market from one source, as the prices panel shows it."""

    quote: Quote
    age: timedelta
    stale: bool


class Figures:
    """Values and prices at one moment `at`."""

    def __init__(self, book: QuoteLookup, at: datetime, policy: PricePolicy) -> None:
        self.book = book
        self.at = at
        self.policy = policy

    @classmethod
    async def load(cls, register: Register, settings: Any, at: datetime, codes: set[str]) -> Figures:
        policy = PricePolicy.from_settings(settings) if hasattr(settings, "valuation") else PricePolicy()
        markets = {base for base, _q in MARKETS} | codes | {"BTC"}
        return cls(await snapshot(register, sorted(markets), at), at, policy)

    def value(self, amount: Amount, currency: str) -> Shown:
        """`amount` in `currency` (KZT, USD or BTC); n/a with the reason when no price exists."""
        try:
            if currency == "BTC":
                if amount.asset.code == "BTC":
                    return Shown(amount.value, "BTC", False)
                usd = value_in(self.book, amount, self.at, "USD", self.policy)
                btc = value_in(self.book, ONE_BTC, self.at, "USD", self.policy)
                places = Decimal(1).scaleb(-8)
                value = (usd.value / btc.price).quantize(places)
                return Shown(value, "BTC", usd.stale or btc.stale, source=usd.source, as_of=usd.source_time)
            valued: Valued = value_in(self.book, amount, self.at, currency, self.policy)
        except PriceMissing as exc:
            return Shown(None, currency, True, exc.why)
        priced = valued.source not in ("par", "peg")
        return Shown(
            valued.value,
            valued.currency,
            valued.stale,
            source=valued.source if priced else "",
            as_of=valued.source_time if priced else None,
        )

    def provenance(self, shown: Shown) -> str:
        """`kraken BTC/USD x nbk USD/KZT, 21s` : which prices a value rests on and their age."""
        if shown.value is None:
            return shown.why
        if shown.as_of is None:
            return ""
        return f"{shown.source}, {age_text(self.at - shown.as_of)}"

    def total(self, amounts: list[Amount], currency: str) -> Shown:
        parts = [self.value(a, currency) for a in amounts]
        if not parts:
            return Shown(Decimal(0), currency, False)
        if any(p.value is None for p in parts):
            missing = next(p.why for p in parts if p.value is None)
            return Shown(None, currency, True, missing)
        value = sum((p.value for p in parts if p.value is not None), Decimal(0))
        sources = "; ".join(dict.fromkeys(p.source for p in parts if p.source))
        times = [p.as_of for p in parts if p.as_of is not None]
        # dollars and tether added up are labelled as both: USDT is never silently USD
        currency = "/".join(dict.fromkeys(sorted(p.currency for p in parts)))
        return Shown(value, currency, any(p.stale for p in parts), source=sources, as_of=min(times) if times else None)

    def prices(self) -> list[PriceLine]:
        """The latest quote of every shown market from each source, newest source first."""
        lines = []
        for base, quote in MARKETS:
            for q in sorted(
                self.book.latest(base, quote, self.at), key=lambda q: (-q.source_time.timestamp(), q.source)
            ):
                age = self.at - q.source_time
                bound = self.policy.rate_stale_after if quote == "KZT" else self.policy.stale_after
                lines.append(PriceLine(q, age, age > bound))
        return lines


def money_text(value: Decimal, currency: str) -> str:
    """Grouped thousands; tenge whole, dollars to the cent, bitcoin to the satoshi."""
    places = {"KZT": 0, "BTC": 8}.get(currency, 2)
    rounded = value.quantize(Decimal(1).scaleb(-places))
    return f"{rounded:,f} {currency}"  # fixed-point: nothing is "0E-8 BTC"


def price_text(price: Decimal) -> str:
    places = 2 if price >= 1 else 6
    return f"{price.quantize(Decimal(1).scaleb(-places)):,}"


def age_text(age: timedelta) -> str:
    """A short age: 8s, 14m, 17h, 3d (negative ages, from a clock ahead, read 0s)."""
    seconds = max(0, int(age.total_seconds()))
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
