"""Changing the policy: an admin proposes, a different admin approves or rejects.

Every step (proposed, approved, rejected, a refused self-approval) is a chained action; the
proposed change lives in the chained `policy_propose` action and an approval applies exactly
that (desk/register/proposals.py keeps the insert-only rows and derives the state). The
approval's action carries the change itself, so the effective policy can be rebuilt from the
actions log alone (see `Controls.policy`). Each step is one `Register.transaction()`: the
role is judged, the row kept and the action recorded together or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from desk.controls.engine import controls_of
from desk.controls.policy import PolicyChange
from desk.register import EntryRejected, ProposalRecord, SelfApproval
from desk.register.text import check_text

if TYPE_CHECKING:
    from desk.register import Register


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
    async with register.transaction() as tx:
        controls = controls_of(register)
        controls.require(await controls.policy(register), register.operator, "propose")
        proposal_id = await tx.add_proposal(parsed.as_data())
        await tx.record("policy_propose", {"proposal": proposal_id, "change": parsed.as_data()})
    return proposal_id


async def approve(register: Register, proposal_id: int) -> PolicyChange:
    """Apply a pending change, approved by an admin other than its proposer. What is applied
    is the change its chained `policy_propose` action holds, never the row's copy."""
    refused = False
    async with register.transaction() as tx:
        proposal = _proposal(register, await tx.pending_proposal(proposal_id))
        controls = controls_of(register)
        if proposal.proposed_by == register.operator:
            refusal = {"proposal": proposal_id, "proposer": proposal.proposed_by}
            await tx.record("policy_refused_self_approval", refusal)
            refused = True
        else:
            controls.require(await controls.policy(register), register.operator, "decide")
            detail = {"proposal": proposal_id, "proposer": proposal.proposed_by, "change": proposal.change.as_data()}
            await tx.record("policy_approve", detail)
    if refused:
        raise SelfApproval(
            f"policy change #{proposal_id} was proposed by {register.operator}; a different admin must approve it "
            "(the attempt is recorded)"
        )
    return proposal.change


async def reject(register: Register, proposal_id: int, reason: str) -> None:
    """Close a pending change without applying it (its proposer may withdraw it too)."""
    if not reason.strip():
        raise EntryRejected("a rejection needs a reason", field="reason")
    reason = check_text(reason, "reason", required=True)
    async with register.transaction() as tx:
        proposal = await tx.pending_proposal(proposal_id)
        if proposal.proposed_by != register.operator:
            controls = controls_of(register)
            controls.require(await controls.policy(register), register.operator, "decide")
        await tx.record("policy_reject", {"proposal": proposal_id, "reason": reason})


async def proposals(register: Register, state: str = "pending", limit: int = 200) -> list[Proposal]:
    return [_proposal(register, record) for record in await register.proposal_records(state, limit)]


def _proposal(register: Register, record: ProposalRecord) -> Proposal:
    return Proposal(
        id=record.id,
        created_at=record.created_at,
        proposed_by=record.proposed_by,
        change=PolicyChange.parse(record.change, register.assets()),
        state=record.state,
        decided_by=record.decided_by,
        decided_at=record.decided_at,
        reason=record.reason,
    )
