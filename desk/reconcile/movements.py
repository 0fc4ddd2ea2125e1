"""The chain watch's side of a reconciliation: every movement at a watched address that no
transfer, entry or payout accounts for (desk/transfers/watch.py, read without writing) as a
break of its account and day — `unrecorded_outflow` or `unrecorded_deposit` — open until an
operator resolves it with a note, like every other break."""

from __future__ import annotations

from dataclasses import replace

from desk.config import DeskSettings
from desk.feeds.http import HttpClient
from desk.proof.chains import ChainReader
from desk.reconcile import resolutions
from desk.reconcile.breaks import Break
from desk.reconcile.report import DayReport, Report
from desk.register import Register
from desk.transfers.watch import TransferWatch


async def with_movements(settings: DeskSettings, register: Register, http: HttpClient, report: Report) -> Report:
    """`report` with a day report per account and day that holds unrecorded movements."""
    if not settings.addresses:
        return report
    watch = TransferWatch(settings, register, ChainReader(settings, http), http.clock.now)
    polled = await watch.poll(record=False)
    resolved = await resolutions.resolved(register)
    already = {b.txid for b in report.breaks if b.txid}  # a receipt the pools' side already named
    grouped: dict[tuple[str, object], list[Break]] = {}
    for found in polled.breaks:
        if not report.since <= found.day <= report.until or found.txid in already:
            continue
        if found.id in resolved:
            found = replace(found, resolution=resolved[found.id])
        grouped.setdefault((found.scope, found.day), []).append(found)
    days = tuple(DayReport(scope=scope, day=day, breaks=tuple(breaks)) for (scope, day), breaks in grouped.items())  # type: ignore[arg-type]
    problems = tuple(f"chain watch: {address}: {why}" for address, why in polled.errors.items())
    return replace(report, days=report.days + days, problems=report.problems + problems)
