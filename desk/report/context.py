"""What every section of a report reads from: the register, the settings, the month."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from desk.config import DeskSettings
from desk.money import Amount, AssetMismatch
from desk.register import Entry, Register
from desk.report.ledger import MonthLedger
from desk.report.model import Source, Trace
from desk.report.period import Month
from desk.valuation.prices import PricePolicy


@dataclass(frozen=True, slots=True)
class Context:
    register: Register
    settings: DeskSettings
    month: Month
    #: the first instant the report does not cover (month end, or an earlier --as-of)
    end: datetime
    as_of: datetime | None
    #: whether the traces that only --detail prints are gathered where they cost more than the month
    detail: bool
    ledger: MonthLedger
    policy: PricePolicy
    #: figures more than one section shows, computed once (e.g. the reserve at month end)
    shared: dict[str, Any] = field(default_factory=dict)

    def days(self) -> list[date]:
        """The month's days that begin before the report's end."""
        return [d for d in self.month.days() if datetime.combine(d, datetime.min.time(), tzinfo=UTC) < self.end]


def source_of(entry: Entry, amount: Amount) -> Source:
    return Source(entry.seq, entry.ts.date(), entry.kind, amount)


def trace(label: str, sources: Iterable[Source], zero: Amount) -> Trace:
    """A figure as the exact sum of its sources (`zero` fixes the asset when there are none)."""
    items = tuple(sources)
    asset = zero.asset
    other = next((i.amount.asset for i in items if i.amount.asset is not asset and i.amount.asset != asset), None)
    if other is not None:
        raise AssetMismatch(f"cannot combine {zero.asset.code} with {other.code}")
    return Trace(label, Amount.from_units(zero.asset, sum(item.amount.units for item in items)), items)
