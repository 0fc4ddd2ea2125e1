"""Hashprice: what a petahash per second earns in a day, expected from the network and
realised from the pools.

    expected BTC per PH/s per day = 10^15 x 86,400 / (difficulty x 2^32) x (subsidy + fees)

with fees the average per block over the last 144 blocks. It is computed as an exact
fraction and rounded once, to the satoshi (half even), so 1 PH/s for a day at subsidy
6.25 BTC and difficulty 21,448,277,761,059, fees ignored, is exactly 0.00586194 BTC.

Realised revenue per PH/s per day is what the pools credited (the register's
income:mining:* per day) divided by the fleet's hashrate over the same days:

    realised = sum of BTC mined over the days / sum over the days of the fleet's PH/s

A day's fleet hashrate is the sum of the pools' own figures for that day (read from each
pool's API by the sync, kept in the register per pool and day, in H/s) when every pool that
earned that day has one; otherwise `[mining] hashrate_ph` from the configuration stands in,
and the report says it did (the fallback); a day with neither is left out. Their ratio is
the hashrate realisation (luck, pool fees, downtime, stale shares).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from desk.config import DeskSettings
from desk.feeds.chains.subsidy import subsidy_sats
from desk.feeds.errors import FeedError
from desk.money import BTC, Amount
from desk.register import Register
from desk.valuation.prices import PriceMissing
from desk.valuation.prices import value_of as default_value_of

if TYPE_CHECKING:  # the Esplora client comes from the caller: the monthly report reads no network
    from desk.feeds.chains.esplora import EsploraClient, NetworkStats

SATS_PER_BTC = 100_000_000
PETA = 10**15
SECONDS_PER_DAY = 86_400
TWO_32 = 2**32
#: For a height without Esplora: block 840,000 (the 2024 halving) and a block per 600 s.
HALVING_2024_HEIGHT = 840_000
HALVING_2024_TIME = datetime(2024, 4, 20, 0, 9, 27, tzinfo=UTC)
REALISED_DAYS = 7


class HashpriceUnavailable(Exception):
    """Neither Esplora nor the configuration gives the network figures hashprice needs."""


def expected_sats_per_ph_day(
    difficulty: Decimal | Fraction, subsidy: int, fees_per_block: Fraction | int = 0
) -> Fraction:
    """Satoshis one PH/s earns in a day at `difficulty`, exact."""
    if difficulty <= 0:
        raise ValueError("difficulty must be positive")
    return Fraction(PETA * SECONDS_PER_DAY) / (Fraction(difficulty) * TWO_32) * (subsidy + Fraction(fees_per_block))


def round_fraction(value: Fraction, places: int) -> Decimal:
    """`value` rounded half-even to `places` decimals, exactly (no float, no context)."""
    scaled = value * 10**places
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    twice = 2 * rest
    if twice > scaled.denominator or (twice == scaled.denominator and whole % 2):
        whole += 1
    return Decimal(whole).scaleb(-places)


def expected_btc_per_ph_day(difficulty: Decimal, subsidy: int, fees_per_block: Fraction | int = 0) -> Amount:
    """Expected BTC per PH/s per day, rounded to the satoshi."""
    sats = expected_sats_per_ph_day(difficulty, subsidy, fees_per_block)
    return Amount(BTC, round_fraction(sats / SATS_PER_BTC, 8))


def estimated_height(at: datetime) -> int:
    """A height from the clock alone (a block per ten minutes since the 2024 halving): good
    enough to know the subsidy, which changes only every 210,000 blocks."""
    return max(0, HALVING_2024_HEIGHT + int((at - HALVING_2024_TIME).total_seconds()) // 600)


@dataclass(frozen=True, slots=True)
class Figure:
    """A network input with where it came from and when it was true (None: configured)."""

    value: Decimal
    source: str
    as_of: datetime | None

    def age(self, now: datetime) -> timedelta | None:
        return None if self.as_of is None else now - self.as_of


@dataclass(frozen=True, slots=True)
class Priced:
    """Hashprice in a fiat currency, or why not."""

    currency: str
    value: Decimal | None
    price: Decimal | None = None
    source: str | None = None
    source_time: datetime | None = None
    stale: bool = False
    missing: str | None = None


@dataclass(slots=True)
class HashpriceReport:
    at: datetime
    height: int
    height_source: str
    subsidy: Amount
    difficulty: Figure
    fees_per_block: Figure  # BTC per block, averaged (rounded to the satoshi for display)
    fee_blocks: int | None
    exact_sats: Fraction
    expected: Amount  # BTC per PH/s per day
    priced: list[Priced] = field(default_factory=list)
    hashrate_ph: Decimal | None = None
    #: where the hashrate came from: the pools' figures, the configured fallback, or both
    hashrate_source: str | None = None
    realised: Amount | None = None
    realised_days: int = 0
    realised_note: str | None = None
    realisation: Decimal | None = None
    daily_mined: list[tuple[date, Amount]] = field(default_factory=list)

    @property
    def sats_per_th_day(self) -> Decimal:
        """The same hashprice in sats per TH/s per day (a PH is 1,000 TH)."""
        return Decimal(self.expected.units).scaleb(-3)

    def as_json(self) -> dict[str, Any]:
        def figure(f: Figure) -> dict[str, Any]:
            age = f.age(self.at)
            return {
                "value": format(f.value, "f"),
                "source": f.source,
                "as_of": f.as_of.isoformat() if f.as_of else None,
                "age_seconds": int(age.total_seconds()) if age is not None else None,
            }

        return {
            "at": self.at.isoformat(),
            "height": self.height,
            "height_source": self.height_source,
            "subsidy_btc": format(self.subsidy.value, "f"),
            "difficulty": figure(self.difficulty),
            "fees_per_block_btc": figure(self.fees_per_block),
            "fee_blocks": self.fee_blocks,
            "expected_btc_per_ph_day": format(self.expected.value, "f"),
            "expected_sats_per_th_day": str(self.sats_per_th_day),
            "priced": [
                {
                    "currency": p.currency,
                    "per_ph_day": None if p.value is None else format(p.value, "f"),
                    "price": None if p.price is None else str(p.price),
                    "source": p.source,
                    "source_time": p.source_time.isoformat() if p.source_time else None,
                    "stale": p.stale,
                    "missing": p.missing,
                }
                for p in self.priced
            ],
            "hashrate_ph": None if self.hashrate_ph is None else str(self.hashrate_ph),
            "hashrate_source": self.hashrate_source,
            "realised_btc_per_ph_day": None if self.realised is None else format(self.realised.value, "f"),
            "realised_days": self.realised_days,
            "realised_note": self.realised_note,
            "realisation": None if self.realisation is None else str(self.realisation),
            "daily_mined_btc": [{"day": d.isoformat(), "btc": format(a.value, "f")} for d, a in self.daily_mined],
        }


#: (register, amount, at, currency) -> a valued amount; desk.valuation.prices.value_of by default
ValueOf = Callable[[Register, Amount, datetime, str], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class NetworkInputs:
    height: int
    height_source: str
    difficulty: Figure
    fees_per_block: Figure
    fee_sats: Fraction  # exact average per block, in satoshis
    fee_blocks: int | None


async def network_inputs(settings: DeskSettings, esplora: EsploraClient | None, now: datetime) -> NetworkInputs:
    """Height, difficulty and fees per block: from Esplora, each replaced by `[mining]`
    configuration when set. Esplora is asked only when the configuration leaves one open."""
    mining = settings.mining
    stats: NetworkStats | None = None
    failure = "no Esplora configured"
    if esplora is not None and (mining.difficulty is None or mining.fees_per_block_btc is None):
        try:
            stats = await esplora.network_stats()  # over its FEE_WINDOW of blocks
        except FeedError as exc:
            failure = exc.reason
    if mining.difficulty is not None:
        difficulty = Figure(mining.difficulty, "config [mining] difficulty", None)
    elif stats is not None:
        difficulty = Figure(stats.difficulty, f"esplora block {stats.tip_height:,}", stats.tip_time)
    else:
        raise HashpriceUnavailable(f"hashprice needs [mining] difficulty or a reachable Esplora ({failure})")
    if mining.fees_per_block_btc is not None:
        fees = Figure(mining.fees_per_block_btc, "config [mining] fees_per_block_btc", None)
        fee_sats, blocks = Fraction(mining.fees_per_block_btc) * SATS_PER_BTC, None
    elif stats is not None:
        average = round_fraction(stats.avg_fees_sats / SATS_PER_BTC, 8)
        fees = Figure(average, f"esplora, {stats.fee_blocks} blocks to {stats.tip_height:,}", stats.tip_time)
        fee_sats, blocks = stats.avg_fees_sats, stats.fee_blocks
    else:
        raise HashpriceUnavailable(f"hashprice needs [mining] fees_per_block_btc or a reachable Esplora ({failure})")
    if stats is not None:
        return NetworkInputs(stats.tip_height, "esplora", difficulty, fees, fee_sats, blocks)
    return NetworkInputs(estimated_height(now), "estimated from the clock", difficulty, fees, fee_sats, blocks)


async def hashprice_report(
    settings: DeskSettings,
    register: Register,
    esplora: EsploraClient | None,
    now: datetime,
    *,
    value_of: ValueOf | None = None,
    days: int = REALISED_DAYS,
) -> HashpriceReport:
    """Expected and realised hashprice now, with every input's source and age."""
    inputs = await network_inputs(settings, esplora, now)
    subsidy = subsidy_sats(inputs.height)
    exact = expected_sats_per_ph_day(inputs.difficulty.value, subsidy, inputs.fee_sats)
    report = HashpriceReport(
        at=now,
        height=inputs.height,
        height_source=inputs.height_source,
        subsidy=Amount.from_units(BTC, subsidy),
        difficulty=inputs.difficulty,
        fees_per_block=inputs.fees_per_block,
        fee_blocks=inputs.fee_blocks,
        exact_sats=exact,
        expected=Amount(BTC, round_fraction(exact / SATS_PER_BTC, 8)),
    )
    report.priced = await _priced(register, report.expected, now, value_of)
    await _realised(settings, register, report, days)
    return report


