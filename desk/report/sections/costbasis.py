"""Cost basis and unrealised gain of the reserve at month end, from desk.valuation's FIFO
lots: per asset, what the held lots cost and what they are worth now. The lots held are the
trace: their amounts sum to the holding."""

from __future__ import annotations

from decimal import Decimal

from desk.money import Amount
from desk.report.context import Context, trace
from desk.report.fmt import amount as fmt_amount
from desk.report.fmt import money
from desk.report.model import Row, Section, Source
from desk.report.sections.reserve import at_end, dollars

TITLE = "Cost basis and unrealised gain (FIFO lots)"
COLUMNS = (
    "asset",
    "held",
    "cost (USD/USDT)",
    "cost (KZT)",
    "unrealised (USD/USDT)",
    "unrealised (KZT)",
    "of unknown cost",
)


def _cell(value: Decimal | None, currency: str) -> str:
    return "unknown" if value is None else money(value, currency)


async def section(ctx: Context) -> Section:
    report = await at_end(ctx)
    if not report.assets:
        return Section("costbasis", TITLE, COLUMNS, unavailable="the reserve held nothing at the end of the month")
    assets = ctx.register.assets()
    rows = []
    for figures in report.assets:
        traces = ()
        if ctx.detail:  # one source per lot held: as many as the reserve's history, not the month's
            sources = [
                Source(
                    lot.entry_seq,
                    lot.acquired.date(),
                    f"lot ({lot.source})",
                    Amount.from_units(assets[lot.asset], lot.units),
                )
                for lot in report.lots
                if lot.asset == figures.asset
            ]
            traces = (trace("lots held", sources, Amount.zero(figures.amount.asset)),)
        rows.append(
            Row(
                (
                    figures.asset,
                    fmt_amount(figures.amount),
                    _cell(figures.cost_usd, dollars(report, figures.asset)),
                    _cell(figures.cost_kzt, "KZT"),
                    _cell(figures.unrealised_usd, dollars(report, figures.asset)),
                    _cell(figures.unrealised_kzt, "KZT"),
                    fmt_amount(figures.unknown_cost) if figures.unknown_cost else "-",
                ),
                traces,
            )
        )
    rows.append(
        Row(
            (
                "total",
                "",
                money(report.cost_usd, dollars(report)),
                money(report.cost_kzt, "KZT"),
                money(report.unrealised_usd, dollars(report)),
                money(report.unrealised_kzt, "KZT"),
                "",
            )
        )
    )
    notes = (
        "Cost of a lot: its value at receipt (frozen valuation) or its purchase price; lots leave first in, "
        "first out. Totals cover the lots of known cost only.",
    )
    return Section("costbasis", TITLE, COLUMNS, tuple(rows), notes)
