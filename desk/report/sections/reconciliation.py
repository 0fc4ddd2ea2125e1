"""Reconciliation status of the month, from desk.reconcile: per pool (and wallet) the days
that are clean, explained or open, every break that is not clean with its difference to the
satoshi, and the resolutions operators recorded in the month.

A reconciliation reads the pools' APIs and the chain, so the report runs one only when
asked (`desk report --reconcile`); otherwise the section says so and still lists the
resolutions the register holds."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from desk.reconcile.resolutions import resolved
from desk.report.context import Context
from desk.report.fmt import amount as fmt_amount
from desk.report.model import Row, Section

if TYPE_CHECKING:  # a reconciliation is made by desk.reconcile, which reads the pools over HTTP
    from desk.reconcile import Report as Reconciliation

TITLE = "Reconciliation status"
COLUMNS = ("scope", "day", "state", "break", "kind", "difference", "detail")


async def resolutions(ctx: Context) -> list[str]:
    """The resolutions recorded in the month, one line each."""
    start, end = ctx.month.start, ctx.end
    lines = []
    for r in sorted((await resolved(ctx.register)).values(), key=lambda r: r.action_seq):
        if start <= r.at < end:
            lines.append(f"resolved {r.break_id} by {r.by} at {r.at.isoformat()} (action #{r.action_seq}): {r.note}")
    return lines


def summary_rows(run: Reconciliation) -> list[Row]:
    """One row per scope: how many of its days are clean, explained or open."""
    counts: dict[str, Counter[str]] = {}
    for day in run.days:
        counts.setdefault(day.scope, Counter())[day.state] += 1
    return [
        Row(
            (
                scope,
                f"{sum(c.values())} days",
                "summary",
                "",
                "",
                "",
                ", ".join(f"{state} {c[state]}" for state in ("open", "explained", "clean") if c[state]),
            )
        )
        for scope, c in sorted(counts.items())
    ]


async def section(ctx: Context) -> Section:
    notes = await resolutions(ctx)
    run: Reconciliation | None = ctx.shared.get("reconciliation")
    if run is None:
        why = (
            "not run for this report: `desk report --reconcile` reads the pools and the chain and compares them "
            "with the register (or run `desk reconcile --from ... --to ...`)"
        )
        return Section("reconciliation", TITLE, notes=tuple(notes), unavailable=why)
    rows = summary_rows(run)
    for b in run.breaks:
        detail = b.why + (f"; resolved by {b.resolution.by}: {b.resolution.note}" if b.resolution else "")
        rows.append(Row((b.scope, b.day.isoformat(), b.state, b.id, b.kind.value, fmt_amount(b.difference), detail)))
    head = (
        f"Pools vs register{' vs chain' if run.chain_checked else ''}, {run.since} to {run.until}, as of "
        f"{run.as_of.isoformat()}: {len(run.open_breaks)} open break(s)."
    )
    return Section("reconciliation", TITLE, COLUMNS, tuple(rows), (head, *run.problems, *notes))
