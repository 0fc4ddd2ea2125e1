"""Receipts at a revenue wallet that no pool payout accounts for: money arriving where only
pool payouts should, per wallet and day, unless the register already records it."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from desk.money import BTC, Amount
from desk.reconcile.breaks import Break, BreakKind
from desk.reconcile.report import DayReport

if TYPE_CHECKING:
    from desk.reconcile.comparison import Facts


def _zero() -> Amount:
    return Amount.zero(BTC)


def wallet_reports(facts: Facts, payout_txids: set[str], days: list[date]) -> list[DayReport]:
    """Receipts at a revenue wallet that no pool payout accounts for, per wallet and day."""
    if facts.receipts is None:
        return []
    reports = []
    for wallet, addresses in sorted(facts.wallets.items()):
        per_day: dict[date, list[Break]] = defaultdict(list)
        received: dict[date, Amount] = defaultdict(_zero)
        by_tx: dict[tuple[str, str], Amount] = {}
        times: dict[tuple[str, str], datetime | None] = {}
        for address in addresses:
            for r in facts.receipts.get(address, ()):
                by_tx[(r.txid, address)] = by_tx.get((r.txid, address), _zero()) + r.amount
                times[(r.txid, address)] = r.block_time
        for (txid, address), amount in sorted(by_tx.items()):
            when = times[(txid, address)]
            day = when.astimezone(UTC).date() if when else facts.now.astimezone(UTC).date()
            if day not in days:
                continue
            received[day] += amount
            if txid in payout_txids or txid in facts.known_refs:
                continue
            per_day[day].append(
                Break(
                    f"wallet:{wallet}",
                    day,
                    BreakKind.NON_REVENUE,
                    -amount,
                    _zero(),
                    amount,
                    f"{txid}:{address}",
                    f"{amount} arrived at revenue address {address} in tx {txid}, which no pool paid and the "
                    "register does not record",
                    txid,
                )
            )
        reports.extend(
            DayReport(f"wallet:{wallet}", day, received_chain=received[day], breaks=tuple(breaks))
            for day, breaks in per_day.items()
        )
    return reports
