"""What a reconciliation answers: per pool (or wallet) and UTC day, the figures of each side
and the breaks between them, ordered so that what needs a person comes first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from desk.money import Amount
from desk.reconcile.breaks import Break

#: Day states, in the order they are listed: what needs a person first.
STATE_ORDER = {"open": 0, "explained": 1, "clean": 2}


@dataclass(frozen=True, slots=True)
class DayReport:
    """One pool's (or one wallet's) UTC day. The figures are None where a side does not
    apply (a wallet has no earnings) or could not be read (the chain was unreachable)."""

    scope: str
    day: date
    earned_pool: Amount | None = None
    earned_register: Amount | None = None
    paid_pool: Amount | None = None
    paid_register: Amount | None = None
    received_chain: Amount | None = None
    carried: Amount | None = None
    breaks: tuple[Break, ...] = ()

    @property
    def state(self) -> str:
        """open: an unexplained break awaits an operator; explained: every break is
        explained or resolved; clean: no break at all."""
        if any(b.open for b in self.breaks):
            return "open"
        return "explained" if self.breaks else "clean"


@dataclass(frozen=True, slots=True)
class Report:
    since: date
    until: date
    as_of: datetime
    days: tuple[DayReport, ...]
    #: sides that could not be read, one line each (a pool down, the chain unreachable)
    problems: tuple[str, ...] = ()
    chain_checked: bool = False
    scopes: tuple[str, ...] = field(default=())

    @property
    def ordered(self) -> list[DayReport]:
        """Mismatches first (open, then explained), then clean days; newest day first within each."""
        return sorted(self.days, key=lambda d: (STATE_ORDER[d.state], -d.day.toordinal(), d.scope))

    @property
    def breaks(self) -> list[Break]:
        return [b for d in self.ordered for b in d.breaks]

    @property
    def open_breaks(self) -> list[Break]:
        """The unmatched queue: unexplained breaks no operator has resolved yet."""
        return [b for b in self.breaks if b.open]

    def find(self, break_id: str) -> Break | None:
        return next((b for b in self.breaks if b.id == break_id), None)


def _amount(value: Amount | None) -> str | None:
    return None if value is None else str(value.value)


def break_json(b: Break) -> dict[str, Any]:
    return {
        "id": b.id,
        "scope": b.scope,
        "day": b.day.isoformat(),
        "kind": b.kind.value,
        "state": b.state,
        "difference": _amount(b.difference),
        "expected": _amount(b.expected),
        "found": _amount(b.found),
        "asset": b.difference.asset.code,
        "key": b.key,
        "txid": b.txid,
        "why": b.why,
        "resolution": None
        if b.resolution is None
        else {
            "note": b.resolution.note,
            "by": b.resolution.by,
            "at": b.resolution.at.isoformat(),
            "action_seq": b.resolution.action_seq,
        },
    }


def report_json(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data: amounts as exact decimal strings, never numbers."""
    return {
        "since": report.since.isoformat(),
        "until": report.until.isoformat(),
        "as_of": report.as_of.isoformat(),
        "chain_checked": report.chain_checked,
        "problems": list(report.problems),
        "open": len(report.open_breaks),
        "days": [
            {
                "scope": d.scope,
                "day": d.day.isoformat(),
                "state": d.state,
                "earned_pool": _amount(d.earned_pool),
                "earned_register": _amount(d.earned_register),
                "paid_pool": _amount(d.paid_pool),
                "paid_register": _amount(d.paid_register),
                "received_chain": _amount(d.received_chain),
                "carried": _amount(d.carried),
                "breaks": [break_json(b) for b in d.breaks],
            }
            for d in report.ordered
        ],
    }
