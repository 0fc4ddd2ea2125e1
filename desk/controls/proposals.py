"""Changing the policy: an admin proposes, a different admin approves or rejects.

A proposal is kept in `policy_proposals` while it waits; every step (proposed, approved,
rejected, a refused self-approval) is a chained action. The approval's action carries the
change itself, so the effective policy can be rebuilt from the actions log alone (see
`Controls.policy`). These functions share the register's write transaction and actions
log, as its own maker-checker methods do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from desk.controls.policy import PolicyChange
from desk.register import connection
from desk.register.entries import format_ts, parse_ts
from desk.register.errors import EntryRejected, NotFound, SelfApproval

if TYPE_CHECKING:
    from desk.register.register import Register


@dataclass(frozen=True, slots=True)
class Proposal:
    id: int
    created_at: datetime
    proposed_by: str
    change: PolicyChange
    state: str
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None


async def propose(register: Register, change: Mapping[str, Any]) -> int:
    """Record a proposed change (validated now) for another admin to approve; return its id."""
    parsed = PolicyChange.parse(change, register.assets())
    body = json.dumps(parsed.as_data(), sort_keys=True, separators=(",", ":"))
    async with connection.immediate(register._conn, register._lock):
        controls = register.controls
        controls.require(await controls.policy(register), register.operator, "propose")
        cursor = await register._conn.execute(
            "INSERT INTO policy_proposals (created_at, proposed_by, body, state) VALUES (?, ?, ?, 'pending')",
            (format_ts(register._clock()), register.operator, body),
        )
        proposal_id = int(cursor.lastrowid or 0)
        await register._record("policy_propose", detail={"proposal": proposal_id, "change": parsed.as_data()})
    return proposal_id


async def approve(register: Register, proposal_id: int) -> PolicyChange:
    """Apply a pending change, approved by an admin other than its proposer."""
    refused = False
    async with connection.immediate(register._conn, register._lock):
        proposal = await _pending(register, proposal_id)
        controls = register.controls
        if proposal.proposed_by == register.operator:
            await register._record(
                "policy_refused_self_approval", detail={"proposal": proposal_id, "proposer": proposal.proposed_by}
            )
            refused = True
        else:
            controls.require(await controls.policy(register), register.operator, "decide")
            await register._conn.execute(
                "UPDATE policy_proposals SET state = 'approved', decided_by = ?, decided_at = ? WHERE id = ?",
                (register.operator, format_ts(register._clock()), proposal_id),
            )
            detail = {"proposal": proposal_id, "proposer": proposal.proposed_by, "change": proposal.change.as_data()}
            await register._record("policy_approve", detail=detail)
    if refused:
        raise SelfApproval(
            f"policy change #{proposal_id} was proposed by {register.operator}; a different admin must approve it "
            "(the attempt is recorded)"
        )
    return proposal.change


async def reject(register: Register, proposal_id: int, reason: str) -> None:
    """Close a pending change without applying it (its proposer may withdraw it too)."""
    reason = reason.strip()
    if not reason:
        raise EntryRejected("a rejection needs a reason", field="reason")
    async with connection.immediate(register._conn, register._lock):
        proposal = await _pending(register, proposal_id)
        if proposal.proposed_by != register.operator:
            controls = register.controls
            controls.require(await controls.policy(register), register.operator, "decide")
        await register._conn.execute(
            "UPDATE policy_proposals SET state = 'rejected', decided_by = ?, decided_at = ?, reason = ? WHERE id = ?",
            (register.operator, format_ts(register._clock()), reason, proposal_id),
        )
        await register._record("policy_reject", detail={"proposal": proposal_id, "reason": reason})


async def proposals(register: Register, state: str = "pending", limit: int = 200) -> list[Proposal]:
    rows = await register._all(
        "SELECT id, created_at, proposed_by, body, state, decided_by, decided_at, reason FROM policy_proposals "
        "WHERE state = ? ORDER BY id DESC LIMIT ?",
        (state, limit),
    )
    return [_from_row(register, row) for row in rows]


async def _pending(register: Register, proposal_id: int) -> Proposal:
    row = await register._one(
        "SELECT id, created_at, proposed_by, body, state, decided_by, decided_at, reason FROM policy_proposals "
        "WHERE id = ?",
        (proposal_id,),
    )
    if row is None:
        raise NotFound(f"no policy change #{proposal_id}")
    proposal = _from_row(register, row)
    if proposal.state != "pending":
        raise EntryRejected(f"policy change #{proposal_id} is already {proposal.state}", field="proposal")
    return proposal


def _from_row(register: Register, row: tuple) -> Proposal:
    return Proposal(
        id=row[0],
        created_at=parse_ts(row[1]),
        proposed_by=row[2],
        change=PolicyChange.parse(json.loads(row[3]), register.assets()),
        state=row[4],
        decided_by=row[5],
        decided_at=parse_ts(row[6]) if row[6] else None,
        reason=row[7],
    )
