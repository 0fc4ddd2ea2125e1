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
derives from and report through `_Findings` under a kind of its own.

Each kind of mismatch is reported once, with the first offending row and how many more
there are. It runs on a read-only connection of its own (call it in a worker thread):
`progress` is told how far each phase has come, so a terminal can show it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from json.encoder import encode_basestring_ascii as _ascii
from pathlib import Path
from typing import Any

from desk.register import drafts, proposals, quotes
from desk.register.canonical import GENESIS, details_from_text, entry_body, hash_body
from desk.register.chain import Checkpoint, Head, action_hash
from desk.register.entries import NEEDS_APPROVAL
from desk.register.units import from_db
from desk.register.verify_transfers import check_transfers

#: Rows read per step (entries; postings take three times as many).
CHUNK = 20_000

#: phase ("entries", "actions", "quotes"), rows done, rows in all
Progress = Callable[[str, int, int], None]


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


class _Findings:
    """The first offending row of each kind of mismatch, and how many more there are."""

    def __init__(self) -> None:
        self.first: dict[str, str] = {}
        self.more: dict[str, int] = defaultdict(int)

    def add(self, kind: str, message: str) -> None:
        if kind in self.first:
            self.more[kind] += 1
        else:
            self.first[kind] = message

    def into(self, result: VerifyResult) -> None:
        for kind, message in self.first.items():
            more = self.more.get(kind, 0)
            result.problems.append(message + (f" (and {more} more like it)" if more else ""))
            result.kinds.append(kind)


def verify_file(path: Path, against: Checkpoint | None = None, progress: Progress | None = None) -> VerifyResult:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found = _Findings()
        result = VerifyResult()
        clock = _Stopwatch(result.seconds)
        entries = _walk_entries(conn, found, against.seq if against else None, progress)
        result.entries, result.head_hash, result.first_bad_seq = entries.count, entries.head, entries.bad_seq
        clock.lap("entries")
        if entries.bad_seq is None:
            _check_sums(conn, found, entries)
        clock.lap("sums")
        actions, seen = _walk_actions(
            conn, found, entries, against.actions[0] if against and against.actions else None, progress
        )
        result.actions = actions.count
        clock.lap("actions")
        _check_requests(conn, found, entries, seen)
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


# ---------------------------------------------------------------- entries and postings


@dataclass(slots=True)
class _EntryWalk:
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


def _walk_entries(
    conn: sqlite3.Connection, found: _Findings, stop_at: int | None, progress: Progress | None
) -> _EntryWalk:
    """Walk the entries in order with their postings; stop at the first entry that breaks
    the chain (everything after it is unproven)."""
    walk = _EntryWalk()
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
    if count != walk.count:
        found.add("entry-count", f"the register records {count} entries but holds {walk.count}")
    return walk


def _broken(walk: _EntryWalk, found: _Findings, seq: int, problem: str) -> _EntryWalk:
    walk.bad_seq = seq
    found.add("entries", problem)
    return walk


def _check_sums(conn: sqlite3.Connection, found: _Findings, walk: _EntryWalk) -> None:
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


# ---------------------------------------------------------------- the actions log


@dataclass(slots=True)
class _ActionWalk:
    count: int = 0
    head: str = GENESIS
    bad_seq: int | None = None
    pinned: str | None = None
    #: (action seq, entry seq, detail) of each checkpoint recorded in the log
    checkpoints: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)


@dataclass(slots=True)
class _Requests:
    """What the log says about drafts and policy proposals, to hold against their rows."""

    #: draft id -> (action seq, maker, body hash)
    drafted: dict[int, tuple[int, str, str]] = field(default_factory=dict)
    decided: dict[int, int] = field(default_factory=dict)
    #: entry seq -> approve action seq
    posted_by: dict[int, int] = field(default_factory=dict)
    #: proposal id -> (action seq, proposer, change text)
    proposed: dict[int, tuple[int, str, str]] = field(default_factory=dict)
    settled: dict[int, int] = field(default_factory=dict)
    #: entry seq -> (status, reference, amend action seq), replayed from the amendments
    state: dict[int, tuple[str | None, str | None, int]] = field(default_factory=dict)
    refs: set[tuple[str, int]] = field(default_factory=set)


