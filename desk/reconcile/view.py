"""What a reconciliation screen shows, as plain rows: the screen formats and lays them out,
and never reaches into the engine's records. Open breaks first, then resolved, then
explained; days with a mismatch before clean days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from desk.config import DeskSettings
from desk.feeds.http import HttpClient
from desk.money import Amount
from desk.reconcile.engine import chain_for, reconcile
from desk.reconcile.movements import with_movements
from desk.reconcile.report import Report
from desk.register import Register

_BREAK_ORDER = {"open": 0, "resolved": 1, "explained": 2}


@dataclass(frozen=True, slots=True)
class BreakRow:
    id: str
    state: str  # open | resolved | explained
    scope: str
    day: date
    kind: str
    difference: Amount
    why: str
    txid: str | None
    resolved_by: str | None
    resolved_note: str | None


@dataclass(frozen=True, slots=True)
class DayRow:
    scope: str
    day: date
    state: str  # open | explained | clean
    earned_pool: Amount | None
    earned_register: Amount | None
    paid_pool: Amount | None
    paid_register: Amount | None
    received_chain: Amount | None
    carried: Amount | None
    breaks: int


@dataclass(frozen=True, slots=True)
class ReconciliationView:
    since: date
    until: date
    as_of: datetime
    open_count: int
    breaks: tuple[BreakRow, ...]
    days: tuple[DayRow, ...]
    problems: tuple[str, ...]
    chain_checked: bool


def view_of(report: Report) -> ReconciliationView:
    """The report as rows for a screen (or any other face)."""
    breaks = sorted(report.breaks, key=lambda b: _BREAK_ORDER[b.state])
    return ReconciliationView(
        since=report.since,
        until=report.until,
        as_of=report.as_of,
        open_count=len(report.open_breaks),
        breaks=tuple(
            BreakRow(
                b.id,
                b.state,
                b.scope,
                b.day,
                b.kind.value,
                b.difference,
                b.why,
                b.txid,
                b.resolution.by if b.resolution else None,
                b.resolution.note if b.resolution else None,
            )
            for b in breaks
        ),
        days=tuple(
            DayRow(
                d.scope,
                d.day,
                d.state,
                d.earned_pool,
                d.earned_register,
                d.paid_pool,
                d.paid_register,
                d.received_chain,
                d.carried,
                len(d.breaks),
            )
            for d in report.ordered
        ),
        problems=report.problems,
        chain_checked=report.chain_checked,
    )


async def load_view(
    settings: DeskSettings, register: Register, http: HttpClient, *, since: date, until: date
) -> ReconciliationView:
    """Reconcile [since, until] (pools live, the chain when configured) and return the rows."""
    report = await reconcile(settings, register, http, since=since, until=until, chain=chain_for(settings, http))
    return view_of(await with_movements(settings, register, http, report))
