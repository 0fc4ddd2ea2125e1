"""Reporting periods: a month (`2026-11`), a quarter (`2026-Q4`) or a year (`2026`).

Periods are whole UTC days, like the register's daily balances: a period runs from its
first day at 00:00 UTC (inclusive) to the first day of the next one (exclusive).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

KINDS = ("month", "quarter", "year")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")
_YEAR = re.compile(r"(\d{4})")


class PeriodError(ValueError):
    """A period written in a way desk does not read."""


@dataclass(frozen=True, slots=True)
class Period:
    kind: str
    first: date
    #: the first day after the period
    after: date

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"{self.first.year}"
        if self.kind == "quarter":
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        return f"{self.first:%Y-%m}"

    @property
    def start(self) -> datetime:
        return datetime(self.first.year, self.first.month, self.first.day, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return datetime(self.after.year, self.after.month, self.after.day, tzinfo=UTC)

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.after.toordinal() - 1)

    def elapsed(self, now: datetime) -> Decimal:
        """The fraction of the period gone at `now`: 0 before it starts, 1 once it is over;
        exact (whole seconds over the period's length in seconds)."""
        if now <= self.start:
            return Decimal(0)
        if now >= self.end:
            return Decimal(1)
        gone = int((now - self.start).total_seconds())
        length = int((self.end - self.start).total_seconds())
        return Decimal(gone) / Decimal(length)

    def days_left(self, now: datetime) -> int:
        """Whole and part days until the period ends (0 once it has ended)."""
        if now >= self.end:
            return 0
        left = self.end - max(now, self.start)
        return left.days + (1 if left.seconds or left.microseconds else 0)

    def __str__(self) -> str:
        return self.label


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_of(kind: str, day: date) -> Period:
    """The period of `kind` holding `day`."""
    if kind == "year":
        return Period("year", date(day.year, 1, 1), date(day.year + 1, 1, 1))
    if kind == "quarter":
        first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period("quarter", first, _add_months(first, 3))
    if kind == "month":
        first = date(day.year, day.month, 1)
        return Period("month", first, _add_months(first, 1))
    raise PeriodError(f"period kind {kind!r} is not one of {', '.join(KINDS)}")


def parse_period(text: str) -> Period:
    """`2026-11`, `2026-Q4` or `2026`; anything else raises PeriodError saying so."""
    text = text.strip()
    try:
        if match := _MONTH.fullmatch(text):
            return period_of("month", date(int(match[1]), int(match[2]), 1))
        if match := _QUARTER.fullmatch(text):
            return period_of("quarter", date(int(match[1]), int(match[2]) * 3, 1))
        if _YEAR.fullmatch(text):
            return period_of("year", date(int(text), 1, 1))
    except ValueError:
        pass
    raise PeriodError(f"period {text!r} is not a month (2026-11), a quarter (2026-Q4) or a year (2026)")
