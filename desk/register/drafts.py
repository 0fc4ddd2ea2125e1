"""Drafts: what a second operator approves is exactly what the first one drafted.

A draft's canonical body (the entry it would post) lives in the chained `draft` action,
together with the SHA-256 of that body. The `drafts` table is an insert-only copy of it, kept
for listing (triggers refuse UPDATE and DELETE), and a draft's state is not a column: it is
pending until a chained `approve` or `reject` action names it. Approval re-derives the entry
from the chained action, after checking that the action still matches its hash and that the
row still matches the action, so an edited row is refused rather than posted, and
`desk verify` compares every draft, decision and posted entry (see verify.py).

Drafts written before the body hash existed carry the body alone; their body is the same
text, and their hash is computed from it when they are read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from desk.money import Amount
from desk.register.chain import action_intact
from desk.register.entries import NewEntry, Posting, format_ts, parse_ts
from desk.register.errors import EntryRejected, IntegrityError, NotFound

if TYPE_CHECKING:
    from desk.register.register import Register

#: The chained action that opens a draft, and those that decide it.
OPENED = "draft"
DECISIONS = ("approve", "reject")
STATES = ("pending", "approved", "rejected")
#: The key of a draft action's detail that holds the body's hash (not part of the body).
HASH_KEY = "body_hash"


@dataclass(frozen=True, slots=True)
class Draft:
    id: int
    created_at: datetime
    drafted_by: str
    state: str
    entry: NewEntry
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    entry_seq: int | None = None
    #: SHA-256 of the canonical body: what an approval names as what it approved
    body_hash: str = ""


def body_text(
    *,
    kind: str,
    ts: str,
    memo: str,
    reference: str | None,
    price: str | None,
    reverses: int | None,
    postings: Sequence[tuple[str, str, int]],
    details: Mapping[str, str] | None,
) -> str:
    """The canonical body of a draft: compact JSON with sorted keys. Built from an entry being
    drafted and from a posted entry's row alike, so verify can hold the two equal."""
    return json.dumps(
        {
            "kind": kind,
            "ts": ts,
            "memo": memo,
            "reference": reference,
            "price": price,
            "reverses": reverses,
            "postings": [[account, asset, str(units)] for account, asset, units in postings],
            **({"details": dict(details)} if details is not None else {}),
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def draft_body(entry: NewEntry) -> str:
    return body_text(
        kind=entry.kind,
        ts=format_ts(entry.ts),
        memo=entry.memo,
        reference=entry.reference,
        price=str(entry.price) if entry.price is not None else None,
        reverses=entry.reverses,
        postings=[(p.account, p.asset.code, p.amount.units) for p in entry.postings],
        details=entry.details,
    )


def body_hash(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


def action_detail(body: str) -> dict[str, Any]:
    """What the chained `draft` action records: the body's fields and the body's hash."""
    return {**json.loads(body), HASH_KEY: body_hash(body)}


def body_of(detail: Mapping[str, Any]) -> tuple[str, str | None]:
    """(canonical body, the hash recorded beside it or None) of a draft action's detail."""
    fields = {k: v for k, v in detail.items() if k != HASH_KEY}
    return json.dumps(fields, sort_keys=True, separators=(",", ":")), detail.get(HASH_KEY)


def entry_from_body(register: Register, body: str) -> NewEntry:
    data = json.loads(body)
    postings = tuple(
        Posting(account, Amount.from_units(register.asset(asset), int(units)))
        for account, asset, units in data["postings"]
    )
    return NewEntry(
        kind=data["kind"],
        ts=parse_ts(data["ts"]),
        postings=postings,
        memo=data["memo"],
        reference=data["reference"],
        price=Decimal(data["price"]) if data["price"] else None,
        reverses=data["reverses"],
        details=data.get("details"),
    )


async def insert(register: Register, body: str) -> int:
    """Inside the draft's write transaction: the insert-only row; returns the draft id."""
    return await register._db.insert_id(
        "INSERT INTO drafts (drafted_by, body) VALUES (?, ?)", (register.operator, body)
    )


_SELECT = (
    "SELECT d.id, d.drafted_by, d.body, "
    "a.seq, a.ts, a.operator, a.action, a.draft_id, a.entry_seq, a.detail, a.prev_hash, a.hash, "
    "x.action, x.operator, x.ts, x.entry_seq, x.detail "
    "FROM drafts d "
    "LEFT JOIN actions a ON a.draft_id = d.id AND a.action = 'draft' "
    "LEFT JOIN actions x ON x.draft_id = d.id AND x.action IN ('approve', 'reject') "
)
_STATE_WHERE = {
    "pending": "x.seq IS NULL",
    "approved": "x.action = 'approve'",
    "rejected": "x.action = 'reject'",
}


async def by_id(register: Register, draft_id: int) -> Draft:
    row = await register._one(_SELECT + "WHERE d.id = ? ORDER BY x.seq LIMIT 1", (draft_id,))
    if row is None:
        raise NotFound(f"no draft #{draft_id}")
    return _draft(register, row)


async def listing(register: Register, state: str, limit: int | None) -> list[Draft]:
    """Drafts in `state`, newest first."""
    if state not in _STATE_WHERE:
        raise EntryRejected(f"draft state {state!r} is not one of {', '.join(STATES)}", field="state")
    sql = _SELECT + f"WHERE {_STATE_WHERE[state]} ORDER BY d.id DESC"
    rows = await register._all(sql + (" LIMIT ?" if limit is not None else ""), (limit,) if limit is not None else ())
    return [_draft(register, row) for row in rows]


async def pending(register: Register, draft_id: int) -> Draft:
    """The pending draft `draft_id` as its chained action holds it, refused if the chained
    action no longer matches its hash or the row no longer matches the action."""
    row = await register._one(_SELECT + "WHERE d.id = ? ORDER BY x.seq LIMIT 1", (draft_id,))
    if row is None:
        raise NotFound(f"no draft #{draft_id}")
    draft = _draft(register, row)
    if draft.state != "pending":
        raise EntryRejected(f"draft #{draft_id} is already {draft.state}", field="draft")
    problem = _tampered(row)
    if problem:
        raise IntegrityError(f"draft #{draft_id} {problem}; nothing was posted — run `desk verify`")
    return draft


async def partly_approved(register: Register, exclude: int | None) -> list[Draft]:
    """Pending drafts (other than `exclude`) that hold at least one quorum approval: they
    have claimed their share of a window limit."""
    rows = await register._all(
        _SELECT + "WHERE x.seq IS NULL AND d.id IS NOT ? AND EXISTS "
        "(SELECT 1 FROM actions p WHERE p.draft_id = d.id AND p.action = 'approval')",
        (exclude,),
    )
    return [_draft(register, row) for row in rows]


def _tampered(row: Sequence[Any]) -> str | None:
    """What is wrong with a draft's row and chained action, or None when they agree."""
    if row[3] is None:
        return "has no chained draft action"
    if not action_intact(row[3:12]):
        return "no longer matches the hash of its chained draft action"
    body, recorded = body_of(json.loads(row[9]))
    if recorded is not None and recorded != body_hash(body):
        return "has a body that does not match the hash recorded beside it"
    if row[2] != body or row[1] != row[5]:
        return "differs from its chained draft action (the drafts row was changed)"
    return None


def _draft(register: Register, row: Sequence[Any]) -> Draft:
    """A draft as its chained action records it (the row's copy only when the action is gone,
    which verify reports and approval refuses)."""
    draft_id, row_maker, row_body = row[0], row[1], row[2]
    if row[3] is not None:
        body, _ = body_of(json.loads(row[9]))
        maker, created = row[5], parse_ts(row[4])
    else:
        body, maker, created = row_body, row_maker, datetime(1970, 1, 1, tzinfo=UTC)
    decision, decided_by, decided_ts, entry_seq, decision_detail = row[12:17]
    state = {"approve": "approved", "reject": "rejected"}.get(decision, "pending")
    reason = json.loads(decision_detail).get("reason") if decision == "reject" else None
    return Draft(
        id=draft_id,
        created_at=created,
        drafted_by=maker,
        state=state,
        entry=entry_from_body(register, body),
        decided_by=decided_by,
        decided_at=parse_ts(decided_ts) if decided_ts else None,
        reason=reason,
        entry_seq=entry_seq,
        body_hash=body_hash(body),
    )
