"""What reconciliation compares, as plain records: one pool's own records for the window
(`PoolSide`) and one register entry as it bears on a pool (`RegisterRow`).

Kept apart from `sources.py`, which reads them over HTTP: the monthly report and the
comparison need the shapes, not the feed clients (and not aiohttp's import time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from desk.feeds.records import Earning, Payout
from desk.money import BTC, Amount, Asset


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class PoolSide:
    """One pool's own records for the window, or why they could not be read."""

    name: str
    kind: str
    wallet: str
    earnings: tuple[Earning, ...] = ()
    payouts: tuple[Payout, ...] = ()
    error: str | None = None
    last_sync: datetime | None = None


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """A register entry as it bears on one pool: income it books (positive) and what it adds
    to or takes from the pool balance, in integer units of `asset`. A window of a busy
    register holds a hundred thousand rows: the Amounts are made only when asked for."""

    seq: int
    ts: datetime
    kind: str
    memo: str
    source: str | None
    external_id: str | None
    reference: str | None
    income_units: int
    delta_units: int
    asset: Asset = BTC

    @property
    def day(self) -> date:
        return self.ts.astimezone(UTC).date()

    @property
    def income(self) -> Amount:
        return Amount.from_units(self.asset, self.income_units)

    @property
    def pool_delta(self) -> Amount:
        return Amount.from_units(self.asset, self.delta_units)

    @property
    def paid(self) -> Amount:
        """What this row took out of the pool balance (a payout), positive."""
        return Amount.from_units(self.asset, -self.delta_units if self.delta_units < 0 else 0)
