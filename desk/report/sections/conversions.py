"""Conversions, sales and purchases of the month: what was given up, what was received, at
what price (written with its units: a conversion's price is what was received per unit given
up, a purchase's what was paid per unit bought; both read "96,000 USDT per BTC")."""

from __future__ import annotations

from desk.money import Amount
from desk.register import Entry
from desk.report.context import Context, source_of, trace
from desk.report.fmt import amount as fmt_amount
from desk.report.fmt import day
from desk.report.model import Row, Section

TITLE = "Conversions, sales and purchases"
COLUMNS = ("entry", "date", "kind", "account", "gave", "received", "price", "drafted by", "approved by")


def legs(entry: Entry) -> tuple[Amount, Amount, str] | None:
    """(given up as a positive amount, received, account) of a conversion."""
    gave = next((p for p in entry.postings if p.amount.units < 0), None)
    got = next((p for p in entry.postings if p.amount.units > 0), None)
    if gave is None or got is None:
        return None
    return -gave.amount, got.amount, gave.account


def price_text(entry: Entry, gave: Amount, got: Amount) -> str:
    if entry.price is None:
        return "-"
    per = (got.asset.code, gave.asset.code) if entry.kind == "conversion" else (gave.asset.code, got.asset.code)
    return f"{entry.price:,} {per[0]} per {per[1]}"


def sales(ctx: Context, asset: str) -> list[tuple[Entry, Amount]]:
    """Each conversion of the month that gave up `asset`, with the amount given up."""
    found = []
    for entry in ctx.ledger.of_kind("conversion"):
        parts = legs(entry)
        if parts is not None and parts[0].asset.code == asset:
            found.append((entry, parts[0]))
    return found


async def section(ctx: Context) -> Section:
    rows = []
    for entry in ctx.ledger.of_kind("conversion", "purchase"):
        parts = legs(entry)
        if parts is None:
            continue
        gave, got, account = parts
        rows.append(
            Row(
                (
                    f"#{entry.seq}",
                    day(entry.ts),
                    entry.kind,
                    account,
                    fmt_amount(gave),
                    fmt_amount(got),
                    price_text(entry, gave, got),
                    entry.drafted_by or "-",
                    entry.approved_by or "-",
                ),
                (
                    trace("gave", [source_of(entry, gave)], Amount.zero(gave.asset)),
                    trace("received", [source_of(entry, got)], Amount.zero(got.asset)),
                ),
            )
        )
    if not rows:
        return Section("conversions", TITLE, COLUMNS, unavailable="no conversion, sale or purchase in this month")
    notes = ("A purchase also appears among the inflows (purchased), valued at receipt.",)
    return Section("conversions", TITLE, COLUMNS, tuple(rows), notes)
