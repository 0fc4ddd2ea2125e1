"""`desk verify`: every table that decides a figure, recomputed from what the chains hold.

- entries and postings: the entry hash chain, every posting dated as its entry;
- balances and per-day deltas: recomputed from the postings;
- the actions log: its hash chain, and what it says against the tables beside it —
  each draft row against its chained draft action, each approval against the entry it
  posted (exactly the drafted body, by a checker other than the maker), every entry that
  needs maker-checker posted by exactly one approval; amendments against the entries'
  current status and reference (and the reference index); valuations against their
  chained actions; policy proposals and approvals against what was proposed; every
  checkpoint recorded in the file against the chains it pinned, which also catches a cut
  tail whose counts and balances were repaired;
- the kept quotes: their own hash chain.

A table another part derives from the register (FIFO lots kept by the valuation, say) is
covered the same way, as a step of its own in `verify_file`: recompute it from what it
derives from and report through `Findings` (verify_findings.py) under a kind of its own.

Each kind of mismatch is reported once, with the first offending row and how many more
there are. It runs on a read-only connection of its own (call it in a worker thread):
`progress` is told how far each phase has come, so a terminal can show it.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from desk.register import quotes
from desk.register.backends import Where
from desk.register.backends.reader import open_reader
from desk.register.canonical import GENESIS, hash_body
from desk.register.chain import Checkpoint, Head
from desk.register.opening import Location, resolve
from desk.register.verify_actions import ActionWalk, check_requests, valuation_detail, walk_actions
from desk.register.verify_entries import EntryWalk, check_sums, walk_entries
from desk.register.verify_findings import CHUNK, Findings, Progress
from desk.register.verify_transfers import check_transfers

__all__ = ["Progress", "VerifyResult", "valuation_detail", "verify_file"]


@dataclass(slots=True)
class VerifyResult:
    entries: int = 0
    actions: int = 0
    quotes: int = 0
    head_hash: str = GENESIS
    #: one line per kind of mismatch, naming its first offending row
    problems: list[str] = field(default_factory=list)
    #: the kinds of mismatch found, in the order of `problems`
    kinds: list[str] = field(default_factory=list)
    first_bad_seq: int | None = None
    #: seconds each step took: entries, sums, actions, requests, quotes, checkpoints
    seconds: dict[str, Decimal] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_file(
    path: Location | Where, against: Checkpoint | None = None, progress: Progress | None = None
) -> VerifyResult:
    """Verify the register at `path`: an SQLite file, or the `[register]` settings (either
    backend); blocking, read-only (`Register.verify` runs it in a worker thread)."""
    conn = open_reader(path if isinstance(path, Where | Path) else resolve(path))
    try:
        found = Findings()
        result = VerifyResult()
        clock = _Stopwatch(result.seconds)
        entries = walk_entries(conn, found, against.seq if against else None, progress)
        result.entries, result.head_hash, result.first_bad_seq = entries.count, entries.head, entries.bad_seq
        clock.lap("entries")
        if entries.bad_seq is None:
            check_sums(conn, found, entries)
        clock.lap("sums")
        actions, seen = walk_actions(
            conn, found, entries, against.actions[0] if against and against.actions else None, progress
        )
        result.actions = actions.count
        clock.lap("actions")
        check_requests(conn, found, entries, seen)
        check_transfers(conn, found.add)
        clock.lap("requests")
        quote_walk = _walk_quotes(conn, found, against.quotes[0] if against and against.quotes else None, progress)
        result.quotes = quote_walk.count
        clock.lap("quotes")
        _check_recorded_checkpoints(conn, found, actions.checkpoints, entries, actions, quote_walk)
        if against is not None:
            _check_against(found, against, entries, actions, quote_walk)
        clock.lap("checkpoints")
        found.into(result)
        return result
    finally:
        conn.close()


class _Stopwatch:
    """Seconds per step of a verification, so its cost can be told apart (bench/register.py)."""

    def __init__(self, into: dict[str, Decimal]) -> None:
        self.into = into
        self.last = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.into[step] = Decimal(now - self.last).quantize(Decimal("0.001"))  # float-ok: elapsed seconds
        self.last = now


# ---------------------------------------------------------------- quotes


@dataclass(slots=True)
class _QuoteWalk:
    count: int = 0
    head: str = GENESIS
    bad: int | None = None
    pinned: str | None = None


def _walk_quotes(
    conn: sqlite3.Connection, found: Findings, stop_at: int | None, progress: Progress | None
) -> _QuoteWalk:
    walk = _QuoteWalk()
    (total,) = conn.execute("SELECT COALESCE(MAX(n), 0) FROM quotes").fetchone()
    cursor = conn.execute(f"SELECT n, {', '.join(quotes.COLUMNS)}, prev_hash, hash FROM quotes ORDER BY n")
    prev, expected = GENESIS, 1
    while rows := cursor.fetchmany(CHUNK):
        for n, *fields, prev_hash, digest in rows:
            if n is None:  # NULLs sort first: rows written behind desk's back
                found.add("quotes", f"the {fields[1]}/{fields[2]} quote of {fields[0]} at {fields[3]} is in no chain")
            elif walk.bad is not None:
                continue
            elif n != expected:
                walk.bad = expected
                found.add("quotes", f"quote #{expected} is missing from the kept quotes")
            elif prev_hash != prev or hash_body(prev, quotes.body(n, fields)) != digest:
                walk.bad = n
                found.add("quotes", f"quote #{n} ({fields[1]}/{fields[2]} of {fields[0]}) no longer matches its hash")
            else:
                prev, expected = digest, n + 1
                walk.count, walk.head = n, digest
                if n == stop_at:
                    walk.pinned = digest
        if progress is not None:
            progress("quotes", walk.count, total)
    return walk


# ---------------------------------------------------------------- checkpoints


def _check_recorded_checkpoints(
    conn: sqlite3.Connection,
    found: Findings,
    recorded: list[tuple[int, int, dict[str, Any]]],
    entries: EntryWalk,
    actions: ActionWalk,
    quote_walk: _QuoteWalk,
) -> None:
    """Each checkpoint the file recorded still reaches the heads it pinned: a tail cut off
    with the counts and balances repaired no longer reaches them."""
    for seq, entry_seq, detail in recorded:
        pins = [("entries", entry_seq, detail.get("hash"), entries.count, entries.bad_seq, "entries", "seq")]
        for chain, table, key, walk in (
            ("actions", "actions", "seq", actions),
            ("quotes", "quotes", "n", quote_walk),
        ):
            if isinstance(detail.get(chain), list) and len(detail[chain]) == 2:
                pos, digest = detail[chain]
                pins.append((chain, pos, digest, walk.count, _bad(walk), table, key))
        for chain, pos, digest, count, bad, table, key in pins:
            if pos == 0 or (bad is not None and pos >= bad):
                continue
            if pos > count:
                found.add(
                    "checkpoints",
                    f"checkpoint action #{seq} pinned {chain} #{pos}, but the register holds {count}: "
                    f"the {chain} were cut short",
                )
                continue
            row = conn.execute(f"SELECT hash FROM {table} WHERE {key} = ?", (pos,)).fetchone()
            if row is None or row[0] != digest:
                found.add("checkpoints", f"{chain} #{pos} no longer hashes as checkpoint action #{seq} recorded")


def _bad(walk: ActionWalk | _QuoteWalk) -> int | None:
    return walk.bad_seq if isinstance(walk, ActionWalk) else walk.bad


def _check_against(
    found: Findings, checkpoint: Checkpoint, entries: EntryWalk, actions: ActionWalk, quote_walk: _QuoteWalk
) -> None:
    """A checkpoint kept off the machine: each chain still reaches the head it wrote down."""
    pins: list[tuple[str, Head, int, int | None, str | None]] = [
        ("entries", (checkpoint.seq, checkpoint.head_hash), entries.count, entries.bad_seq, entries.pinned)
    ]
    if checkpoint.actions is not None:
        pins.append(("actions", checkpoint.actions, actions.count, actions.bad_seq, actions.pinned))
    if checkpoint.quotes is not None:
        pins.append(("quotes", checkpoint.quotes, quote_walk.count, quote_walk.bad, quote_walk.pinned))
    for chain, (pos, digest), count, bad, reached in pins:
        if pos == 0:
            continue
        if bad is not None and pos >= bad:
            found.add(
                "against",
                f"the checkpoint's {chain} #{pos} could not be checked: the {chain} chain is already broken at #{bad}",
            )
        elif reached is None:
            found.add(
                "against",
                f"checkpoint {chain} #{pos} is beyond the register's {count} {chain}: the register was truncated",
            )
        elif reached != digest:
            found.add(
                "against",
                f"{chain} #{pos} hashes to {reached[:16]}…, not the checkpoint's {digest[:16]}…: "
                f"{chain} up to the checkpoint were rewritten or reordered",
            )
