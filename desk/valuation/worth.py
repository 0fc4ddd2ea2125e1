"""The reserve's worth: now or at any moment, and day by day, in USD and KZT, with where each
figure's price came from and how old it was.

The reserve is every `assets:reserve:*` account. Its composition is shown three ways, each
slice with its weight: by asset; by custody (the `[[addresses]]` custody of the account and
asset, else the account's name); and by source (mined, seized, purchased, transferred in),
from the FIFO lots its coins belong to (desk/valuation/lots.py, kept in the register by
desk/valuation/fifo.py). Cost basis and unrealised gain come from those lots. A missing or
stale price is a flag on the figure, never a zero.
"""

from __future__ import annotations

import decimal
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from desk.config import DeskSettings
from desk.money import MONEY_CONTEXT, Amount, amount_text
from desk.register import Register
from desk.register import valuations as store
from desk.valuation import fifo
from desk.valuation.fifo import RESERVE
from desk.valuation.lots import SOURCES, Lot, LotTotals
from desk.valuation.prices import (
    PriceMissing,
    PricePolicy,
    QuoteLookup,
    Valued,
    snapshot,
    value_in,
)

#: Weights are fractions kept to this many places; shown as percentages to 2 dp.
WEIGHT_PLACES = Decimal(1).scaleb(-12)


@dataclass(frozen=True, slots=True)
class Flag:
    """Something a reader must see beside the figures: a missing, stale or inconsistent
    price, lots of unknown cost, dollars that are USDT."""

    kind: str  # missing | stale | inconsistent | unknown cost | usdt | unvalued inflows
    asset: str
    message: str
    prices: tuple[tuple[str, Decimal, datetime], ...] = ()


@dataclass(frozen=True, slots=True)
class Slice:
    """One part of the reserve: its value in USD and KZT (None: no price) and its weight."""

    label: str
    usd: Decimal | None
    kzt: Decimal | None
    weight: Decimal | None = None
    amount: Amount | None = None

    @property
    def percent(self) -> str:
        return "-" if self.weight is None else f"{_mul(self.weight, Decimal(100)).quantize(Decimal('0.01'))}"


@dataclass(frozen=True, slots=True)
class AssetFigures:
    """One asset the reserve holds: amount, value with its price provenance, cost, gain."""

    asset: str
    amount: Amount
    usd: Valued | None
    kzt: Valued | None
    cost_usd: Decimal | None = None
    cost_kzt: Decimal | None = None
    unrealised_usd: Decimal | None = None
    unrealised_kzt: Decimal | None = None
    unknown_cost: Amount | None = None


@dataclass(frozen=True, slots=True)
class ReserveReport:
    at: datetime
    assets: list[AssetFigures]
    #: dollars, including `total_usdt` priced from USDT markets (USDT at par, labelled)
    total_usd: Decimal
    total_kzt: Decimal
    weight_basis: str
    by_asset: list[Slice]
    by_custody: list[Slice]
    by_source: list[Slice]
    #: over the lots of known cost only (see `cost_known`: zero here may mean none is known)
    cost_usd: Decimal
    cost_kzt: Decimal
    unrealised_usd: Decimal
    unrealised_kzt: Decimal
    lots: list[Lot] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    total_usdt: Decimal = Decimal(0)

    @property
    def missing(self) -> bool:
        return any(f.kind == "missing" for f in self.flags)

    @property
    def cost_known(self) -> bool:
        """Whether any holding has a known cost (else the cost totals are no figure, not zero)."""
        return any(f.cost_usd is not None for f in self.assets)


@dataclass(frozen=True, slots=True)
class DayValue:
    day: date
    usd: Decimal
    kzt: Decimal
    missing: tuple[str, ...] = ()
    stale: bool = False


def _mul(a: Decimal, b: Decimal) -> Decimal:
    with decimal.localcontext(MONEY_CONTEXT):
        return a * b


def _sum(values: Iterable[Decimal]) -> Decimal:
    with decimal.localcontext(MONEY_CONTEXT):
        return sum(values, Decimal(0))


def _ratio(a: Decimal, b: Decimal) -> Decimal:
    ctx = MONEY_CONTEXT.copy()
    ctx.traps[decimal.Inexact] = False
    with decimal.localcontext(ctx):
        return (a / b).quantize(WEIGHT_PLACES)


def end_of(day: date) -> datetime:
    """The last instant of a UTC day: what "the value on that day" is measured at."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC) - timedelta(microseconds=1)


def custody_of(settings: DeskSettings, account: str, asset: str) -> str:
    """The custody of an account's coins of `asset`: from `[[addresses]]` (the address
    holding that asset first, else any address of the account), else the account's name."""
    matches = [a for a in settings.addresses if a.account == account]
    for address in matches:
        if address.asset == asset:
            return address.custody
    return matches[0].custody if matches else account.removeprefix(RESERVE)


