"""Resolving a reconciliation break, as `desk reconcile resolve` and the reconciliation
screen both do it: find the row of desk.reconcile.view the person named, then resolve it
through desk.reconcile.resolutions, which holds the rules (what a resolution records, what
it may say, who may resolve, once), so both faces refuse the same breaks in the same words."""

from __future__ import annotations

from desk.reconcile import resolutions
from desk.reconcile.resolutions import refusal
from desk.reconcile.view import BreakRow, ReconciliationView
from desk.register import Register

__all__ = ["find_break", "refusal", "resolve_break"]


def find_break(view: ReconciliationView, break_id: str) -> BreakRow | None:
    """The row of break `break_id` in `view`, or None."""
    return next((row for row in view.breaks if row.id == break_id), None)


async def resolve_break(register: Register, row: BreakRow, note: str) -> int:
    """Record this operator's resolution of `row` with `note`; return the action's seq.
    Refused (EntryRejected, nothing written) when `row` is not open, the note is empty or not
    printable text, or this operator may not judge breaks."""
    return await resolutions.resolve_row(register, row, note)
