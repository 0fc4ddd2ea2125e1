"""Inflows of the month per source (mined per pool, seized per case, purchased per exchange),
with their value at receipt, and the daily mined series for the chart.

Without --detail the figures come from the register's sums (MonthLedger.credits) and the
month's purchases; with it, from every entry of the month, each listed under its figure with
its value at receipt. Both give the same figures (tests/report, tests/scale)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from desk.money import Amount, Asset
from desk.register import Entry
from desk.report.context import Context, source_of, trace
from desk.report.fmt import amount as fmt_amount
from desk.report.fmt import exact
from desk.report.model import Chart, Row, Section, Source, Trace
from desk.report.values import Tally, Value, at_receipt, value_cell

TITLE = "Inflows per pool and source (value at receipt)"
COLUMNS = ("source", "name", "asset", "entries", "amount", "value at receipt (USD/USDT)", "value at receipt (KZT)")

Where = tuple[str, str]


def where_credited(account: str) -> Where:
    """(source, name) of an inflow credited from income `account`: income:mining:<pool> is
    mined at that pool, income:seized:<case> seized in that case."""
    parts = account.split(":")
    label = {"mining": "mined", "seized": "seized"}.get(parts[1], parts[1])
    return label, parts[2] if len(parts) > 2 else parts[1]


def origin(entry: Entry) -> Where | None:
    """(source, name) of an inflow entry, or None when the entry is not an inflow."""
    if entry.kind == "purchase":
        return "purchased", (entry.details or {}).get("exchange", "?")
    for posting in entry.postings:
        if posting.amount.units < 0 and posting.account.startswith("income:"):
            return where_credited(posting.account)
    return None


def received(entry: Entry) -> list[Amount]:
    """What an inflow puts into the fund's asset accounts, per asset."""
    per: dict[str, Amount] = {}
    for posting in entry.postings:
        if posting.account.startswith("assets:") and posting.amount.units > 0:
            code = posting.asset.code
            per[code] = per[code] + posting.amount if code in per else posting.amount
    return [per[c] for c in sorted(per)]


def receipt_note(value: Value) -> str:
    """One entry's exact value at receipt, as --detail shows it beside the entry."""
    if value.missing:
        return "price missing"
    how = "frozen" if value.frozen else "computed"
    stale = ", stale price" if value.stale else ""
    return f"at receipt {exact(value.usd)} {value.usd_currency}, {exact(value.kzt)} KZT, {how}{stale}"


@dataclass(slots=True)
class Group:
    """The month's inflows of one source and name in one asset: how many entries, how much
    in all and per day, and (with --detail) each entry as a source of the figure."""

    where: Where
    asset: Asset
    entries: int = 0
    units: int = 0
    per_day: dict[date, int] = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)

    def add(self, day: date, entries: int, units: int) -> None:
        self.entries += entries
        self.units += units
        self.per_day[day] = self.per_day.get(day, 0) + units


def _purchases(ctx: Context) -> list[tuple[Entry, Where, list[Amount]]]:
    return [(e, where, received(e)) for e in ctx.ledger.of_kind("purchase") if (where := origin(e)) is not None]


def _every_inflow(ctx: Context) -> list[tuple[Entry, Where, list[Amount]]]:
    """With --detail: each inflow entry of the month, its (source, name) and what it received."""
    if "every inflow" not in ctx.shared:
        ctx.shared["every inflow"] = [
            (e, where, received(e)) for e in ctx.ledger.entries or () if (where := origin(e)) is not None
        ]
    return ctx.shared["every inflow"]


def groups(ctx: Context) -> dict[tuple[str, str, str], Group]:
    """The month's inflows per (source, name, asset), made once for every section: from every
    entry with --detail, else from the register's sums and the month's purchases."""
    if "inflows" in ctx.shared:
        return ctx.shared["inflows"]
    found: dict[tuple[str, str, str], Group] = {}

    def group(where: Where, asset: Asset) -> Group:
        return found.setdefault((*where, asset.code), Group(where, asset))

    if ctx.detail:
        for entry, where, amounts in _every_inflow(ctx):
            for amount in amounts:
                g = group(where, amount.asset)
                g.add(entry.ts.date(), 1, amount.units)
                g.sources.append(source_of(entry, amount))
    else:
        assets = ctx.register.assets()
        credits = ctx.ledger.credits
        assert credits is not None  # the ledger sums the inflows when it does not read every entry
        for day in credits.days:
            group(where_credited(day.account), assets[day.asset]).add(day.day, day.entries, day.received.units)
        for entry, where, amounts in _purchases(ctx):
            for amount in amounts:
                group(where, amount.asset).add(entry.ts.date(), 1, amount.units)
    ctx.shared["inflows"] = dict(sorted(found.items()))
    return ctx.shared["inflows"]