def _walk_actions(
    conn: sqlite3.Connection, found: _Findings, entries: _EntryWalk, stop_at: int | None, progress: Progress | None
) -> tuple[_ActionWalk, _Requests]:
    walk = _ActionWalk()
    seen = _Requests()
    (total,) = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM actions").fetchone()
    valuations = _valuation_rows(conn)
    cursor = conn.execute(
        "SELECT seq, ts, operator, action, draft_id, entry_seq, detail, prev_hash, hash FROM actions ORDER BY seq"
    )
    prev, expected = GENESIS, 1
    while rows := cursor.fetchmany(CHUNK):
        for row in rows:
            if walk.bad_seq is None:
                if row[0] != expected:
                    walk.bad_seq = expected
                    found.add("actions", f"action #{expected} is missing from the actions log")
                elif row[7] != prev or action_hash(row) != row[8]:
                    walk.bad_seq = row[0]
                    found.add("actions", f"action #{row[0]} ({row[3]}) no longer matches its hash")
                else:
                    prev, expected = row[8], row[0] + 1
                    walk.count, walk.head = row[0], row[8]
                    if row[0] == stop_at:
                        walk.pinned = row[8]
            _read_action(row, found, entries, seen, walk, valuations)
        if progress is not None:
            progress("actions", rows[-1][0], total)
    for leftover in valuations:
        found.add("valuations", f"valuation row {leftover[0]} (entry #{leftover[1]}) has no chained valuation action")
    return walk, seen


def _read_action(
    row: tuple, found: _Findings, entries: _EntryWalk, seen: _Requests, walk: _ActionWalk, valuations: Iterator
) -> None:
    """Hold one action against what the log said before it and the tables beside it."""
    seq, _ts, operator, action, draft_id, entry_seq, text = row[:7]
    if action == "valuation":
        _check_valuation(row, next(valuations, None), found)
        return
    try:
        detail = json.loads(text)
    except ValueError:
        return  # the chain check above has named it
    if action == "draft":
        body, recorded = drafts.body_of(detail)
        digest = drafts.body_hash(body)
        if recorded is not None and recorded != digest:
            found.add("drafts", f"draft #{draft_id}: its chained body no longer matches the hash beside it")
        seen.drafted[draft_id] = (seq, operator, digest)
    elif action in drafts.DECISIONS:
        _check_decision(row, detail, found, entries, seen)
    elif action == "amend" and entry_seq is not None:
        before, after = detail.get("before", {}), detail.get("after", {})
        seen.state[entry_seq] = (
            after.get("status", before.get("status")),
            after.get("reference", before.get("reference")),
            seq,
        )
        if after.get("reference"):
            seen.refs.add((after["reference"].lower(), entry_seq))
    elif action == "checkpoint" and entry_seq is not None:
        walk.checkpoints.append((seq, entry_seq, detail))
    elif action == proposals.OPENED:
        change = proposals.change_text(detail.get("change", {}))
        seen.proposed[detail.get("proposal")] = (seq, operator, change)
    elif action in proposals.DECISIONS:
        _check_policy_decision(seq, operator, action, detail, found, seen)


