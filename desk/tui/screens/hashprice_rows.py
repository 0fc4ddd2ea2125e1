"""The valuation screen's hashprice panel: expected and realised hashprice, their ratio, the
inputs' ages and BTC mined per day, as text rows (desk.mining.hashprice computes them)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from desk.mining.hashprice import HashpriceReport
from desk.money import amount_text
from desk.tui.screens.figures import age_text, money_text, price_text

UNITS = ("USD/PH/day", "sats/TH/day")


def _money(value: Decimal | None, currency: str) -> str:
    return "MISSING" if value is None else money_text(value, currency)


def _age(at: datetime | None, now: datetime) -> str:
    return "configured" if at is None else f"{age_text(now - at)} old"


def hashprice_rows(
    report: HashpriceReport | None, error: str | None, units: str, now: datetime
) -> list[tuple[str, str, str]]:
    """The hashprice panel's rows: expected, realised, their ratio, the inputs' ages and
    BTC mined per day (the Sparkline under the rows draws the days)."""
    if report is None:
        return [
            ("none", f"hashprice unavailable: {error}" if error else "reading hashprice …", "-loud" if error else "")
        ]
    rows = []
    usd = next((p for p in report.priced if p.currency in ("USD", "USDT")), None)
    kzt = next((p for p in report.priced if p.currency == "KZT"), None)
    if units == UNITS[1]:
        expected = f"{report.sats_per_th_day} sats/TH/day"
    else:
        expected = (f"{_money(usd.value, usd.currency)}/PH/day" if usd and usd.value is not None else "USD MISSING") + (
            f" · {_money(kzt.value, 'KZT')}" if kzt and kzt.value is not None else ""
        )
    rows.append(("expected", f"expected    {expected} · {amount_text(report.expected)}/PH/day", ""))
    if usd is not None:
        state = "-loud" if usd.value is None else ("-stale" if usd.stale else "")
        why = usd.missing or f"{usd.source} {price_text(usd.price or Decimal(0))}, {_age(usd.source_time, now)}"
        rows.append(("price", f"  price     {why}", state))
    rows.append(
        (
            "difficulty",
            f"  network   difficulty {report.difficulty.value:,.0f} ({report.difficulty.source}, "
            f"{_age(report.difficulty.as_of, now)}); fees {report.fees_per_block.value} BTC/block",
            "",
        )
    )
    if report.realised is None:
        rows.append(("realised", f"realised    n/a: {report.realised_note}", "-stale"))
    else:
        if units == UNITS[1]:
            realised = f"{Decimal(report.realised.units).scaleb(-3)} sats/TH/day"
        elif usd is not None and usd.price is not None:
            realised = f"{_money(report.realised.value * usd.price, usd.currency)}/PH/day"
        else:
            realised = "USD MISSING"
        rows.append(
            (
                "realised",
                f"realised    {realised} · {amount_text(report.realised)}/PH/day over {report.realised_days} d "
                f"at {report.hashrate_ph} PH/s",
                "",
            )
        )
    if report.realisation is not None:
        rows.append(("ratio", f"realisation {(report.realisation * 100).quantize(Decimal('0.01'))}%", ""))
    if report.daily_mined:
        last_day, last = report.daily_mined[-1]
        rows.append(
            ("mined", f"BTC mined per day, {len(report.daily_mined)} d (last {last_day}: {amount_text(last)})", "")
        )
    else:
        rows.append(("mined", "BTC mined per day: none in the register", "-stale"))
    return rows