def mined(ctx: Context, code: str, label: str) -> Trace:
    """What the month's earnings brought in `code` (the ratio, the compliance table and the
    hashprice show it) as a figure named `label`: with --detail, the sum of those entries."""
    zero = Amount.zero(ctx.register.asset(code))
    if ctx.detail:
        sources = [
            source_of(entry, amount)
            for entry, where, amounts in _every_inflow(ctx)
            if where[0] == "mined"
            for amount in amounts
            if amount.asset.code == code
        ]
        return trace(label, sources, zero)
    units = sum(g.units for (source, _, asset), g in groups(ctx).items() if source == "mined" and asset == code)
    return Trace(label, Amount.from_units(zero.asset, units), ())


def mined_codes(ctx: Context) -> list[str]:
    """The assets mined in the month."""
    return sorted({code for (source, _, code) in groups(ctx) if source == "mined"})


async def tallies(ctx: Context) -> tuple[dict[tuple[str, str, str], Tally], dict[tuple[int, str], Value]]:
    """Per group, its values at receipt added up; and, with --detail, each entry's value
    (noted beside it). Frozen values summed by the register count as they are; the rest
    are valued here one by one (desk.report.values.at_receipt)."""
    found = groups(ctx)
    tallied = {key: Tally() for key in found}
    if ctx.detail:
        inflows = [(e.seq, e.ts, a, where) for e, where, amounts in _every_inflow(ctx) for a in amounts]
        values = await at_receipt(ctx.register, [(seq, ts, a) for seq, ts, a, _ in inflows], ctx.policy)
        for seq, _, amount, where in inflows:
            tallied[(*where, amount.asset.code)].add(seq, values[(seq, amount.asset.code)])
        return tallied, values
    credits = ctx.ledger.credits
    assert credits is not None  # the ledger sums the inflows when it does not read every entry
    for summed in credits.sums:
        tallied[(*where_credited(summed.account), summed.asset)].add_sum(summed)
    singles = [(r.seq, r.ts, r.amount, where_credited(r.account)) for r in credits.others]
    singles += [(e.seq, e.ts, a, where) for e, where, amounts in _purchases(ctx) for a in amounts]
    values = await at_receipt(ctx.register, [(seq, ts, a) for seq, ts, a, _ in singles], ctx.policy)
    for seq, _, amount, where in singles:
        tallied[(*where, amount.asset.code)].add(seq, values[(seq, amount.asset.code)])
    return tallied, {}


async def section(ctx: Context) -> Section:
    found = groups(ctx)
    if not found:
        return Section("inflows", TITLE, COLUMNS, unavailable="no inflows recorded in this month")
    tallied, values = await tallies(ctx)
    rows = []
    for key, g in found.items():
        sources = g.sources
        if ctx.detail:  # each entry's exact value at receipt, beside it in the detail
            sources = [replace(s, note=receipt_note(values[(s.seq, key[2])])) for s in sources if s.seq is not None]
            figure = trace("amount", sources, Amount.zero(g.asset))
        else:
            figure = Trace("amount", Amount.from_units(g.asset, g.units), ())
        t = tallied[key]
        rows.append(
            Row(
                (*key, str(g.entries), fmt_amount(figure.figure), value_cell(t, "USD"), value_cell(t, "KZT")),
                (figure,),
            )
        )
    notes = ["Each inflow is valued at the price in force when it arrived (desk.valuation)."]
    missing = sum(t.missing for t in tallied.values())
    if missing:
        seq, why = min(t.first_missing for t in tallied.values() if t.first_missing is not None)
        notes.append(
            f"{missing} inflow(s) have no price at receipt and are not valued, never zero; the first, #{seq}: {why}"
        )
    unfrozen = sum(t.unfrozen for t in tallied.values())
    if unfrozen:
        notes.append(
            f"{unfrozen} inflow(s) have no frozen valuation (the valuation pass freezes earnings and seizures; "
            "purchases, and inflows it has not reached yet, are valued here by the same rule at their own time)."
        )
    return Section("inflows", TITLE, COLUMNS, tuple(rows), tuple(notes))


def daily_mined(ctx: Context) -> Chart:
    """Mined BTC per day of the month, all pools together."""
    per_day = {d.isoformat(): 0 for d in ctx.days()}
    for (source, _, code), g in groups(ctx).items():
        if source == "mined" and code == "BTC":
            for day, units in g.per_day.items():
                per_day[day.isoformat()] = per_day.get(day.isoformat(), 0) + units
    btc = ctx.register.asset("BTC") if any(per_day.values()) else None
    points = [
        (day, Amount.from_units(btc, units).value if btc and units else Decimal(0)) for day, units in per_day.items()
    ]
    return Chart("daily_inflows", "Mined per day", "BTC", "bars", tuple(sorted(points)))
