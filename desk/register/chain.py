"""Recomputing the hash chains (`desk verify`) and pinning them with checkpoints.

Verification reads the file on a read-only connection of its own, in a worker thread, so
the screen stays live while a million entries are rehashed. It stops at the first entry
that no longer matches and names it.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desk.register.canonical import GENESIS, chain_hash, details_from_text, entry_body, hash_body
from desk.register.units import from_db

CHUNK = 20_000


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A head of the chain written down off the machine: proves nothing before it changed."""

    seq: int
    head_hash: str
    at: str
    operator: str

    def __str__(self) -> str:
        return f"desk-checkpoint v1 seq={self.seq} hash={self.head_hash} at={self.at} by={self.operator}"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        match = re.fullmatch(r"\s*desk-checkpoint v1 seq=(\d+) hash=([0-9a-f]{64}) at=(\S+) by=(\S+)\s*", text)
        if match is None:
            raise ValueError(
                "not a desk checkpoint; expected the line `desk checkpoint` printed, "
                "e.g. desk-checkpoint v1 seq=42 hash=<64 hex> at=<time> by=<operator>"
            )
        return cls(int(match[1]), match[2], match[3], match[4])


@dataclass(slots=True)
class VerifyResult:
    entries: int = 0
    actions: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)
    first_bad_seq: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_file(path: Path, against: Checkpoint | None = None) -> VerifyResult:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = VerifyResult()
        hash_at_checkpoint = _verify_entries(conn, result, against.seq if against else None)
        if result.ok:
            _verify_balances(conn, result)
        _verify_actions(conn, result)
        if against is not None:
            _check_against(result, against, hash_at_checkpoint)
        return result
    finally:
        conn.close()


def _check_against(result: VerifyResult, checkpoint: Checkpoint, hash_at: str | None) -> None:
    if hash_at is None:
        result.problems.append(
            f"checkpoint seq {checkpoint.seq} is beyond the register's {result.entries} entries: "
            "the register was truncated"
        )
    elif hash_at != checkpoint.head_hash:
        result.problems.append(
            f"entry #{checkpoint.seq} hashes to {hash_at[:16]}…, not the checkpoint's "
            f"{checkpoint.head_hash[:16]}…: entries up to the checkpoint were rewritten or reordered"
        )


def _verify_entries(conn: sqlite3.Connection, result: VerifyResult, stop_at: int | None) -> str | None:
    """Walk the entries in order; return the recomputed hash at `stop_at` (if reached)."""
    accounts = dict(conn.execute("SELECT id, path FROM accounts"))
    entries = conn.execute(
        "SELECT seq, ts, kind, memo, reference, source, external_id, status, price, reverses, drafted_by, "
        "approved_by, approved_at, prev_hash, hash, details FROM entries ORDER BY seq"
    )
    postings = conn.execute("SELECT entry_seq, account_id, asset, units FROM postings ORDER BY entry_seq, idx")
    pending = postings.fetchone()
    expected_prev, expected_seq = GENESIS, 1
    hash_at = None
    while rows := entries.fetchmany(CHUNK):
        for row in rows:
            seq = row[0]
            triples = []
            while pending is not None and pending[0] == seq:
                triples.append((accounts.get(pending[1], f"?{pending[1]}"), pending[2], from_db(pending[3])))
                pending = postings.fetchone()
            if seq != expected_seq:
                return _bad(result, expected_seq, f"entry #{expected_seq} is missing (next is #{seq})")
            body = entry_body(
                seq=seq,
                ts=row[1],
                kind=row[2],
                memo=row[3],
                reference=row[4],
                source=row[5],
                external_id=row[6],
                status=row[7],
                price=row[8],
                reverses=row[9],
                drafted_by=row[10],
                approved_by=row[11],
                approved_at=row[12],
                postings=triples,
                details=details_from_text(row[15]),
            )
            if row[13] != expected_prev:
                return _bad(result, seq, f"entry #{seq} does not follow the entry before it (chain broken)")
            digest = hash_body(expected_prev, body)
            if digest != row[14]:
                return _bad(result, seq, f"entry #{seq} no longer matches its hash (its content was changed)")
            expected_prev, expected_seq = digest, seq + 1
            result.entries = seq
            if seq == stop_at:
                hash_at = digest
    if pending is not None:
        return _bad(result, pending[0], f"postings of entry #{pending[0]} belong to no entry")
    (count,) = conn.execute("SELECT value FROM meta WHERE key = 'entry_count'").fetchone()
    if count != result.entries:
        result.problems.append(f"the register records {count} entries but holds {result.entries}")
    result.head_hash = expected_prev
    return hash_at


def _bad(result: VerifyResult, seq: int, problem: str) -> None:
    result.first_bad_seq = seq
    result.problems.append(problem)
    return None


def _verify_balances(conn: sqlite3.Connection, result: VerifyResult) -> None:
    sums: dict[tuple[int, str], int] = defaultdict(int)
    for account_id, asset, units in conn.execute("SELECT account_id, asset, units FROM postings"):
        sums[(account_id, asset)] += from_db(units)
    stored = {(a, s): from_db(u) for a, s, u in conn.execute("SELECT account_id, asset, units FROM balances")}
    for key in sums.keys() | stored.keys():
        if sums.get(key, 0) != stored.get(key, 0):
            path = conn.execute("SELECT path FROM accounts WHERE id = ?", (key[0],)).fetchone()
            result.problems.append(
                f"balance of {path[0] if path else key[0]} in {key[1]} is not the sum of its postings"
            )


def action_payload(row: tuple) -> dict:
    seq, ts, operator, action, draft_id, entry_seq, detail = row[:7]
    return {
        "v": 1,
        "seq": seq,
        "ts": ts,
        "operator": operator,
        "action": action,
        "draft_id": draft_id,
        "entry_seq": entry_seq,
        "detail": json.loads(detail),
    }


def action_intact(row: Sequence[Any]) -> bool:
    """Whether an actions row (seq, ts, operator, action, draft_id, entry_seq, detail,
    prev_hash, hash) still hashes to its recorded hash."""
    return chain_hash(row[7], action_payload(row)) == row[8]


def _verify_actions(conn: sqlite3.Connection, result: VerifyResult) -> None:
    prev, expected_seq = GENESIS, 1
    for row in conn.execute(
        "SELECT seq, ts, operator, action, draft_id, entry_seq, detail, prev_hash, hash FROM actions ORDER BY seq"
    ):
        if row[0] != expected_seq:
            result.problems.append(f"action #{expected_seq} is missing from the actions log")
            return
        if row[7] != prev or chain_hash(prev, action_payload(row)) != row[8]:
            result.problems.append(f"action #{row[0]} ({row[3]}) no longer matches its hash")
            return
        prev, expected_seq = row[8], row[0] + 1
        result.actions = row[0]