def _check_decision(row: tuple, detail: dict[str, Any], found: _Findings, entries: _EntryWalk, seen: _Requests) -> None:
    seq, _ts, operator, action, draft_id, entry_seq = row[:6]
    opened = seen.drafted.get(draft_id)
    if opened is None:
        found.add("approvals", f"action #{seq} ({action}) decides draft #{draft_id}, which was never drafted")
        return
    if draft_id in seen.decided:
        found.add("approvals", f"action #{seq} decides draft #{draft_id} again (action #{seen.decided[draft_id]})")
        return
    seen.decided[draft_id] = seq
    if action == "reject":
        return
    _, maker, body_digest = opened
    if operator == maker:
        found.add("approvals", f"action #{seq}: {operator} approved their own draft #{draft_id}")
    if "draft_hash" in detail and detail["draft_hash"] != body_digest:
        found.add("approvals", f"action #{seq} approved a body other than draft #{draft_id}'s")
    if entry_seq is None:
        found.add("approvals", f"action #{seq} approves draft #{draft_id} but names no entry")
        return
    if entry_seq in seen.posted_by:
        found.add("approvals", f"entry #{entry_seq} is claimed by two approvals (#{seen.posted_by[entry_seq]}, #{seq})")
    seen.posted_by[entry_seq] = seq
    if entries.bad_seq is not None and entry_seq >= entries.bad_seq:
        return  # beyond where the entries could be proven
    posted = entries.approvable.get(entry_seq)
    if posted is None:
        found.add(
            "approvals",
            f"action #{seq} approves draft #{draft_id} as entry #{entry_seq}, which is no maker-checker entry",
        )
    elif posted[0] != body_digest:
        found.add(
            "approvals",
            f"entry #{entry_seq} is not what draft #{draft_id} drafted (approved by action #{seq}): "
            "the posted amounts, accounts or text differ from the chained draft",
        )
    elif (posted[1], posted[2]) != (maker, operator):
        found.add(
            "approvals",
            f"entry #{entry_seq} is signed {posted[1]}/{posted[2]}, but draft #{draft_id} was drafted by {maker} "
            f"and approved by {operator}",
        )


def _check_policy_decision(
    seq: int, operator: str, action: str, detail: dict[str, Any], found: _Findings, seen: _Requests
) -> None:
    proposal = detail.get("proposal")
    opened = seen.proposed.get(proposal)
    if opened is None:
        found.add("policy", f"action #{seq} ({action}) decides policy change #{proposal}, which was never proposed")
        return
    if proposal in seen.settled:
        found.add("policy", f"action #{seq} decides policy change #{proposal} again")
        return
    seen.settled[proposal] = seq
    if action == "policy_approve":
        if operator == opened[1]:
            found.add("policy", f"action #{seq}: {operator} approved their own policy change #{proposal}")
        if proposals.change_text(detail.get("change", {})) != opened[2]:
            found.add("policy", f"action #{seq} applies a change other than the one proposed as #{proposal}")


def _check_requests(conn: sqlite3.Connection, found: _Findings, entries: _EntryWalk, seen: _Requests) -> None:
    """Rows against the log: drafts, proposals, entry state, references; and every entry
    that needs maker-checker posted by an approval."""
    rows = {i: (maker, body) for i, maker, body in conn.execute("SELECT id, drafted_by, body FROM drafts")}
    for draft_id in sorted(rows.keys() | seen.drafted.keys()):
        opened, row = seen.drafted.get(draft_id), rows.get(draft_id)
        if row is None:
            found.add(
                "drafts", f"draft #{draft_id} was deleted from the drafts table (its chained action #{opened[0]})"
            )
        elif opened is None:
            found.add("drafts", f"draft #{draft_id} has no chained draft action (it was added behind desk's back)")
        elif (row[0], drafts.body_hash(row[1])) != (opened[1], opened[2]):
            found.add(
                "drafts", f"draft #{draft_id} differs from its chained draft action #{opened[0]} (the row changed)"
            )
    for seq in sorted(entries.approvable):
        if seq not in seen.posted_by:
            found.add("approvals", f"entry #{seq} needs maker-checker but no approval posted it")
    rows = {i: (by, body) for i, by, body in conn.execute("SELECT id, proposed_by, body FROM policy_proposals")}
    for proposal in sorted(rows.keys() | seen.proposed.keys(), key=str):
        opened, row = seen.proposed.get(proposal), rows.get(proposal)
        if row is None:
            found.add(
                "policy", f"policy change #{proposal} was deleted from its table (its chained action #{opened[0]})"
            )
        elif opened is None:
            found.add("policy", f"policy change #{proposal} has no chained policy_propose action")
        elif row != (opened[1], opened[2]):
            found.add(
                "policy", f"policy change #{proposal} differs from its chained action #{opened[0]} (the row changed)"
            )
    stored = {
        seq: (status, ref, action)
        for seq, status, ref, action in conn.execute("SELECT entry_seq, status, reference, action_seq FROM entry_state")
    }
    for seq in sorted(stored.keys() | seen.state.keys()):
        if stored.get(seq) != seen.state.get(seq):
            found.add(
                "entry-state",
                f"entry #{seq}'s current status and reference are not what its amendments recorded "
                f"(stored {stored.get(seq)}, amendments {seen.state.get(seq)})",
            )
    refs = set(conn.execute("SELECT ref, entry_seq FROM refs"))
    for ref, seq in sorted(refs ^ seen.refs, key=lambda r: r[1]):
        where = "not recorded by any amendment" if (ref, seq) in refs else "missing from the reference index"
        found.add("refs", f"reference {ref!r} of entry #{seq} is {where}")


