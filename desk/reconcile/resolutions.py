"""Resolving a reconciliation break: an operator's word on a break the desk cannot explain.

What a resolution is: a chained `resolve_break` action in the register's log, signed by the
operator, holding the break's id, the note and what the break was (scope, day, kind,
difference, txid), so the log alone says what was accepted. What it may say: a note that is
printable text and not empty, about a break id desk could have made. What resolving does:
asks the register's guard whether the operator may judge (a checker's act, as an approval
is), refuses a break already resolved, and records the action, all in one write
transaction, so two operators resolving at once leave one resolution.

The register only stores the chained action (`Register.transaction`, `actions_named`);
the rules are here, and desk.operations.breaks orchestrates them for the CLI and the screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from desk.reconcile.breaks import Resolution
from desk.register import EntryRejected, Register
from desk.register.entries import parse_ts
from desk.register.text import check_text

if TYPE_CHECKING:
    from desk.reconcile.view import BreakRow  # the view reads resolutions through the engine

#: The chained action that records a resolution.
ACTION = "resolve_break"
#: A break id is `rb-` and 12 hex digits (breaks.break_id); anything longer is no break of desk's.
MAX_ID = 64


def refusal(row: BreakRow) -> str | None:
    """Why `row` cannot be resolved (it explains itself, or it is resolved already), or None."""
    if row.state == "explained":
        return f"break {row.id} is {row.kind}: it explains itself"
    if row.state == "resolved":
        return f"break {row.id} is already resolved by {row.resolved_by}"
    return None


def about(row: BreakRow) -> dict[str, Any]:
    """What the resolution of `row` records of the break itself."""
    return {
        "scope": row.scope,
        "day": row.day.isoformat(),
        "kind": row.kind,
        "difference": str(row.difference.value),
        "asset": row.difference.asset.code,
        "txid": row.txid,
    }


def detail_of(break_id: str, note: str, said: dict[str, Any] | None = None) -> dict[str, Any]:
    """The detail of a `resolve_break` action, refused unless the note and the id are sound."""
    if not note.strip():
        raise EntryRejected("a resolution needs a note saying what the break was", field="note")
    note = check_text(note, "note", required=True)
    if not break_id or len(break_id) > MAX_ID:
        raise EntryRejected(f"{break_id!r} is not a break id", field="break")
    return {**(said or {}), "break": break_id, "note": note}


async def resolve(register: Register, break_id: str, note: str, said: dict[str, Any] | None = None) -> int:
    """Record this operator's resolution of break `break_id` with `note` (and `said`, what
    the break was); return the action's seq. Refused (EntryRejected, nothing written) when
    the note or id is not sound, the operator may not judge breaks, or the break is resolved
    already."""
    detail = detail_of(break_id, note, said)
    async with register.transaction() as tx:
        await register.controls.authorize(register, "approve")
        if break_id in await resolved(register):
            raise EntryRejected(f"break {break_id} is already resolved", field="break")
        return await tx.record(ACTION, detail)


async def resolve_row(register: Register, row: BreakRow, note: str) -> int:
    """Resolve a row of the reconciliation view (refused as `refusal` says when it is not
    open); return the action's seq."""
    refused = refusal(row)
    if refused is not None:
        raise EntryRejected(refused, field="break")
    return await resolve(register, row.id, note, about(row))


async def resolved(register: Register) -> dict[str, Resolution]:
    """Every resolved break by id, as the chained log holds it."""
    return {
        action["detail"]["break"]: Resolution(
            action["detail"]["break"],
            action["detail"]["note"],
            action["operator"],
            parse_ts(action["ts"]),
            action["seq"],
        )
        for action in await register.actions_named(ACTION)
    }
