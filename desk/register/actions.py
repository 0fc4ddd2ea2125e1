"""The chained actions log: who did what, appended one hashed row at a time.

Every action desk records (drafts and decisions, amendments, valuations, policy changes,
checkpoints, domain records such as a period's kWh, resolved breaks) is appended by
`record` (or, for a batch of valuations, by `chain.chained_action` in valuations.py), so one
function hashes every row the way `desk verify` rehashes it. Functions here take the
Register and are reached through its thin public methods and its `Transaction`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from desk.register.canonical import GENESIS
from desk.register.chain import Checkpoint, Head, action_payload, chained_action
from desk.register.entries import format_ts, parse_ts
from desk.register.errors import EntryRejected, RegisterError
from desk.register.text import check_text

if TYPE_CHECKING:
    from desk.register.register import Register

_COLUMNS = "seq, ts, operator, action, draft_id, entry_seq, detail"
_INSERT = (
    "INSERT INTO actions (seq, ts, operator, action, draft_id, entry_seq, detail, prev_hash, hash) "
    "VALUES (?,?,?,?,?,?,?,?,?)"
)


async def head(register: Register) -> Head:
    row = await register._one("SELECT seq, hash FROM actions ORDER BY seq DESC LIMIT 1")
    return (row[0], row[1]) if row else (0, GENESIS)


async def record(
    register: Register,
    action: str,
    *,
    draft_id: int | None = None,
    entry_seq: int | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> int:
    """Inside a write transaction: append to the chained actions log, signed by the
    register's operator and dated `at` (else now); return the action's seq."""
    row = chained_action(
        await head(register),
        ts=format_ts(at or register._clock()),
        operator=register.operator,
        action=action,
        detail=detail,
        draft_id=draft_id,
        entry_seq=entry_seq,
    )
    await register._db.execute(_INSERT, row)
    return int(row[0])


async def insert_rows(register: Register, rows: Sequence[tuple[Any, ...]]) -> None:
    """Inside a write transaction: append rows `chained_action` built from the current head."""
    await register._db.executemany(_INSERT, rows)


async def recent(register: Register, limit: int) -> list[dict[str, Any]]:
    rows = await register._all(f"SELECT {_COLUMNS} FROM actions ORDER BY seq DESC LIMIT ?", (limit,))
    return [action_payload(r) for r in rows]


async def named(
    register: Register, action: str, *, since: datetime | None = None, until: datetime | None = None
) -> list[dict[str, Any]]:
    """Every action of one name, oldest first; recorded in [since, until) when given."""
    where, params = "action = ?", [action]
    if since is not None:
        where, params = where + " AND ts >= ?", [*params, format_ts(since)]
    if until is not None:
        where, params = where + " AND ts < ?", [*params, format_ts(until)]
    rows = await register._all(f"SELECT {_COLUMNS} FROM actions WHERE {where} ORDER BY seq", params)
    return [action_payload(r) for r in rows]


async def first(register: Register, action: str) -> dict[str, Any] | None:
    """The oldest action of one name, or None (an index seek: "was a policy ever approved")."""
    row = await register._one(f"SELECT {_COLUMNS} FROM actions WHERE action = ? ORDER BY seq LIMIT 1", (action,))
    return action_payload(row) if row else None


async def approvers(register: Register, draft_id: int) -> tuple[str, ...]:
    """The distinct operators whose quorum `approval` a draft holds, in the order they gave it."""
    rows = await register._all(
        "SELECT operator FROM actions WHERE draft_id = ? AND action = 'approval' ORDER BY seq", (draft_id,)
    )
    return tuple(dict.fromkeys(op for (op,) in rows))


def check_detail_text(where: str, value: Any) -> None:
    """Every text in a domain record's detail is printable text (as an entry's memo is)."""
    if isinstance(value, str):
        check_text(value, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_detail_text(f"{where}.{key}", item)
    elif isinstance(value, list):
        for item in value:
            check_detail_text(where, item)


# ---------------------------------------------------------------------- resolved breaks


def break_resolution(break_id: str, note: str, detail: dict[str, Any] | None) -> dict[str, Any]:
    """The detail of a `resolve_break` action, refused unless the note and the id are sound."""
    if not note.strip():
        raise EntryRejected("a resolution needs a note saying what the break was", field="note")
    note = check_text(note, "note", required=True)
    if not break_id or len(break_id) > 64:
        raise EntryRejected(f"{break_id!r} is not a break id", field="break")
    return {**(detail or {}), "break": break_id, "note": note}


async def refuse_resolved(register: Register, break_id: str) -> None:
    """Inside the resolution's transaction: a break is resolved once."""
    for (body,) in await register._all("SELECT detail FROM actions WHERE action = 'resolve_break'"):
        if json.loads(body).get("break") == break_id:
            raise EntryRejected(f"break {break_id} is already resolved", field="break")


async def resolved_breaks(register: Register) -> dict[str, dict[str, Any]]:
    rows = await register._all(
        "SELECT seq, ts, operator, detail FROM actions WHERE action = 'resolve_break' ORDER BY seq"
    )
    resolved = {}
    for seq, ts, operator, body in rows:
        detail = json.loads(body)
        resolved[detail["break"]] = {"note": detail["note"], "by": operator, "at": parse_ts(ts), "seq": seq}
    return resolved


# ---------------------------------------------------------------------- checkpoints


async def checkpoint(register: Register) -> Checkpoint:
    async with register._db.write():
        seq, digest = await register.head()
        if seq == 0:
            raise RegisterError("the register is empty: nothing to checkpoint yet")
        kept = await register._one("SELECT n, hash FROM quotes WHERE n IS NOT NULL ORDER BY n DESC LIMIT 1")
        point = Checkpoint(
            seq,
            digest,
            format_ts(register._clock()),
            register.operator,
            actions=await head(register),
            quotes=(kept[0], kept[1]) if kept else (0, GENESIS),
        )
        detail = {"hash": digest, "actions": list(point.actions or ()), "quotes": list(point.quotes or ())}
        await record(register, "checkpoint", entry_seq=seq, detail=detail)
    return point
