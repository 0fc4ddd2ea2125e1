"""The reserve's value over a chart's time frame (1D by the hour, 7D, 30D and 1Y by the UTC
day), the price of a bitcoin at each moment (for BTC as the reporting currency), and the
report a valuation screen shows beside them. The figures are desk.valuation.worth's; this
picks the moments. Hashprice, read live, is desk.mining.live's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from desk.money import ONE_BTC
from desk.register import Register
from desk.valuation.prices import PriceMissing, PricePolicy, snapshot, value_in
from desk.valuation.worth import ReserveReport, end_of, reserve_report, value_series

#: Chart time frames: label -> (number of points, hourly?).
FRAMES: dict[str, tuple[int, bool]] = {"1D": (25, True), "7D": (7, False), "30D": (30, False), "1Y": (365, False)}


@dataclass(frozen=True, slots=True)
class Point:
    """The reserve's value at one moment; `btc_usd` the dollar price of a bitcoin then
    (None: no price). `missing`: a holding had no price, so there is no value (never a
    partial sum drawn as if whole); `stale`: a price behind it was stale."""

    at: datetime
    usd: Decimal
    kzt: Decimal
    btc_usd: Decimal | None
    missing: bool
    stale: bool

    def value(self, currency: str) -> Decimal | None:
        if self.missing:
            return None
        if currency == "KZT":
            return self.kzt
        if currency == "USD":
            return self.usd
        return None if not self.btc_usd else self.usd / self.btc_usd


async def btc_usd(register: Register, at: datetime, policy: PricePolicy) -> Decimal | None:
    """The dollar price of one bitcoin at `at` (USD market first, USDT labelled as such)."""
    try:
        return value_in(await snapshot(register, ["BTC"], at), ONE_BTC, at, "USD", policy).price
    except PriceMissing:
        return None


def moments(now: datetime, frame: str) -> list[datetime]:
    """The frame's moments, oldest first: hours ending now (1D) or UTC days ending today."""
    count, hourly = FRAMES[frame]
    if hourly:
        last = now.replace(minute=0, second=0, microsecond=0)
        return [last - timedelta(hours=count - 1 - i) for i in range(count)]
    today = now.astimezone(UTC).date()
    return [end_of(today - timedelta(days=count - 1 - i)) for i in range(count)]


async def value_points(register: Register, settings: Any, now: datetime, frame: str) -> list[Point]:
    """The reserve's value over the frame: day ends from value_series, hours from a report
    at each hour (holdings and prices as of that moment)."""
    policy = PricePolicy.from_settings(settings)
    at_moments = moments(now, frame)
    points = []
    if FRAMES[frame][1]:
        for at in at_moments:
            report = await reserve_report(register, settings, at, with_lots=False)
            stale = any(f.kind == "stale" for f in report.flags)
            price = await btc_usd(register, at, policy)
            points.append(Point(at, report.total_usd, report.total_kzt, price, report.missing, stale))
        return points
    days = await value_series(register, settings, [at.date() for at in at_moments])
    for at, day in zip(at_moments, days, strict=True):
        moment = min(at, now)
        price = await btc_usd(register, moment, policy)
        points.append(Point(moment, day.usd, day.kzt, price, bool(day.missing), day.stale))
    return points


@dataclass(frozen=True, slots=True)
class Valuation:
    """One read of a valuation screen's figures."""

    report: ReserveReport
    points: list[Point]
    btc_usd: Decimal | None


async def load_valuation(register: Register, settings: Any, now: datetime, frame: str) -> Valuation:
    report = await reserve_report(register, settings, now)
    points = await value_points(register, settings, now, frame)
    return Valuation(report, points, await btc_usd(register, now, PricePolicy.from_settings(settings)))