def weighed(slices: Sequence[Slice], basis: str) -> list[Slice]:
    values = [s.kzt if basis == "KZT" else s.usd for s in slices]
    total = _sum(v for v in values if v is not None)
    return [
        Slice(s.label, s.usd, s.kzt, _ratio(v, total) if v is not None and total else None, s.amount)
        for s, v in zip(slices, values, strict=True)
    ]


def _value(book: QuoteLookup, amount: Amount, at: datetime, currency: str, policy: PricePolicy) -> Valued | None:
    try:
        return value_in(book, amount, at, currency, policy)
    except PriceMissing:
        return None


def _grouped(parts: Iterable[tuple[str, Valued | None, Valued | None]]) -> list[Slice]:
    """Slices summed by label; a label with any unpriced part shows the priced part only
    (the missing flag says so)."""
    usd: dict[str, list[Decimal]] = defaultdict(list)
    kzt: dict[str, list[Decimal]] = defaultdict(list)
    labels: list[str] = []
    for label, u, k in parts:
        if label not in labels:
            labels.append(label)
        if u is not None:
            usd[label].append(u.value)
        if k is not None:
            kzt[label].append(k.value)
    return [
        Slice(label, _sum(usd[label]) if usd[label] else None, _sum(kzt[label]) if kzt[label] else None)
        for label in labels
    ]


def price_flags(book: QuoteLookup, codes: Iterable[str], at: datetime, policy: PricePolicy) -> list[Flag]:
    """The same asset from two sources further apart than the band (fresh quotes only; USD
    and USDT markets compared, the quote currency named)."""
    flags = []
    for code in sorted(codes):
        quotes = [
            q
            for q in book.latest(code, "USD", at) + book.latest(code, "USDT", at)
            if at - q.source_time <= policy.stale_after
        ]
        if len(quotes) < 2:
            continue
        low = min(quotes, key=lambda q: (q.price, q.source))
        high = max(quotes, key=lambda q: (q.price, q.source))
        spread = _mul(_ratio(high.price - low.price, low.price), Decimal(100))
        if spread > policy.band_percent:
            flags.append(
                Flag(
                    "inconsistent",
                    code,
                    f"{code}: {high.source} {high.quote} {high.price} vs {low.source} {low.quote} {low.price} differ "
                    f"by {spread.quantize(Decimal('0.01'))}% (band {policy.band_percent}%)",
                    prices=tuple((f"{q.source} {q.base}/{q.quote}", q.price, q.source_time) for q in (high, low)),
                )
            )
    return flags


def _value_flags(figures: Sequence[AssetFigures], at: datetime) -> list[Flag]:
    flags = []
    for f in figures:
        for currency, valued in (("USD", f.usd), ("KZT", f.kzt)):
            if valued is None:
                flags.append(Flag("missing", f.asset, f"no price for {f.asset} in {currency} at {at.isoformat()}"))
            elif valued.stale:
                age = int((at - valued.source_time).total_seconds())
                flags.append(Flag("stale", f.asset, f"{f.asset} in {currency}: {valued.source} is {age} s old"))
        if f.usd is not None and f.usd.currency == "USDT":
            flags.append(Flag("usdt", f.asset, f"{f.asset} is priced in USDT ({f.usd.source}): dollars here are USDT"))
        if f.unknown_cost is not None:
            held = amount_text(f.unknown_cost)
            flags.append(Flag("unknown cost", f.asset, f"{held} of the reserve has no known cost"))
    return flags


async def reserve_holdings(register: Register, at: datetime) -> dict[tuple[str, str], Amount]:
    return {k: v for k, v in (await register.balances(at)).items() if k[0].startswith(RESERVE) and v}