async def _priced(register: Register, expected: Amount, now: datetime, value_of: ValueOf | None) -> list[Priced]:
    valuer = value_of or default_value_of
    result = []
    for currency in ("USD", "KZT"):
        try:
            valued = await valuer(register, expected, now, currency)
        except PriceMissing as exc:
            result.append(Priced(currency, None, missing=str(exc)))
            continue
        result.append(
            Priced(valued.currency, valued.value, valued.price, valued.source, valued.source_time, valued.stale)
        )
    return result


async def _realised(settings: DeskSettings, register: Register, report: HashpriceReport, days: int) -> None:
    """BTC the pools credited per day over the last `days` complete UTC days, per PH/s of
    the fleet's hashrate on those days (the pools' own figures, else the configured one)."""
    today = report.at.astimezone(UTC).date()
    start = today - timedelta(days=days)
    since = datetime.combine(start, time(0), tzinfo=UTC)
    until = datetime.combine(today, time(0), tzinfo=UTC)
    mined: dict[date, dict[str, int]] = {}
    for account, bucket, amount in await register.flows("income:mining:", since, until):
        if amount.asset.code == "BTC":
            pools = mined.setdefault(bucket.date(), {})
            pool = account.removeprefix("income:mining:")
            pools[pool] = pools.get(pool, 0) - amount.units
    report.daily_mined = [(d, Amount.from_units(BTC, sum(mined[d].values()))) for d in sorted(mined)]
    reported: dict[date, dict[str, Decimal]] = {}
    for pool_day in await register.pool_days(start, today - timedelta(days=1)):
        if pool_day.hashrate_hs is not None:
            reported.setdefault(pool_day.day, {})[pool_day.pool] = pool_day.hashrate_hs
    if not mined:
        report.realised_note = f"no pool earnings in the register for the {days} days before {today}"
        return
    fallback = settings.mining.hashrate_ph
    first = max(start, min(mined))
    sats = 0
    ph_days = Fraction(0)
    from_pools = from_config = 0
    for offset in range((today - first).days):
        day = first + timedelta(days=offset)
        earned, rates = mined.get(day, {}), reported.get(day, {})
        if rates and set(earned) <= set(rates):
            ph_days += sum(Fraction(hs) for hs in rates.values()) / PETA
            from_pools += 1
        elif fallback is not None:
            ph_days += Fraction(fallback)
            from_config += 1
        else:
            continue
        sats += sum(earned.values())
    counted = from_pools + from_config
    if not counted:
        report.realised_note = (
            "set [mining] hashrate_ph: no pool reported its hashrate for the days it earned "
            f"in the {days} days before {today}"
        )
        return
    if ph_days == 0:
        report.realised_note = f"the pools reported a hashrate of 0 for the {counted} days they earned"
        return
    report.realised_days = counted
    report.hashrate_ph = Decimal(format(round_fraction(ph_days / counted, 3).normalize(), "f"))
    report.hashrate_source = _hashrate_source(from_pools, from_config, (today - first).days - counted)
    realised_sats = Fraction(sats) / ph_days
    report.realised = Amount(BTC, round_fraction(realised_sats / SATS_PER_BTC, 8))
    report.realisation = round_fraction(realised_sats / report.exact_sats, 4)


def _hashrate_source(from_pools: int, from_config: int, left_out: int) -> str:
    """How the fleet's hashrate was known, for the figure's label."""
    if from_pools and not from_config:
        label = "the pools' own figures"
    elif from_config and not from_pools:
        label = "[mining] hashrate_ph, the configured fallback"
    else:
        label = f"the pools' own figures for {_days(from_pools)}, [mining] hashrate_ph (fallback) for {from_config}"
    return label + (f"; {_days(left_out)} without a hashrate left out" if left_out > 0 else "")


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"
