"""The reserve at the end of the month, from desk.valuation's reserve report: each asset's
holding, its value in USD and KZT and its weight; the composition by custody and by source;
the flags (missing, stale or inconsistent prices); and the value at the end of every day for
the chart."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from desk.money import Amount
from desk.register.accounts import is_reserve
from desk.report.context import Context, source_of, trace
from desk.report.fmt import amount as fmt_amount
from desk.report.fmt import money
from desk.report.model import Chart, Row, Section, Source, Trace
from desk.valuation.worth import ReserveReport, Slice, reserve_report, value_series

TITLE = "Reserve composition and value at month end"
#: dollars are USD, or USDT where an asset is priced on a USDT market (at par, and said so)
COLUMNS = ("by", "slice", "amount", "value (USD/USDT)", "value (KZT)", "weight")


async def at_end(ctx: Context) -> ReserveReport:
    """The reserve report at the report's end, computed once for every section using it."""
    if "reserve" not in ctx.shared:
        # the lots one by one only for --detail: the cost basis section traces its figures to them
        ctx.shared["reserve"] = await reserve_report(ctx.register, ctx.settings, ctx.end, list_lots=ctx.detail)
    return ctx.shared["reserve"]


def holding(ctx: Context, asset: str) -> Trace:
    """What the reserve accounts held of `asset` at the end of the month: with --detail, as
    the sum of what they held before it and each of the month's postings to them."""
    zero = Amount.zero(ctx.register.asset(asset))
    if ctx.detail:
        return trace("holding", movements(ctx, asset), zero)
    held = [amount for (account, code), amount in ctx.ledger.closing.items() if is_reserve(account) and code == asset]
    return Trace("holding", sum(held, zero), ())


def movements(ctx: Context, asset: str) -> list[Source]:
    """What the reserve accounts held of `asset` before the month, then each of the
    month's postings to them."""
    sources = []
    for (account, code), held in sorted(ctx.ledger.opening.items()):
        if is_reserve(account) and code == asset:
            sources.append(Source(None, (ctx.ledger.start - timedelta(days=1)).date(), "balance", held))
    for entry in ctx.ledger.entries or ():
        for posting in entry.postings:
            if is_reserve(posting.account) and posting.asset.code == asset:
                sources.append(source_of(entry, posting.amount))
    return sources


def weight(value: Decimal | None) -> str:
    if value is None:
        return "n/a"
    return format((value * 100).quantize(Decimal("0.01")), ".2f") + " %"


def _value(value: Decimal | None, currency: str) -> str:
    return "price missing" if value is None else money(value, currency)


def dollars(report: ReserveReport, asset: str | None = None) -> str:
    """What a dollar figure holds: USD, USDT (an asset priced on a USDT market), or both
    added up (`USD/USDT`) for a total over the reserve when any of it is USDT."""
    priced = {f.usd.currency for f in report.assets if f.usd is not None and asset in (None, f.asset)}
    return "/".join(sorted(priced)) or "USD"


def _slice_row(by: str, s: Slice, currency: str = "USD") -> Row:
    return Row(
        (
            by,
            s.label,
            fmt_amount(s.amount) if s.amount else "",
            _value(s.usd, currency),
            _value(s.kzt, "KZT"),
            weight(s.weight),
        )
    )


async def section(ctx: Context) -> Section:
    report = await at_end(ctx)
    if not report.assets:
        return Section("reserve", TITLE, COLUMNS, unavailable="the reserve held nothing at the end of the month")
    rows = []
    both = dollars(report)
    for s in report.by_asset:
        rows.append(Row(_slice_row("asset", s, dollars(report, s.label)).cells, (holding(ctx, s.label),)))
    rows += [_slice_row("custody", s, both) for s in report.by_custody]
    rows += [_slice_row("source", s, both) for s in report.by_source]
    rows.append(Row(("total", "", "", money(report.total_usd, both), money(report.total_kzt, "KZT"), "100.00 %")))
    notes = [
        f"Valued at {ctx.end.isoformat()} by desk.valuation: USD via a USD market (USDT labelled), KZT at the "
        f"National Bank's official USD/KZT rate of that business date; weights of the {report.weight_basis} value.",
        *(f"{flag.kind}: {flag.message}" for flag in report.flags),
    ]
    return Section("reserve", TITLE, COLUMNS, tuple(rows), tuple(notes))


async def value_chart(ctx: Context) -> Chart:
    """The reserve's USD value at the end of each day of the month (desk.valuation's
    series); a day with a missing price is drawn without that asset and counted in the note."""
    days = await value_series(ctx.register, ctx.settings, ctx.days())
    points = tuple((d.day.isoformat(), d.usd.quantize(Decimal("0.01"))) for d in days)
    gaps = [d for d in days if d.missing]
    note = (
        f"{len(gaps)} day(s) lack a price for {', '.join(sorted({c for d in gaps for c in d.missing}))}"
        if gaps
        else None
    )
    return Chart("reserve_value", "Reserve value at day end", "USD", "line", points, note)
