"""Writing entries: a person's post, a feed's idempotent ingest, and the append beneath both.

Every write appends entries with their chained hashes, updates the maintained balances,
per-day sums and the entry counter, in one short transaction (`register._db.write()`). Big
batches are checked and hashed in a worker thread while SQLite writes the previous chunk, so
the event loop stays free and both cores work. Functions here take the Register and are
reached through its thin public methods (and `Transaction.append`).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from desk.register import actions, catalogue
from desk.register.accounts import account_kind
from desk.register.canonical import GENESIS
from desk.register.entries import NEEDS_APPROVAL, NewEntry
from desk.register.errors import EntryRejected
from desk.register.ledger import Rows, Signatures, checked_rows
from desk.register.units import from_db, to_db

if TYPE_CHECKING:
    from desk.register.register import Register

#: Entries at or above this batch size are prepared in a worker thread, off the event loop.
THREAD_THRESHOLD = 200
#: Entries hashed per step of a big batch's write pipeline (see `append`).
PIPELINE_CHUNK = 10_000


@dataclass(frozen=True, slots=True)
class IngestResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0


async def post(register: Register, entry: NewEntry, opening: Sequence[str]) -> int:
    if entry.kind in NEEDS_APPROVAL:
        raise EntryRejected(
            f"a {entry.kind} needs a second operator: draft it, and another operator approves it",
            field="kind",
        )
    for path in opening:
        account_kind(path)
    catalogue.check(register, entry, opening)
    try:
        async with register._db.write():
            await register.controls.authorize(register, "post")
            new = [p for p in opening if p not in register._account_ids]
            if new:
                await catalogue.open_accounts(register, new)
                await catalogue.load(register)
            seqs = await append(register, [entry], Signatures(drafted_by=register.operator))
    except BaseException:
        if opening:
            await catalogue.load(register)  # the accounts opened in the rolled-back transaction are gone
        raise
    return seqs[0]


async def append(
    register: Register,
    batch: Sequence[NewEntry],
    signatures: Signatures,
    *,
    check: Callable[[NewEntry], None] | None = None,
) -> list[int]:
    """Inside a write transaction: chain and write `batch`, maintain balances."""
    head = await register._one("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1")
    head_seq, head_hash = head if head else (0, GENESIS)
    if len(batch) < THREAD_THRESHOLD:
        rows = checked_rows(
            batch,
            check,
            head_seq=head_seq,
            head_hash=head_hash,
            account_ids=register._account_ids,
            signatures=signatures,
        )
        await _write_rows(register, rows)
        head_seq, balance_deltas, daily_deltas = rows.head_seq, rows.balance_deltas, rows.daily_deltas
    else:
        head_seq, balance_deltas, daily_deltas = await _write_pipelined(
            register, batch, check, head_seq, head_hash, signatures
        )
    await _add_units(register, "balances", ("account_id", "asset"), balance_deltas)
    await _add_units(register, "daily", ("account_id", "asset", "day"), daily_deltas)
    await register._db.execute("UPDATE meta SET value = value + ? WHERE key = 'entry_count'", (len(batch),))
    return list(range(head_seq - len(batch) + 1, head_seq + 1))


async def _write_pipelined(
    register: Register,
    batch: Sequence[NewEntry],
    check: Callable[[NewEntry], None] | None,
    head_seq: int,
    head_hash: str,
    signatures: Signatures,
) -> tuple[int, dict[tuple, int], dict[tuple, int]]:
    """Write a big batch as a pipeline: chunk k+1 is checked and hashed in a worker
    thread while SQLite writes chunk k on the connection's thread (it releases the GIL
    while it steps), so both cores work on one batch. Chaining stays sequential: each
    chunk starts from the head the previous one ended on. Returns the new head seq and
    the summed balance and daily deltas."""
    balance_deltas: dict[tuple, int] = defaultdict(int)
    daily_deltas: dict[tuple, int] = defaultdict(int)
    writing: asyncio.Future[None] | None = None
    try:
        for first in range(0, len(batch), PIPELINE_CHUNK):
            rows = await asyncio.to_thread(
                checked_rows,
                batch[first : first + PIPELINE_CHUNK],
                check,
                head_seq=head_seq,
                head_hash=head_hash,
                account_ids=register._account_ids,
                signatures=signatures,
            )
            head_seq, head_hash = rows.head_seq, rows.head_hash
            for deltas, total in ((rows.balance_deltas, balance_deltas), (rows.daily_deltas, daily_deltas)):
                for key, units in deltas.items():
                    total[key] += units
            if writing is not None:
                await writing
            writing = asyncio.ensure_future(_write_rows(register, rows))
        await writing
    except BaseException:
        # The transaction is rolled back by the caller; let the chunk in flight finish first.
        if writing is not None and not writing.done():
            await asyncio.wait([writing])
        raise
    return head_seq, balance_deltas, daily_deltas


async def _write_rows(register: Register, rows: Rows) -> None:
    await register._db.executemany(
        "INSERT INTO entries (seq, ts, kind, memo, reference, source, external_id, status, price, reverses, "
        "drafted_by, approved_by, approved_at, prev_hash, hash, details) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows.entries,
    )
    await register._db.executemany(
        "INSERT INTO postings (entry_seq, idx, account_id, asset, units, ts) VALUES (?,?,?,?,?,?)", rows.postings
    )


async def _add_units(register: Register, table: str, key_cols: tuple[str, ...], deltas: dict[tuple, int]) -> None:
    """Add exact integer deltas to a units table (read, add in Python, write back)."""
    if not deltas:
        return
    current: dict[tuple, int] = {}
    match = " AND ".join(f"{c} = ?" for c in key_cols)
    for key in deltas:
        row = await register._one(f"SELECT units FROM {table} WHERE {match}", key)
        if row is not None:
            current[key] = from_db(row[0])
    cols = ", ".join(key_cols)
    marks = ", ".join("?" for _ in key_cols)
    await register._db.executemany(
        f"INSERT OR REPLACE INTO {table} ({cols}, units) VALUES ({marks}, ?)",
        [(*key, to_db(current.get(key, 0) + delta)) for key, delta in deltas.items()],
    )


async def ingest(register: Register, batch: Iterable[NewEntry]) -> IngestResult:
    entries = list(batch)
    if len(entries) >= THREAD_THRESHOLD:
        unique = await asyncio.to_thread(_folded_feed_batch, register, entries)
    else:
        unique = _folded_feed_batch(register, entries)
    if not unique:
        return IngestResult()

    def check(entry: NewEntry) -> None:
        catalogue.check(register, entry)

    async with register._db.write():
        existing = await _existing(register, list(unique))
        new = [e for k, e in unique.items() if k not in existing]
        updated = 0
        for key, (seq, status, reference) in existing.items():
            entry = unique[key]
            check(entry)
            changes = {}
            if entry.status and entry.status != status and status != "confirmed":
                changes["status"] = entry.status
            if entry.reference and entry.reference != reference and reference is None:
                changes["reference"] = entry.reference
            if changes:
                await _amend(register, seq, status, reference, changes)
                updated += 1
        if new:
            new.sort(key=lambda e: e.ts)
            # New entries are validated inside the write pipeline, chunk by chunk in the
            # worker thread; one bad entry rolls the whole transaction back.
            await append(register, new, Signatures(), check=check)
    return IngestResult(new=len(new), updated=updated, unchanged=len(unique) - len(new) - updated)


def _folded_feed_batch(register: Register, entries: list[NewEntry]) -> dict[tuple[str, str], NewEntry]:
    """Fold repeats of one (source, external_id) in a feed batch, keeping the most
    advanced state (confirmed, with a reference). Every entry is validated: a repeat and
    the entry it meets here, a timestamp at once (the batch is sorted by it), the rest
    where they are written. Runs in a worker thread for big batches: it is pure CPU."""
    unique: dict[tuple[str, str], NewEntry] = {}
    for entry in entries:
        if entry.source is None or entry.external_id is None:
            raise EntryRejected("an ingested entry needs source and external_id", field="external_id")
        if entry.kind in NEEDS_APPROVAL:
            raise EntryRejected(f"a {entry.kind} cannot come from a feed; draft it", field="kind")
        if not isinstance(entry.ts, datetime) or entry.ts.tzinfo is None:
            catalogue.check(register, entry)
        key = (entry.source, entry.external_id)
        seen = unique.get(key)
        if seen is not None:
            catalogue.check(register, seen)
            catalogue.check(register, entry)
        if seen is None or entry.status == "confirmed" or (entry.reference and not seen.reference):
            unique[key] = entry
    return unique


async def _existing(
    register: Register, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], tuple[int, str | None, str | None]]:
    conn = register._db
    await conn.execute("CREATE TEMP TABLE IF NOT EXISTS batch_keys (source TEXT, external_id TEXT)")
    await conn.execute("DELETE FROM batch_keys")
    await conn.executemany("INSERT INTO batch_keys VALUES (?, ?)", keys)
    rows = await register._all(
        "SELECT e.source, e.external_id, e.seq, COALESCE(s.status, e.status), COALESCE(s.reference, e.reference) "
        "FROM batch_keys b JOIN entries e ON e.source = b.source AND e.external_id = b.external_id "
        "LEFT JOIN entry_state s ON s.entry_seq = e.seq"
    )
    return {(r[0], r[1]): (r[2], r[3], r[4]) for r in rows}


async def _amend(
    register: Register, seq: int, status: str | None, reference: str | None, changes: dict[str, str]
) -> None:
    detail = {"before": {"status": status, "reference": reference}, "after": changes}
    action_seq = await actions.record(register, "amend", entry_seq=seq, detail=detail)
    await register._db.execute(
        "INSERT OR REPLACE INTO entry_state (entry_seq, status, reference, action_seq) VALUES (?, ?, ?, ?)",
        (seq, changes.get("status", status), changes.get("reference", reference), action_seq),
    )
    if "reference" in changes:
        await register._db.execute(
            "INSERT OR IGNORE INTO refs (ref, entry_seq) VALUES (?, ?)", (changes["reference"].lower(), seq)
        )
