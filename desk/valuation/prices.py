"""What one amount is worth in USD, USDT or KZT at one moment, from the recorded price history.

Rules (issue 7): a USD market is preferred; a USDT market is used only when no fresh USD one
is at hand, and the result is then labelled USDT, never silently USD. KZT is the USD value
times the National Bank's official USD/KZT rate of the Almaty business date of the moment
valued (a weekend or holiday carries the last published rate; the quote's own date says
which). KZTE is worth its configured peg in KZT. A price older than the staleness bound is
used but flagged; no price at all raises `PriceMissing`. Nothing here ever returns zero for
a missing price.

The choice is made by pure functions over a `QuoteLookup`, so the single-value path (a few
index seeks in the register) and the bulk valuation pass (an in-memory `PriceBook`) give the
same answer.
"""

from __future__ import annotations

import decimal
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from desk.money import MONEY_CONTEXT, Amount
from desk.register import Quote

if TYPE_CHECKING:
    from desk.config import DeskSettings
    from desk.register import Register

#: The National Bank publishes for Almaty business dates (UTC+5).
ALMATY = timezone(timedelta(hours=5))
#: Quotient digits kept when a value is divided by a rate (KZT -> USD): far below a tiyn.
DIVISION_PLACES = Decimal(1).scaleb(-18)
CURRENCIES = ("USD", "USDT", "KZT")
#: Assets whose value in USD is fixed by definition.
PAR = {"USD": "USD", "USDT": "USDT"}


class PriceMissing(Exception):
    """No price at all for `asset` in `currency` at `at`; `why` says what was looked for."""

    def __init__(self, asset: str, currency: str, at: datetime, why: str) -> None:
        self.asset = asset
        self.currency = currency
        self.at = at
        self.why = why
        super().__init__(f"no price for {asset} in {currency} at {at.isoformat()}: {why}")


@dataclass(frozen=True, slots=True)
class Valued:
    """An amount's value with its provenance: the price per unit, who quoted it and when,
    and for KZT the official rate and its date. `currency` is what `value` is in: "USDT"
    when only a USDT market was at hand, even if USD was asked for."""

    amount: Amount
    currency: str
    value: Decimal
    price: Decimal
    source: str
    source_time: datetime
    kzt_rate: Decimal | None
    kzt_rate_date: date | None
    stale: bool


@dataclass(frozen=True, slots=True)
class PricePolicy:
    """The settings valuation follows (from `[valuation]` and `[prices]`)."""

    stale_after: timedelta = timedelta(hours=1)
    rate_stale_after: timedelta = timedelta(days=5)
    kzte_peg: Decimal = Decimal(1)
    #: names of the official-rate sources (kind nbk); empty: any USD/KZT quote
    rate_sources: tuple[str, ...] = ()
    band_percent: Decimal = Decimal(2)

    @classmethod
    def from_settings(cls, settings: DeskSettings) -> PricePolicy:
        return cls(
            stale_after=timedelta(seconds=settings.valuation.stale_after),
            rate_stale_after=timedelta(days=settings.valuation.rate_stale_days),
            kzte_peg=settings.prices.kzte_peg,
            rate_sources=tuple(sorted(n for n, s in settings.prices.sources.items() if s.kind == "nbk")),
            band_percent=settings.valuation.price_band,
        )


class QuoteLookup(Protocol):
    def latest(self, base: str, quote: str, at: datetime) -> list[Quote]:
        """The latest quote of the market from each source at or before `at`."""
        ...


@dataclass(frozen=True, slots=True)
class Leg:
    """One price used: `price` of `quote` per one `base` from `source` at `source_time`."""

    price: Decimal
    currency: str
    source: str
    source_time: datetime
    stale: bool
    market: str

    @property
    def label(self) -> str:
        return f"{self.source} {self.market}"


@dataclass(frozen=True, slots=True)
class Rate:
    """The official USD/KZT rate in force on a business date."""

    rate: Decimal
    published: date
    source: str
    stale: bool


def business_date(at: datetime) -> date:
    return at.astimezone(ALMATY).date()


def _newest(quotes: Iterable[Quote]) -> Quote | None:
    """The newest quote; between equally new ones the source first by name (deterministic)."""
    best = None
    for q in quotes:
        if (
            best is None
            or q.source_time > best.source_time
            or (q.source_time == best.source_time and q.source < best.source)
        ):
            best = q
    return best