async def reserve_report(
    register: Register, settings: DeskSettings, at: datetime, *, with_lots: bool = True, list_lots: bool = False
) -> ReserveReport:
    """The reserve at `at`: value, composition, cost basis, unrealised gain, flags. The cost
    figures come from the FIFO lots kept in the register (`with_lots`); `list_lots` also lists
    them one by one in `.lots` (a reserve of a million lots takes a while to list)."""
    policy = PricePolicy.from_settings(settings)
    holdings = await reserve_holdings(register, at)
    held: dict[str, Amount] = {}
    for (_, code), amount in sorted(holdings.items()):
        held[code] = held[code] + amount if code in held else amount
    book = await snapshot(register, held, at)

    per_asset, per_source = await fifo.totals(register, policy, at) if with_lots else ({}, {})
    lots = await fifo.held(register, policy, at) if with_lots and list_lots else []
    figures = []
    for code, amount in held.items():
        usd, kzt = _value(book, amount, at, "USD", policy), _value(book, amount, at, "KZT", policy)
        figures.append(_asset_figures(amount, usd, kzt, per_asset.get(code) if with_lots else None, book, at, policy))
    by_asset = [
        Slice(f.asset, f.usd.value if f.usd else None, f.kzt.value if f.kzt else None, amount=f.amount) for f in figures
    ]
    basis = "KZT" if all(s.kzt is not None for s in by_asset) else "USD"
    custody = _grouped(
        (
            custody_of(settings, account, code),
            _value(book, amount, at, "USD", policy),
            _value(book, amount, at, "KZT", policy),
        )
        for (account, code), amount in sorted(holdings.items())
    )
    sources = _grouped(_source_parts(per_source, register, book, at, policy))
    sources.sort(key=lambda s: SOURCES.index(s.label) if s.label in SOURCES else len(SOURCES))
    flags = _value_flags(figures, at) + price_flags(book, held, at, policy)
    open_missing = await store.open_missing(register)
    if open_missing:
        flags.append(
            Flag(
                "unvalued inflows",
                "*",
                f"{len(open_missing)} inflow valuation(s) still missing a price "
                f"(first: entry #{open_missing[0][0].entry_seq})",
            )
        )
    return ReserveReport(
        at=at,
        assets=figures,
        total_usd=_sum(s.usd for s in by_asset if s.usd is not None),
        total_usdt=_sum(f.usd.value for f in figures if f.usd is not None and f.usd.currency == "USDT"),
        total_kzt=_sum(s.kzt for s in by_asset if s.kzt is not None),
        weight_basis=basis,
        by_asset=weighed(by_asset, basis),
        by_custody=weighed(custody, basis),
        by_source=weighed(sources, basis),
        cost_usd=_sum(f.cost_usd for f in figures if f.cost_usd is not None),
        cost_kzt=_sum(f.cost_kzt for f in figures if f.cost_kzt is not None),
        unrealised_usd=_sum(f.unrealised_usd for f in figures if f.unrealised_usd is not None),
        unrealised_kzt=_sum(f.unrealised_kzt for f in figures if f.unrealised_kzt is not None),
        lots=lots,
        flags=flags,
    )


def _source_parts(
    units: dict[tuple[str, str], int], register: Register, book: QuoteLookup, at: datetime, policy: PricePolicy
) -> list[tuple[str, Valued | None, Valued | None]]:
    assets = register.assets()
    parts = []
    for (source, code), n in sorted(units.items()):
        amount = Amount.from_units(assets[code], n)
        parts.append((source, _value(book, amount, at, "USD", policy), _value(book, amount, at, "KZT", policy)))
    return parts


def _asset_figures(
    amount: Amount,
    usd: Valued | None,
    kzt: Valued | None,
    lots: LotTotals | None,
    book: QuoteLookup,
    at: datetime,
    policy: PricePolicy,
) -> AssetFigures:
    """Cost and unrealised gain over the lots of known cost; the rest is `unknown_cost`."""
    code = amount.asset.code
    if lots is None:
        return AssetFigures(code, amount, usd, kzt)
    unknown = Amount.from_units(amount.asset, lots.unknown_units) if lots.unknown_units else None
    if not lots.known_units:  # no lot of known cost: no cost basis, not a zero one
        return AssetFigures(code, amount, usd, kzt, unknown_cost=unknown)
    known_amount = Amount.from_units(amount.asset, lots.known_units)
    now_usd = _value(book, known_amount, at, "USD", policy)
    now_kzt = _value(book, known_amount, at, "KZT", policy)
    return AssetFigures(
        code,
        amount,
        usd,
        kzt,
        cost_usd=lots.cost_usd,
        cost_kzt=lots.cost_kzt,
        unrealised_usd=now_usd.value - lots.cost_usd if now_usd else None,
        unrealised_kzt=now_kzt.value - lots.cost_kzt if now_kzt else None,
        unknown_cost=unknown,
    )


async def value_series(register: Register, settings: DeskSettings, days: Sequence[date]) -> list[DayValue]:
    """The reserve's value at the end of each of `days` (ascending): holdings from the per-day
    table in one read, prices from each day's latest quotes (a few index seeks per day, not the
    whole price history)."""
    if not days:
        return []
    policy = PricePolicy.from_settings(settings)
    moves = await store.daily_moves(register, RESERVE)
    codes = sorted({m[1] for m in moves})
    assets = register.assets()
    held: dict[str, int] = defaultdict(int)
    result = []
    i = 0
    for day in days:
        key = day.isoformat()
        while i < len(moves) and moves[i][2] <= key:
            held[moves[i][1]] += moves[i][3]
            i += 1
        at = end_of(day)
        book = await snapshot(register, codes, at)
        usd, kzt, missing, stale = [], [], [], False
        for code, units in sorted(held.items()):
            if not units:
                continue
            amount = Amount.from_units(assets[code], units)
            u, k = _value(book, amount, at, "USD", policy), _value(book, amount, at, "KZT", policy)
            if u is None or k is None:
                missing.append(code)
            stale = stale or bool(u and u.stale) or bool(k and k.stale)
            usd += [u.value] if u else []
            kzt += [k.value] if k else []
        result.append(DayValue(day, _sum(usd), _sum(kzt), tuple(missing), stale))
    return result
