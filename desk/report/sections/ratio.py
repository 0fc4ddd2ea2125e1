"""The liquidation-to-production ratio: what was sold in the month over what was mined."""

from __future__ import annotations

from desk.money import Amount
from desk.report.context import Context, source_of, trace
from desk.report.fmt import amount as fmt_amount
from desk.report.fmt import percent
from desk.report.model import Row, Section
from desk.report.sections.conversions import sales
from desk.report.sections.inflows import mined, mined_codes

TITLE = "Liquidation-to-production ratio"
COLUMNS = ("asset", "mined", "sold", "sold ÷ mined")


async def section(ctx: Context) -> Section:
    codes = mined_codes(ctx)
    if not codes:
        return Section("ratio", TITLE, COLUMNS, unavailable="nothing was mined in this month")
    rows = []
    for code in codes:
        made = mined(ctx, code, "mined")
        sold = trace("sold", [source_of(e, a) for e, a in sales(ctx, code)], Amount.zero(made.figure.asset))
        rows.append(
            Row(
                (code, fmt_amount(made.figure), fmt_amount(sold.figure), percent(sold.figure.value, made.figure.value)),
                (made, sold),
            )
        )
    notes = (
        "Sold: every conversion in the month that gave the asset up, on any venue "
        "(the sell-through table separates eligible venues from the others).",
    )
    return Section("ratio", TITLE, COLUMNS, tuple(rows), notes)
