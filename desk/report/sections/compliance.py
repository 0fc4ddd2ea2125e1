"""The sell-through compliance table, from desk.compliance: for the obligation's period
holding the month's last day, per asset, what was mined, sold on eligible (AIFC-licensed)
venues and elsewhere, the share against the required share, the gap and the status."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from desk.compliance import ComplianceError, compliance_snapshot, current_period
from desk.report.context import Context
from desk.report.fmt import amount as fmt_amount
from desk.report.fmt import money
from desk.report.model import Row, Section
from desk.report.sections.inflows import mined
from desk.valuation.prices import PriceMissing

TITLE = "Sell-through compliance"
COLUMNS = (
    "period",
    "asset",
    "mined",
    "sold eligible",
    "sold elsewhere",
    "to reserve",
    "retained",
    "share",
    "required",
    "gap",
    "gap (KZT)",
    "days left",
    "status",
)


def share(value: Decimal | None) -> str:
    return "n/a" if value is None else format((value * 100).quantize(Decimal("0.01")), ".2f") + " %"


async def section(ctx: Context) -> Section:
    last_instant = ctx.end - timedelta(microseconds=1)
    period = current_period(ctx.settings, last_instant)
    try:
        snapshot = await compliance_snapshot(ctx.register, ctx.settings, now=ctx.end, period=period)
    except (ComplianceError, PriceMissing) as exc:
        return Section(
            "compliance", TITLE, COLUMNS, unavailable=f"desk.compliance could not judge {period.label}: {exc}"
        )
    if not snapshot.rows:
        reason = f"nothing mined or sold in {period.label}"
        if not snapshot.rules:
            reason = f"no sell-through rule is in force in {period.label}"
        return Section("compliance", TITLE, COLUMNS, unavailable=reason)
    same_period = period.start == ctx.month.start and period.end == ctx.month.end
    rows = []
    for r in snapshot.rows:
        traces = ()
        if same_period:  # the period is the report's month: its mined coins are this month's earnings
            traces = (mined(ctx, r.asset, "mined"),)
        rows.append(
            Row(
                (
                    period.label,
                    r.asset,
                    fmt_amount(r.mined),
                    fmt_amount(r.sold_eligible),
                    fmt_amount(r.sold_elsewhere),
                    fmt_amount(r.to_reserve) + (" (counts)" if r.reserve_counts else ""),
                    fmt_amount(r.retained),
                    share(r.share),
                    share(r.required_share),
                    fmt_amount(r.gap) if r.gap is not None else "-",
                    money(r.gap_kzt, "KZT") if r.gap_kzt is not None else "no price",
                    str(r.days_left),
                    r.status,
                ),
                traces,
            )
        )
    notes = [
        f"rule {rule.id} (from {rule.effective_from}{f' to {rule.effective_to}' if rule.effective_to else ''}): "
        f"{share(rule.required_share)} of {rule.basis.replace('_', ' ')} per {rule.period}; {rule.source}"
        for rule in snapshot.rules
    ]
    notes += [f"{r.asset}: KZT value unavailable: {r.gap_kzt_note}" for r in snapshot.rows if r.gap_kzt_note]
    notes.append(
        "Status: ok, amber (behind pace), red (past due short of the share). Sales are the conversions "
        "listed above, split by whether the venue is eligible (desk.compliance)."
    )
    if snapshot.verify_mark:
        notes.append(f"The schedule is marked: {snapshot.verify_mark}.")
    return Section("compliance", TITLE, COLUMNS, tuple(rows), tuple(notes))
