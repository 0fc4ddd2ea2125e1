"""The register as one report month sees it: the month's entries in order, and what every
account held when the month opened and when it closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from desk.money import Amount
from desk.register import Entry, PageFilter, Register


@dataclass(frozen=True, slots=True)
class MonthLedger:
    start: datetime
    end: datetime
    #: the month's posted entries, oldest first (by time, then seq)
    entries: tuple[Entry, ...]
    opening: dict[tuple[str, str], Amount]
    closing: dict[tuple[str, str], Amount]

    def of_kind(self, *kinds: str) -> list[Entry]:
        return [e for e in self.entries if e.kind in kinds]


async def month_entries(register: Register, start: datetime, end: datetime) -> list[Entry]:
    """Every entry in [start, end), oldest first (by time, then seq)."""
    return [entry async for entry in register.walk(PageFilter(since=start, until=end))]


async def load(register: Register, start: datetime, end: datetime) -> MonthLedger:
    return MonthLedger(
        start=start,
        end=end,
        entries=tuple(await month_entries(register, start, end)),
        opening=await register.balances(at=start),
        closing=await register.balances(at=end),
    )