# ---------------------------------------------------------------- valuations

_VALUATION_FIELDS = (
    "entry_seq, asset, units, revision, state, cause, price, price_currency, source, source_time, usd, kzt, "
    "kzt_rate, kzt_rate_date, kzt_rate_source, reason, valued_at, action_seq"
)


def _valuation_rows(conn: sqlite3.Connection) -> Iterator[tuple]:
    cursor = conn.execute(f"SELECT id, {_VALUATION_FIELDS} FROM valuations ORDER BY id")
    while rows := cursor.fetchmany(CHUNK):
        yield from rows


def valuation_detail(v: tuple) -> str:
    """The detail text the valuation action of a valuations row (id first) recorded: the
    row's fields as compact, key-sorted JSON (`json.dumps` of `Valuation.detail()`), written
    out directly, without a call per field: a million of them are compared."""
    q = _ascii
    (_id, _entry, asset, units, revision, state, cause, price, currency, source, source_time, usd, kzt, rate,
     rate_date, rate_source, reason) = v[:17]  # fmt: skip
    return (
        f'{{"asset":{q(asset)},"cause":{q(cause)},"kzt":{"null" if kzt is None else q(kzt)},'
        f'"kzt_rate":{"null" if rate is None else q(rate)},'
        f'"kzt_rate_date":{"null" if rate_date is None else q(rate_date)},'
        f'"kzt_rate_source":{"null" if rate_source is None else q(rate_source)},'
        f'"price":{"null" if price is None else q(price)},'
        f'"price_currency":{"null" if currency is None else q(currency)},'
        f'"reason":{"null" if reason is None else q(reason)},"revision":{revision},'
        f'"source":{"null" if source is None else q(source)},'
        f'"source_time":{"null" if source_time is None else q(source_time)},"state":{q(state)},'
        f'"units":{q(units)},"usd":{"null" if usd is None else q(usd)}}}'
    )


def _check_valuation(action: tuple, row: tuple | None, found: _Findings) -> None:
    seq, ts, _op, _name, _draft, entry_seq, text = action[:7]
    if row is None:
        found.add("valuations", f"the valuation recorded by action #{seq} (entry #{entry_seq}) is missing")
        return
    if row[18] != seq:
        found.add("valuations", f"valuation row {row[0]} is not the one action #{seq} recorded (rows were removed)")
        return
    if (row[1], row[17]) != (entry_seq, ts) or valuation_detail(row) != text:
        found.add("valuations", f"valuation row {row[0]} (entry #{row[1]}) differs from its chained action #{seq}")


# ---------------------------------------------------------------- quotes


@dataclass(slots=True)
class _QuoteWalk:
    count: int = 0
    head: str = GENESIS
    bad: int | None = None
    pinned: str | None = None


def _walk_quotes(
    conn: sqlite3.Connection, found: _Findings, stop_at: int | None, progress: Progress | None
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
    found: _Findings,
    recorded: list[tuple[int, int, dict[str, Any]]],
    entries: _EntryWalk,
    actions: _ActionWalk,
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


def _bad(walk: _ActionWalk | _QuoteWalk) -> int | None:
    return walk.bad_seq if isinstance(walk, _ActionWalk) else walk.bad


def _check_against(
    found: _Findings, checkpoint: Checkpoint, entries: _EntryWalk, actions: _ActionWalk, quote_walk: _QuoteWalk
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
