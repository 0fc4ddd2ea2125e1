"""The register as one report month sees it: what every account held when the month opened
and when it closed, the month's few entries that the report lists one by one (transfers,
conversions, purchases), its inflows summed by the register, and, only for --detail, every
entry of the month (the traces list them).

A month holds tens of thousands of earnings. Without --detail no figure needs them one by
one: the register sums them per pool, asset and day (Register.period_credits), so the report
costs what the month's groups cost, not what its entries do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from desk.money import Amount
from desk.register import Entry, PageFilter, Register

if TYPE_CHECKING:
    from desk.register.period import Credits

#: The kinds the report lists entry by entry; few in any month.
LISTED = ("conversion", "purchase", "transfer")
#: Where an inflow is credited from, and where what it brought lands (desk.report.sections.inflows).
CREDITED, INTO = "income:", "assets:"


@dataclass(frozen=True, slots=True)
class MonthLedger:
    start: datetime
    end: datetime
    #: the month's entries of the LISTED kinds, oldest first (by time, then seq)
    listed: tuple[Entry, ...]
    opening: dict[tuple[str, str], Amount]
    closing: dict[tuple[str, str], Amount]
    #: the month's inflows other than purchases, summed per credited account, asset and day
    #: (without every entry)
    credits: Credits | None = None
    #: every entry of the month, oldest first: read only when the report's traces list them
    entries: tuple[Entry, ...] | None = None

    def of_kind(self, *kinds: str) -> list[Entry]:
        """The month's entries of `kinds` (among LISTED), oldest first."""
        unlisted = set(kinds) - set(LISTED)
        if unlisted:
            raise ValueError(f"the month ledger lists only {', '.join(LISTED)}, not {', '.join(sorted(unlisted))}")
        return [e for e in self.listed if e.kind in kinds]


async def month_entries(register: Register, start: datetime, end: datetime, kind: str | None = None) -> list[Entry]:
    """Every entry in [start, end) (of `kind`, when given), oldest first (by time, then seq)."""
    return [entry async for entry in register.walk(PageFilter(kind=kind, since=start, until=end))]


async def load(register: Register, start: datetime, end: datetime, *, every_entry: bool = False) -> MonthLedger:
    """The month's ledger: with `every_entry`, every entry of the month, else the register's
    sums of its inflows."""
    listed = [e for kind in LISTED for e in await month_entries(register, start, end, kind)]
    credits = entries = None
    if every_entry:
        entries = tuple(await month_entries(register, start, end))
    else:
        credits = await register.period_credits(start, end, credited=CREDITED, into=INTO, besides=("purchase",))
    return MonthLedger(
        start=start,
        end=end,
        listed=tuple(sorted(listed, key=lambda e: (e.ts, e.seq))),
        opening=await register.balances(at=start),
        closing=await register.balances(at=end),
        credits=credits,
        entries=entries,
    )
