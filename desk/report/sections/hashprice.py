"""Hashprice realised in the month, from desk.mining.hashprice: what the pools credited per
PH/s per day over the month's days (the fleet's hashrate from the pools' own figures, else
`[mining] hashrate_ph`), beside the network's expected hashprice at month end and their ratio.

The report reads no network: the expected figure needs `[mining] difficulty` and
`fees_per_block_btc` in the configuration (`desk hashprice` asks Esplora for them)."""

from __future__ import annotations

from decimal import Decimal

from desk.mining.hashprice import HashpriceUnavailable, hashprice_report
from desk.report.context import Context
from desk.report.fmt import amount as fmt_amount
from desk.report.fmt import money
from desk.report.model import Row, Section
from desk.report.sections.inflows import mined
from desk.report.values import now_value

TITLE = "Hashprice realised"
COLUMNS = ("measure", "BTC per PH/s per day", "USD per PH/s per day", "KZT per PH/s per day", "basis")


def _money(value: Decimal | None, currency: str) -> str:
    return "price missing" if value is None else money(value, currency)


async def section(ctx: Context) -> Section:
    try:
        report = await hashprice_report(ctx.settings, ctx.register, None, ctx.end, days=len(ctx.days()))
    except HashpriceUnavailable as exc:
        return Section("hashprice", TITLE, COLUMNS, unavailable=str(exc))
    if report.realised is None:
        return Section("hashprice", TITLE, COLUMNS, unavailable=report.realised_note or "no realised figure")
    total = mined(ctx, report.realised.asset.code, "mined in the month")
    realised_value = await now_value(ctx.register, report.realised, ctx.end, ctx.policy)
    priced = {p.currency: p for p in report.priced}
    usd, kzt = priced.get("USD") or priced.get("USDT"), priced.get("KZT")
    rows = [
        Row(
            (
                "realised",
                fmt_amount(report.realised),
                _money(realised_value.usd, realised_value.usd_currency),
                _money(realised_value.kzt, "KZT"),
                f"{fmt_amount(total.figure)} mined over {report.realised_days} days at {report.hashrate_ph} PH/s "
                f"({report.hashrate_source})",
            ),
            (total,),
        ),
        Row(
            (
                "expected (network)",
                fmt_amount(report.expected),
                _money(usd.value if usd else None, "USD"),
                _money(kzt.value if kzt else None, "KZT"),
                f"difficulty {report.difficulty.value} ({report.difficulty.source}); fees "
                f"{report.fees_per_block.value} BTC/block ({report.fees_per_block.source}); subsidy {report.subsidy}",
            )
        ),
        Row(
            (
                "realisation",
                "",
                "",
                "",
                "n/a"
                if report.realisation is None
                else format((report.realisation * 100).quantize(Decimal("0.01")), ".2f") + " % of expected",
            )
        ),
    ]
    notes = (
        f"Values at {ctx.end.isoformat()}. The realised figure divides what the pools credited by the "
        "fleet's hashrate (the pools' own figures, else the configured one); their ratio to the expected figure "
        "shows luck, pool fees, downtime and stale "
        "shares (desk.mining.hashprice).",
    )
    return Section("hashprice", TITLE, COLUMNS, tuple(rows), notes)
