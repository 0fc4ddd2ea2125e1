"""Inflows of the month per source (mined per pool, seized per case, purchased per exchange),
with their value at receipt, and the daily mined series for the chart."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from desk.money import Amount
from desk.register import Entry
from desk.report.context import Context, source_of, trace
from desk.report.fmt import amount as fmt_amount
from desk.report.fmt import exact, money
from desk.report.model import Chart, Row, Section, Source
from desk.report.values import Value, at_receipt

TITLE = "Inflows per pool and source (value at receipt)"
COLUMNS = ("source", "name", "asset", "entries", "amount", "value at receipt (USD)", "value at receipt (KZT)")


def origin(entry: Entry) -> tuple[str, str] | None:
    """(source, name) of an inflow entry, or None when the entry is not an inflow."""
    if entry.kind == "purchase":
        return "purchased", (entry.details or {}).get("exchange", "?")
    for posting in entry.postings:
        parts = posting.account.split(":")
        if posting.amount.units < 0 and posting.account.startswith("income:"):
            label = {"mining": "mined", "seized": "seized"}.get(parts[1], parts[1])
            return label, parts[2] if len(parts) > 2 else parts[1]
    return None


def received(entry: Entry) -> list[Amount]:
    """What an inflow puts into the fund's asset accounts, per asset."""
    per: dict[str, Amount] = {}
    for posting in entry.postings:
        if posting.account.startswith("assets:") and posting.amount.units > 0:
            code = posting.asset.code
            per[code] = per[code] + posting.amount if code in per else posting.amount
    return [per[c] for c in sorted(per)]


def value_cell(values: list[Value], currency: str) -> str:
    """The sum of the values in one currency, or a plain statement of what is missing."""
    missing = [v for v in values if v.missing]
    if missing:
        return f"price missing for {len(missing)} of {len(values)} entries"
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for v in values:
        if currency == "USD":
            totals[v.usd_currency] += v.usd or Decimal(0)
        else:
            totals["KZT"] += v.kzt or Decimal(0)
    text = " + ".join(money(totals[c], c) for c in sorted(totals))
    if any(v.stale for v in values):
        text += " (stale price)"
    return text


def receipt_note(value: Value) -> str:
    """One entry's exact value at receipt, as --detail shows it beside the entry."""
    if value.missing:
        return "price missing"
    how = "frozen" if value.frozen else "computed"
    stale = ", stale price" if value.stale else ""
    return f"at receipt {exact(value.usd)} {value.usd_currency}, {exact(value.kzt)} KZT, {how}{stale}"


def month_inflows(ctx: Context) -> list[tuple[Entry, tuple[str, str], list[Amount]]]:
    """Each inflow of the month with its (source, name) and what it received, classified once
    for every section that needs them."""
    if "inflows" not in ctx.shared:
        found = []
        for entry in ctx.ledger.entries:
            where = origin(entry)
            if where is not None:
                found.append((entry, where, received(entry)))
        ctx.shared["inflows"] = found
    return ctx.shared["inflows"]


def mined(ctx: Context, code: str) -> list[Source]:
    """What the month's earnings brought in `code`, as sources (made once per asset: the
    ratio, the compliance table and the chart all show them)."""
    key = f"mined {code}"
    if key not in ctx.shared:
        ctx.shared[key] = [
            source_of(entry, amount)
            for entry, where, amounts in month_inflows(ctx)
            if where[0] == "mined"
            for amount in amounts
            if amount.asset.code == code
        ]
    return ctx.shared[key]


async def section(ctx: Context) -> Section:
    groups: dict[tuple[str, str, str], list[Source]] = defaultdict(list)
    items: list[tuple[int, datetime, Amount]] = []
    for entry, where, amounts in month_inflows(ctx):
        for amount in amounts:
            groups[(*where, amount.asset.code)].append(source_of(entry, amount))
            items.append((entry.seq, entry.ts, amount))
    if not groups:
        return Section("inflows", TITLE, COLUMNS, unavailable="no inflows recorded in this month")
    values = await at_receipt(ctx.register, items, ctx.policy)
    rows = []
    unfrozen = 0
    for (label, name, code), sources in sorted(groups.items()):
        vals = [values[(s.seq, code)] for s in sources if s.seq is not None]
        unfrozen += sum(1 for v in vals if not v.frozen)
        if ctx.detail:  # each entry's exact value at receipt, beside it in the detail
            sources = [replace(s, note=receipt_note(values[(s.seq, code)])) for s in sources if s.seq is not None]
        t = trace("amount", sources, Amount.zero(sources[0].amount.asset))
        rows.append(
            Row(
                (
                    label,
                    name,
                    code,
                    str(len(sources)),
                    fmt_amount(t.figure),
                    value_cell(vals, "USD"),
                    value_cell(vals, "KZT"),
                ),
                (t,),
            )
        )
    notes = ["Each inflow is valued at the price in force when it arrived (desk.valuation)."]
    missing = sorted((seq, v.missing) for (seq, _code), v in values.items() if v.missing)
    if missing:
        seq, why = missing[0]
        notes.append(
            f"{len(missing)} inflow(s) have no price at receipt and are not valued, never zero; "
            f"the first, #{seq}: {why}"
        )
    if unfrozen:
        notes.append(
            f"{unfrozen} inflow(s) have no frozen valuation (the valuation pass freezes earnings and seizures; "
            "purchases, and inflows it has not reached yet, are valued here by the same rule at their own time)."
        )
    return Section("inflows", TITLE, COLUMNS, tuple(rows), tuple(notes))


def daily_mined(ctx: Context) -> Chart:
    """Mined BTC per day of the month, all pools together."""
    per_day = {d.isoformat(): 0 for d in ctx.days()}
    for source in mined(ctx, "BTC"):
        key = source.day.isoformat()
        per_day[key] = per_day.get(key, 0) + source.amount.units
    btc = ctx.register.asset("BTC") if any(per_day.values()) else None
    points = [
        (day, Amount.from_units(btc, units).value if btc and units else Decimal(0)) for day, units in per_day.items()
    ]
    return Chart("daily_inflows", "Mined per day", "BTC", "bars", tuple(sorted(points)))
