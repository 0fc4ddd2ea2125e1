"""What a sell-through judgement says: one asset's standing in one period (`SellThrough`)
and what a screen or report shows of a period (`ComplianceSnapshot`). Plain frozen data kept
apart from the walking and summing in desk.compliance.flows and .selling, so the faces that
only show it (panel, report, alerts) read one small module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from desk.compliance.periods import Period
from desk.compliance.tables import VERIFY_MARK
from desk.config import SellRuleSettings
from desk.money import Amount


@dataclass(frozen=True, slots=True)
class SellThrough:
    """One asset's standing in one period. Shares are fractions (0.75 = 75 %)."""

    period: Period
    asset: str
    basis: str
    mined: Amount
    sold_eligible: Amount
    sold_elsewhere: Amount
    to_reserve: Amount
    reserve_counts: bool
    counted: Amount
    retained: Amount
    #: counted / mined in the basis; None when nothing was mined
    share: Decimal | None
    #: what the rules require as a share of everything mined in the period
    required_share: Decimal
    #: in the basis: coins of the asset, or KZT for fiat_revenue
    required: Decimal
    counted_measure: Decimal
    #: counted - required in coins (negative: shortfall); None on the fiat basis
    gap: Amount | None
    gap_kzt: Decimal | None
    gap_kzt_note: str | None
    elapsed: Decimal
    pace_share: Decimal
    days_left: int
    due: date
    status: str
    venues: tuple[str, ...]
    by_venue: dict[str, Amount]
    rules: tuple[str, ...]
    sources: tuple[str, ...]
    verify: bool

    @property
    def verify_mark(self) -> str | None:
        return VERIFY_MARK if self.verify else None

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready data: amounts and shares as exact decimal strings."""

        def text(value: Decimal | Amount | None) -> str | None:
            if value is None:
                return None
            return value.format(grouping=False) if isinstance(value, Amount) else str(value)

        return {
            "period": self.period.label,
            "asset": self.asset,
            "basis": self.basis,
            "mined": text(self.mined),
            "sold_eligible": text(self.sold_eligible),
            "sold_elsewhere": text(self.sold_elsewhere),
            "to_reserve": text(self.to_reserve),
            "reserve_counts": self.reserve_counts,
            "counted": text(self.counted),
            "retained": text(self.retained),
            "share": text(self.share),
            "required_share": text(self.required_share),
            "required": text(self.required),
            "gap": text(self.gap),
            "gap_kzt": text(self.gap_kzt),
            "gap_kzt_note": self.gap_kzt_note,
            "elapsed": text(self.elapsed),
            "pace_share": text(self.pace_share),
            "days_left": self.days_left,
            "due": self.due.isoformat(),
            "status": self.status,
            "venues": list(self.venues),
            "by_venue": {v: text(a) for v, a in self.by_venue.items()},
            "rules": list(self.rules),
            "sources": list(self.sources),
            "verify": self.verify_mark,
        }


@dataclass(frozen=True, slots=True)
class ComplianceSnapshot:
    """What a screen shows: the period, each asset's standing, the rules and their mark."""

    period: Period
    as_of: datetime
    rows: tuple[SellThrough, ...]
    rules: tuple[SellRuleSettings, ...]

    @property
    def verify_mark(self) -> str | None:
        return VERIFY_MARK if any(r.verify for r in self.rules) else None

    @property
    def status(self) -> str:
        """The worst status of any asset ("ok" when nothing is owed)."""
        order = ("ok", "amber", "red")
        return max((r.status for r in self.rows), key=order.index, default="ok")

    def as_dict(self) -> dict[str, object]:
        return {
            "period": self.period.label,
            "as_of": self.as_of.isoformat(),
            "status": self.status,
            "verify": self.verify_mark,
            "rules": [
                {
                    "id": r.id,
                    "effective_from": r.effective_from.isoformat(),
                    "effective_to": r.effective_to.isoformat() if r.effective_to else None,
                    "required_share": str(r.required_share),
                    "basis": r.basis,
                    "period": r.period,
                    "reserve_transfers_count": r.reserve_transfers_count,
                    "source": r.source,
                }
                for r in self.rules
            ],
            "assets": [row.as_dict() for row in self.rows],
        }
