"""`desk verify`, the entries: their hash chain with their postings, and the sums kept from them.

The chain is walked in order and stops at the first entry that breaks it (everything after
is unproven); the maintained balances and per-day deltas are then held against the sums of
the postings. Runs on verify.py's read-only connection.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from desk.register import drafts
from desk.register.canonical import GENESIS, details_from_text, entry_body, hash_body
from desk.register.entries import NEEDS_APPROVAL
from desk.register.units import from_db
from desk.register.verify_findings import CHUNK, Findings, Progress


@dataclass(slots=True)
class EntryWalk:
    count: int = 0
    head: str = GENESIS
    bad_seq: int | None = None
    #: the recomputed hash at the seq a checkpoint names
    pinned: str | None = None
    #: (account_id, asset, day) -> net units, from the postings
    daily: dict[tuple[int, str, str], int] = field(default_factory=lambda: defaultdict(int))
    #: seq -> (draft body hash, drafted_by, approved_by) of entries that need maker-checker
    approvable: dict[int, tuple[str, str | None, str | None]] = field(default_factory=dict)


def _postings(conn: sqlite3.Connection) -> Iterator[tuple[int, int, str, Any, str]]:
    cursor = conn.execute("SELECT entry_seq, account_id, asset, units, ts FROM postings ORDER BY entry_seq, idx")
    while rows := cursor.fetchmany(3 * CHUNK):
        yield from rows


def walk_entries(
    conn: sqlite3.Connection, found: Findings, stop_at: int | None, progress: Progress | None
) -> EntryWalk:
    """Walk the entries in order with their postings; stop at the first entry that breaks
    the chain (everything after it is unproven)."""
    walk = EntryWalk()
    accounts = dict(conn.execute("SELECT id, path FROM accounts"))
    (total,) = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM entries").fetchone()
    entries = conn.execute(
        "SELECT seq, ts, kind, memo, reference, source, external_id, status, price, reverses, drafted_by, "
        "approved_by, approved_at, prev_hash, hash, details FROM entries ORDER BY seq"
    )
    postings = _postings(conn)
    pending = next(postings, None)
    expected_prev, expected_seq = GENESIS, 1
    daily = walk.daily
    while rows := entries.fetchmany(CHUNK):
        for row in rows:
            seq, ts = row[0], row[1]
            while pending is not None and pending[0] < seq:
                found.add("postings", f"postings of entry #{pending[0]} belong to no entry")
                pending = next(postings, None)
            triples = []
            day = ts[:10]
            while pending is not None and pending[0] == seq:
                units = from_db(pending[3])
                triples.append((accounts.get(pending[1], f"?{pending[1]}"), pending[2], units))
                daily[(pending[1], pending[2], day)] += units
                if pending[4] != ts:
                    found.add("postings", f"a posting of entry #{seq} is dated {pending[4]}, not as its entry ({ts})")
                pending = next(postings, None)
            if seq != expected_seq:
                return _broken(walk, found, expected_seq, f"entry #{expected_seq} is missing (next is #{seq})")
            if row[13] != expected_prev:
                return _broken(walk, found, seq, f"entry #{seq} does not follow the entry before it (chain broken)")
            details = details_from_text(row[15])
            body = entry_body(
                seq=seq,
                ts=ts,
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
                details=details,
            )
            digest = hash_body(expected_prev, body)
            if digest != row[14]:
                return _broken(walk, found, seq, f"entry #{seq} no longer matches its hash (its content was changed)")
            if row[2] in NEEDS_APPROVAL:
                drafted = drafts.body_text(
                    kind=row[2],
                    ts=ts,
                    memo=row[3],
                    reference=row[4],
                    price=row[8],
                    reverses=row[9],
                    postings=triples,
                    details=details,
                )
                walk.approvable[seq] = (drafts.body_hash(drafted), row[10], row[11])
            expected_prev, expected_seq = digest, seq + 1
            walk.count, walk.head = seq, digest
            if seq == stop_at:
                walk.pinned = digest
        if progress is not None:
            progress("entries", walk.count, total)
    if pending is not None:
        found.add("postings", f"postings of entry #{pending[0]} belong to no entry")
        for extra in postings:
            found.add("postings", f"postings of entry #{extra[0]} belong to no entry")
    (count,) = conn.execute("SELECT value FROM meta WHERE key = 'entry_count'").fetchone()
    if str(count) != str(walk.count):  # text on PostgreSQL, an integer in SQLite
        found.add("entry-count", f"the register records {count} entries but holds {walk.count}")
    return walk


def _broken(walk: EntryWalk, found: Findings, seq: int, problem: str) -> EntryWalk:
    walk.bad_seq = seq
    found.add("entries", problem)
    return walk


def check_sums(conn: sqlite3.Connection, found: Findings, walk: EntryWalk) -> None:
    """The maintained balances and per-day deltas against the sums of the postings."""
    paths = dict(conn.execute("SELECT id, path FROM accounts"))
    daily = {k: v for k, v in walk.daily.items() if v}
    stored_daily = {
        (a, s, d): from_db(u) for a, s, d, u in conn.execute("SELECT account_id, asset, day, units FROM daily")
    }
    for key in sorted(daily.keys() | stored_daily.keys(), key=lambda k: (k[2], k[0], k[1])):
        if daily.get(key, 0) != stored_daily.get(key, 0):
            account, asset, day = key
            found.add(
                "daily",
                f"the {day} change of {paths.get(account, account)} in {asset} is not the sum of that day's postings "
                "(balances as of a date would be wrong)",
            )
    sums: dict[tuple[int, str], int] = defaultdict(int)
    for (account, asset, _day), units in walk.daily.items():
        sums[(account, asset)] += units
    stored = {(a, s): from_db(u) for a, s, u in conn.execute("SELECT account_id, asset, units FROM balances")}
    for key in sorted(sums.keys() | stored.keys()):
        if sums.get(key, 0) != stored.get(key, 0):
            found.add("balances", f"balance of {paths.get(key[0], key[0])} in {key[1]} is not the sum of its postings")
