"""The reserve at the end of the month: what each reserve account holds, its value in USD
and KZT (desk.valuation's rules, at the report's end), each holding's weight, and the
reserve's value at the end of every day for the chart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from desk.money import Amount
from desk.register.accounts import is_reserve
from desk.report.context import Context, source_of, trace
from desk.report.fmt import amount as fmt_amount
from desk.report.fmt import money, percent
from desk.report.model import Chart, Row, Section, Source
from desk.report.values import Value, now_value

TITLE = "Reserve composition and value at month end"
COLUMNS = ("account", "custody", "asset", "balance", "value (USD)", "value (KZT)", "weight")


def movements(ctx: Context, account: str, asset: str) -> list[Source]:
    """What the account held before the month, then each of the month's postings to it."""
    opening = ctx.ledger.opening.get((account, asset))
    sources = []
    if opening is not None:
        sources.append(Source(None, (ctx.ledger.start - timedelta(days=1)).date(), "balance", opening))
    for entry in ctx.ledger.entries:
        for posting in entry.postings:
            if posting.account == account and posting.asset.code == asset:
                sources.append(source_of(entry, posting.amount))
    return sources


def custody(ctx: Context, account: str) -> str:
    kinds = sorted({a.custody for a in ctx.settings.addresses if a.account == account})
    return ", ".join(kinds) or "-"


def _cell(value: Value, currency: str) -> str:
    if value.missing:
        return "price missing"
    figure = value.usd if currency == "USD" else value.kzt
    label = value.usd_currency if currency == "USD" else "KZT"
    return money(figure or Decimal(0), label) + (" (stale price)" if value.stale else "")


async def section(ctx: Context) -> Section:
    holdings = {k: v for k, v in ctx.ledger.closing.items() if is_reserve(k[0]) and v.units}
    if not holdings:
        return Section("reserve", TITLE, COLUMNS, unavailable="the reserve held nothing at the end of the month")
    values = {k: await now_value(ctx.register, amount, ctx.end, ctx.policy) for k, amount in holdings.items()}
    priced = [v for v in values.values() if not v.missing]
    total_usd = sum((v.usd or Decimal(0) for v in priced), Decimal(0))
    total_kzt = sum((v.kzt or Decimal(0) for v in priced), Decimal(0))
    rows = []
    for (account, code), amount in sorted(holdings.items()):
        value = values[(account, code)]
        weight = "n/a" if value.missing else percent(value.usd or Decimal(0), total_usd)
        t = trace("balance", movements(ctx, account, code), Amount.zero(amount.asset))
        rows.append(
            Row(
                (
                    account,
                    custody(ctx, account),
                    code,
                    fmt_amount(amount),
                    _cell(value, "USD"),
                    _cell(value, "KZT"),
                    weight,
                ),
                (t,),
            )
        )
    missing = len(values) - len(priced)
    total_note = f" (without {missing} unpriced holding(s))" if missing else ""
    rows.append(
        Row(
            (
                "total" + total_note,
                "",
                "",
                "",
                money(total_usd, "USD"),
                money(total_kzt, "KZT"),
                "100.00 %" if priced else "n/a",
            )
        )
    )
    notes = (
        f"Valued at {ctx.end.isoformat()}: USD via a USD market (USDT labelled), KZT at the National Bank's "
        "official USD/KZT rate of that business date.",
    )
    return Section("reserve", TITLE, COLUMNS, tuple(rows), notes)


async def value_series(ctx: Context) -> Chart:
    """The reserve's USD value at the end of each day of the month (days with a missing
    price are left out and counted in the chart's note)."""
    points = []
    gaps = 0
    for d in ctx.days():
        at = min(datetime.combine(d + timedelta(days=1), datetime.min.time(), tzinfo=UTC), ctx.end)
        balances = await ctx.register.balances(at=at)
        total = Decimal(0)
        complete = True
        for (account, _code), amount in balances.items():
            if not is_reserve(account):
                continue
            value = await now_value(ctx.register, amount, at, ctx.policy)
            if value.missing:
                complete = False
                break
            total += value.usd or Decimal(0)
        if complete:
            points.append((d.isoformat(), total.quantize(Decimal("0.01"))))
        else:
            gaps += 1
    note = f"{gaps} day(s) without a price are left out" if gaps else None
    return Chart("reserve_value", "Reserve value at day end", "USD", "line", tuple(points), note)