def _leg(quote: Quote, at: datetime, policy: PricePolicy) -> Leg:
    return Leg(
        price=quote.price,
        currency=quote.quote,
        source=quote.source,
        source_time=quote.source_time,
        stale=at - quote.source_time > policy.stale_after,
        market=f"{quote.base}/{quote.quote}",
    )


def dollar_leg(book: QuoteLookup, asset: str, at: datetime, policy: PricePolicy) -> Leg | None:
    """The price of one `asset` in dollars: a fresh USD market first, then a fresh USDT
    market, then whichever exists (flagged stale), USD before USDT."""
    usd = _newest(book.latest(asset, "USD", at))
    usdt = _newest(book.latest(asset, "USDT", at))
    candidates = [_leg(q, at, policy) for q in (usd, usdt) if q is not None]
    fresh = [leg for leg in candidates if not leg.stale]
    chosen = fresh or candidates
    return chosen[0] if chosen else None


def official_rate(book: QuoteLookup, at: datetime, policy: PricePolicy) -> Rate | None:
    """USD/KZT of the business date of `at`, or the last one published before it."""
    # a rate is stamped at midnight of its Almaty date, so "at or before `at`" is exactly
    # "this business date's, else the latest earlier one"
    quotes = book.latest("USD", "KZT", at)
    if policy.rate_sources:
        quotes = [q for q in quotes if q.source in policy.rate_sources]
    quote = _newest(quotes)
    if quote is None:
        return None
    published = business_date(quote.source_time)
    stale = business_date(at) - published > policy.rate_stale_after
    return Rate(quote.price, published, quote.source, stale)


def _mul(a: Decimal, b: Decimal) -> Decimal:
    with decimal.localcontext(MONEY_CONTEXT):
        return a * b


def _div(a: Decimal, b: Decimal) -> Decimal:
    ctx = MONEY_CONTEXT.copy()
    ctx.traps[decimal.Inexact] = False
    with decimal.localcontext(ctx):
        return (a / b).quantize(DIVISION_PLACES)


def value_in(book: QuoteLookup, amount: Amount, at: datetime, currency: str, policy: PricePolicy) -> Valued:
    """`amount` valued in `currency` at `at` from `book`: the pure core of `value_of`."""
    if currency not in CURRENCIES:
        raise ValueError(f"currency {currency!r} is not one of {', '.join(CURRENCIES)}")
    code = amount.asset.code
    if at.tzinfo is None:
        raise ValueError("valuation time must be timezone-aware")

    def made(cur: str, price: Decimal, source: str, when: datetime, stale: bool, rate: Rate | None = None) -> Valued:
        return Valued(
            amount=amount,
            currency=cur,
            value=_mul(amount.value, price),
            price=price,
            source=source,
            source_time=when,
            kzt_rate=rate.rate if rate else None,
            kzt_rate_date=rate.published if rate else None,
            stale=stale,
        )

    def need_rate() -> Rate:
        rate = official_rate(book, at, policy)
        if rate is None:
            names = ", ".join(policy.rate_sources) or "any source"
            raise PriceMissing(code, currency, at, f"no official USD/KZT rate ({names}) on or before that date")
        return rate

    if code == currency or PAR.get(code) == currency:
        return made(currency, Decimal(1), "par", at, False)
    if code in ("KZT", "KZTE"):
        peg = Decimal(1) if code == "KZT" else policy.kzte_peg
        peg_source = "par" if code == "KZT" else "peg"
        if currency == "KZT":
            return made("KZT", peg, peg_source, at, False)
        rate = need_rate()
        price = _div(peg, rate.rate)
        return made("USD", price, f"{peg_source} / {rate.source} USD/KZT", at, rate.stale, rate)
    if code in PAR:  # USD or USDT asked in the other dollar, or in KZT
        if currency == "KZT":
            rate = need_rate()
            label = f"{rate.source} USD/KZT" + (" (USDT at par with USD)" if code == "USDT" else "")
            return made("KZT", rate.rate, label, at, rate.stale, rate)
        return made(code, Decimal(1), "par", at, False)  # USDT stays labelled USDT
    if currency == "USDT":
        quote = _newest(book.latest(code, "USDT", at)) or _newest(book.latest(code, "USD", at))
        if quote is None:
            raise PriceMissing(code, currency, at, f"no {code}/USDT or {code}/USD quote at or before that time")
        leg = _leg(quote, at, policy)
        return made(leg.currency, leg.price, leg.label, leg.source_time, leg.stale)
    leg = dollar_leg(book, code, at, policy)
    if leg is None:
        raise PriceMissing(code, currency, at, f"no {code}/USD or {code}/USDT quote at or before that time")
    usd = made(leg.currency, leg.price, leg.label, leg.source_time, leg.stale)
    return usd if currency == "USD" else in_tenge(usd, need_rate())


