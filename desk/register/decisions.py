"""Maker-checker: a draft, and a second operator's approval or rejection of it.

The register keeps the rule it can keep alone (a maker never approves their own draft; the
attempt is recorded) and asks its guard (guard.py; desk.controls implements it) for the
rest: roles, the allowlist, limits and the quorum. What is posted is re-derived from the
chained draft action (drafts.py), never from a row that could have been edited. Functions
here take the Register and are reached through its thin public methods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from desk.register import actions, catalogue, drafts, posting, rules
from desk.register.entries import NewEntry, format_ts
from desk.register.errors import EntryRejected, NotFound, SelfApproval
from desk.register.ledger import Signatures
from desk.register.text import check_text

if TYPE_CHECKING:
    from desk.register.register import Register


async def draft(register: Register, entry: NewEntry) -> int:
    catalogue.check(register, entry)
    body = drafts.draft_body(entry)
    async with register._db.write():
        await _check_reversal(register, entry)
        await register.controls.check_draft(register, entry)
        draft_id = await drafts.insert(register, body)
        await actions.record(register, "draft", draft_id=draft_id, detail=drafts.action_detail(body))
    return draft_id


async def approve(register: Register, draft_id: int) -> int | None:
    refused = False
    seq: int | None = None
    operator = register.operator
    async with register._db.write():
        pending = await drafts.pending(register, draft_id)
        if pending.drafted_by == operator:
            detail = {"maker": pending.drafted_by}
            await actions.record(register, "refused_self_approval", draft_id=draft_id, detail=detail)
            refused = True
        elif (tally := await register.controls.check_approval(register, pending)).remaining:
            detail = {"approvals": len(tally.approvers), "required": tally.required}
            await actions.record(register, "approval", draft_id=draft_id, detail=detail)
        else:
            catalogue.check(register, pending.entry)
            await _check_reversal(register, pending.entry)
            await _check_funds(register, pending.entry)
            now = register._clock()
            signatures = Signatures(drafted_by=pending.drafted_by, approved_by=operator, approved_at=format_ts(now))
            (seq,) = await posting.append(register, [pending.entry], signatures)
            approved: dict[str, Any] = {"draft_hash": pending.body_hash}
            if tally.required > 1:
                approved.update(approvers=list(tally.approvers), required=tally.required)
            await actions.record(register, "approve", draft_id=draft_id, entry_seq=seq, detail=approved, at=now)
    if refused:
        raise SelfApproval(
            f"draft #{draft_id} was drafted by {operator}; a different operator must approve it "
            "(the attempt is recorded)"
        )
    return seq


def rejection_reason(reason: str) -> str:
    """A rejection's reason as recorded, or EntryRejected naming the field: checked before
    anything is asked or read, so a blank one is refused at once, wherever it is typed."""
    if not reason.strip():
        raise EntryRejected("a rejection needs a reason", field="reason")
    return check_text(reason, "reason", required=True)


async def reject(register: Register, draft_id: int, reason: str) -> None:
    reason = rejection_reason(reason)
    async with register._db.write():
        await register.controls.check_reject(register, await drafts.pending(register, draft_id))
        await actions.record(register, "reject", draft_id=draft_id, detail={"reason": reason})


async def _check_funds(register: Register, entry: NewEntry) -> None:
    """An approval may not take a wallet, exchange or reserve account below zero."""
    takes = rules.funds_needed(entry.postings)
    held = {key: (await register.balance(*key)).units for key in takes}
    refusal = rules.funds_refusal(entry.postings, held)
    if refusal is not None:
        raise refusal


async def _check_reversal(register: Register, entry: NewEntry) -> None:
    """A reversal undoes exactly one posted entry, once (rules `reversal:*`)."""
    if entry.kind != "reversal" or entry.reverses is None:
        return
    try:
        original = await register.entry(entry.reverses)
    except NotFound:
        original = None
    row = await register._one(
        "SELECT seq FROM entries WHERE kind = 'reversal' AND reverses = ? LIMIT 1", (entry.reverses,)
    )
    refusal = rules.reversal_refusal(entry, original, row[0] if row else None)
    if refusal is not None:
        raise refusal
