"""Resolving a reconciliation break: an operator's word on a break the desk cannot explain,
recorded as a chained `resolve_break` action with what the break was. `desk reconcile
resolve` and the reconciliation screen both resolve a row of desk.reconcile.view through
here, and refuse the same breaks in the same words."""

from __future__ import annotations

from desk.reconcile.view import BreakRow, ReconciliationView
from desk.register import EntryRejected, Register


def find_break(view: ReconciliationView, break_id: str) -> BreakRow | None:
    """The row of break `break_id` in `view`, or None."""
    return next((row for row in view.breaks if row.id == break_id), None)


def refusal(row: BreakRow) -> str | None:
    """Why `row` cannot be resolved (it explains itself, or it is resolved already), or None."""
    if row.state == "explained":
        return f"break {row.id} is {row.kind}: it explains itself"
    if row.state == "resolved":
        return f"break {row.id} is already resolved by {row.resolved_by}"
    return None


async def resolve_break(register: Register, row: BreakRow, note: str) -> int:
    """Record this operator's resolution of `row` with `note`; return the action's seq.
    Refused (EntryRejected, nothing written) when `row` is not open, the note is empty or not
    printable text, or this operator may not judge breaks."""
    refused = refusal(row)
    if refused is not None:
        raise EntryRejected(refused, field="break")
    detail = {
        "scope": row.scope,
        "day": row.day.isoformat(),
        "kind": row.kind,
        "difference": str(row.difference.value),
        "asset": row.difference.asset.code,
        "txid": row.txid,
    }
    return await register.resolve_break(row.id, note, detail)
