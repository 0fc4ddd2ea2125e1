"""The digital-mining fee due for the quarter holding the month, from desk.compliance: the
kWh records (each an entry of the chained actions log), the rate each is charged at, the fee
and its due date."""

from __future__ import annotations

from desk.compliance import FeeError, fee_statement
from desk.report.context import Context
from desk.report.fmt import money
from desk.report.model import Row, Section

TITLE = "Digital-mining fee due"
COLUMNS = ("record", "period", "kWh", "energy", "rate (KZT/kWh)", "fee")


async def section(ctx: Context) -> Section:
    try:
        statement = await fee_statement(ctx.register, ctx.settings, str(ctx.month), now=ctx.end)
    except FeeError as exc:
        return Section("fee", TITLE, COLUMNS, unavailable=f"desk.compliance could not compute the fee: {exc}")
    quarter = statement.quarter.label
    if not statement.lines:
        return Section("fee", TITLE, COLUMNS, unavailable=f"no kWh recorded for {quarter} (`desk fee record`)")
    rows = [
        Row(
            (
                f"action #{line.action_seq}",
                line.period,
                format(line.kwh, ","),
                ", ".join(line.energy),
                str(line.rate),
                money(line.fee, "KZT"),
            )
        )
        for line in statement.lines
    ]
    rows.append(Row((f"total {quarter}", "", format(statement.kwh, ","), "", "", money(statement.fee, "KZT"))))
    state = "overdue" if statement.overdue else f"{statement.days_to_due} days to go"
    notes = [f"Due {statement.due.isoformat()} (the 20th of the month after the quarter): {state}."]
    if statement.verify:
        notes.append("The rate table is marked: verify against the current law.")
    return Section("fee", TITLE, COLUMNS, tuple(rows), tuple(notes))
