"""Where proposed policy changes are kept: what a second admin approves is exactly what was
proposed.

The same mechanism as drafts (see drafts.py): the change lives in the chained
`policy_propose` action; the `policy_proposals` row is an insert-only copy kept for listing;
a proposal's state is the chained `policy_approve` or `policy_reject` action that names it.
Reading a proposal to decide it checks that its chained action still matches its hash and
the row still matches the action. The domain side (parsing a change, who may decide) is in
desk/controls/proposals.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from desk.register.chain import action_intact
from desk.register.entries import parse_ts
from desk.register.errors import EntryRejected, IntegrityError, NotFound

if TYPE_CHECKING:
    from desk.register.register import Register

OPENED = "policy_propose"
DECISIONS = {"policy_approve": "approved", "policy_reject": "rejected"}
STATES = ("pending", "approved", "rejected")


@dataclass(frozen=True, slots=True)
class ProposalRecord:
    """A proposal as its chained actions record it; `change` is the change's plain data."""

    id: int
    created_at: datetime
    proposed_by: str
    change: Mapping[str, Any]
    state: str
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None


def change_text(change: Mapping[str, Any]) -> str:
    """The canonical text of a change: compact JSON with sorted keys (the row's copy)."""
    return json.dumps(dict(change), sort_keys=True, separators=(",", ":"))


async def insert(register: Register, change: Mapping[str, Any]) -> int:
    """Inside the proposal's write transaction: the insert-only row; returns its id."""
    return await register._db.insert_id(
        "INSERT INTO policy_proposals (proposed_by, body) VALUES (?, ?)", (register.operator, change_text(change))
    )


_SELECT = (
    "SELECT p.id, p.proposed_by, p.body, "
    "a.seq, a.ts, a.operator, a.action, a.draft_id, a.entry_seq, a.detail, a.prev_hash, a.hash, "
    "x.action, x.operator, x.ts, x.detail "
    "FROM policy_proposals p "
    "LEFT JOIN actions a ON a.action = 'policy_propose' AND json_extract(a.detail, '$.proposal') = p.id "
    "LEFT JOIN actions x ON x.action IN ('policy_approve', 'policy_reject') "
    "AND json_extract(x.detail, '$.proposal') = p.id "
)
_STATE_WHERE = {
    "pending": "x.seq IS NULL",
    "approved": "x.action = 'policy_approve'",
    "rejected": "x.action = 'policy_reject'",
}


async def listing(register: Register, state: str, limit: int) -> list[ProposalRecord]:
    if state not in _STATE_WHERE:
        raise EntryRejected(f"proposal state {state!r} is not one of {', '.join(STATES)}", field="state")
    rows = await register._all(_SELECT + f"WHERE {_STATE_WHERE[state]} ORDER BY p.id DESC LIMIT ?", (limit,))
    return [_record(row) for row in rows]


async def pending(register: Register, proposal_id: int) -> ProposalRecord:
    """The pending proposal as its chained action holds it, refused if the action no longer
    matches its hash or the row no longer matches the action."""
    row = await register._one(_SELECT + "WHERE p.id = ? ORDER BY x.seq LIMIT 1", (proposal_id,))
    if row is None:
        raise NotFound(f"no policy change #{proposal_id}")
    record = _record(row)
    if record.state != "pending":
        raise EntryRejected(f"policy change #{proposal_id} is already {record.state}", field="proposal")
    problem = _tampered(row)
    if problem:
        raise IntegrityError(f"policy change #{proposal_id} {problem}; nothing was applied — run `desk verify`")
    return record


def _tampered(row: Sequence[Any]) -> str | None:
    if row[3] is None:
        return "has no chained policy_propose action"
    if not action_intact(row[3:12]):
        return "no longer matches the hash of its chained policy_propose action"
    if row[2] != change_text(json.loads(row[9])["change"]) or row[1] != row[5]:
        return "differs from its chained policy_propose action (the proposals row was changed)"
    return None


def _record(row: Sequence[Any]) -> ProposalRecord:
    if row[3] is not None:
        change, by, created = json.loads(row[9])["change"], row[5], parse_ts(row[4])
    else:
        change, by, created = json.loads(row[2]), row[1], datetime(1970, 1, 1, tzinfo=UTC)
    decision, decided_by, decided_ts, decision_detail = row[12:16]
    return ProposalRecord(
        id=row[0],
        created_at=created,
        proposed_by=by,
        change=change,
        state=DECISIONS.get(decision, "pending"),
        decided_by=decided_by,
        decided_at=parse_ts(decided_ts) if decided_ts else None,
        reason=json.loads(decision_detail).get("reason") if decision == "policy_reject" else None,
    )
