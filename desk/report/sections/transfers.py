"""Transfers into the reserve made in the month, each with its maker and checker."""

from __future__ import annotations

from collections import defaultdict

from desk.money import Amount
from desk.register import Entry
from desk.register.accounts import is_reserve
from desk.report.context import Context, source_of, trace
from desk.report.fmt import amount as fmt_amount
from desk.report.fmt import day
from desk.report.model import Row, Section, Source

TITLE = "Transfers into the reserve"
COLUMNS = ("entry", "date", "from", "to", "amount", "drafted by", "approved by")


def into_reserve(entry: Entry) -> list[tuple[str, str, Amount]]:
    """(from, to, amount) of each reserve credit of a transfer; `from` is the account the
    same asset left."""
    out = []
    for posting in entry.postings:
        if is_reserve(posting.account) and posting.amount.units > 0:
            origin = next((p.account for p in entry.postings if p.asset == posting.asset and p.amount.units < 0), "?")
            if not is_reserve(origin):
                out.append((origin, posting.account, posting.amount))
    return out


async def section(ctx: Context) -> Section:
    rows = []
    totals: dict[str, list[Source]] = defaultdict(list)
    for entry in ctx.ledger.of_kind("transfer"):
        for origin, target, amount in into_reserve(entry):
            src = source_of(entry, amount)
            totals[amount.asset.code].append(src)
            rows.append(
                Row(
                    (
                        f"#{entry.seq}",
                        day(entry.ts),
                        origin,
                        target,
                        fmt_amount(amount),
                        entry.drafted_by or "-",
                        entry.approved_by or "-",
                    ),
                    (trace("amount", [src], Amount.zero(amount.asset)),),
                )
            )
    if not rows:
        return Section("transfers", TITLE, COLUMNS, unavailable="no transfer into the reserve in this month")
    for _code, sources in sorted(totals.items()):
        t = trace("total", sources, Amount.zero(sources[0].amount.asset))
        rows.append(Row(("total", "", "", "", fmt_amount(t.figure), "", ""), (t,)))
    return Section(
        "transfers", TITLE, COLUMNS, tuple(rows), ("Every transfer was posted only on a second operator's approval.",)
    )