def market_priced(code: str) -> bool:
    """Whether `code` is valued from exchange markets (not at par, not at a peg)."""
    return code not in ("USD", "USDT", "KZT", "KZTE")


def in_tenge(usd: Valued, rate: Rate) -> Valued:
    """A market-priced dollar value in KZT at the official rate (USDT taken at par, said so)."""
    note = " (USDT at par with USD)" if usd.currency == "USDT" else ""
    price = _mul(usd.price, rate.rate)
    return Valued(
        amount=usd.amount,
        currency="KZT",
        value=_mul(usd.amount.value, price),
        price=price,
        source=f"{usd.source} x {rate.source} USD/KZT{note}",
        source_time=usd.source_time,
        kzt_rate=rate.rate,
        kzt_rate_date=rate.published,
        stale=usd.stale or rate.stale,
    )


class PriceBook:
    """Quotes held in memory, sorted per market and source, answering `latest` by bisection:
    the bulk valuation pass values a million entries without a query each."""

    def __init__(self, quotes: Iterable[Quote]) -> None:
        series: dict[tuple[str, str, str], list[Quote]] = {}
        for q in quotes:
            series.setdefault((q.base, q.quote, q.source), []).append(q)
        self._series: dict[tuple[str, str], list[tuple[list[datetime], list[Quote]]]] = {}
        for (base, quote, _source), items in sorted(series.items()):
            items.sort(key=lambda q: q.source_time)
            self._series.setdefault((base, quote), []).append(([q.source_time for q in items], items))
        self._recent: dict[tuple[str, str, datetime], list[Quote]] = {}

    def latest(self, base: str, quote: str, at: datetime) -> list[Quote]:
        key = (base, quote, at)
        found = self._recent.get(key)
        if found is None:
            found = []
            for times, items in self._series.get((base, quote), ()):
                i = bisect_right(times, at)
                if i:
                    found.append(items[i - 1])
            if len(self._recent) > 64:  # the USD and KZT values of one inflow ask the same
                self._recent.clear()
            self._recent[key] = found
        return found


class _Snapshot:
    """The few quotes one `value_of` call may need, fetched ahead from the register."""

    def __init__(self, quotes: Mapping[tuple[str, str], list[Quote]]) -> None:
        self._quotes = quotes

    def latest(self, base: str, quote: str, at: datetime) -> list[Quote]:
        return [q for q in self._quotes.get((base, quote), []) if q.source_time <= at]


def markets_for(code: str) -> list[tuple[str, str]]:
    """The markets valuing `code` may consult."""
    return [(code, "USD"), (code, "USDT"), ("USD", "KZT")]


async def snapshot(register: Register, codes: Iterable[str], at: datetime) -> QuoteLookup:
    """The latest quote per source of every market valuing `codes` at `at`."""
    from desk.register.valuations import latest_quotes

    markets = {m for code in codes for m in markets_for(code)}
    return _Snapshot({m: await latest_quotes(register, m[0], m[1], at) for m in sorted(markets)})


async def value_of(
    register: Register, amount: Amount, at: datetime, currency: str, *, policy: PricePolicy | None = None
) -> Valued:
    """`amount` in `currency` ("USD", "USDT" or "KZT") at `at`, from the register's price
    history. Raises PriceMissing when there is no price at all; a stale one is flagged."""
    policy = policy or PricePolicy()
    book = await snapshot(register, [amount.asset.code], at)
    return value_in(book, amount, at, currency, policy)
