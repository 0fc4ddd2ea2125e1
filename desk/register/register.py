"""The register: desk's book of record, one SQLite file, written through this class only.

Every write is one short transaction (see `connection.immediate`) that appends entries with
their chained hashes, updates the maintained balances and counters, and records who did
what in the chained actions log. Reads are windowed. Nothing here knows about the screen
or the feeds.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiosqlite

from desk.money import Amount, Asset, to_decimal
from desk.register import connection, drafts, feedstate, rules, walk
from desk.register import quotes as quote_chain
from desk.register.accounts import account_kind, accounts_from_settings
from desk.register.canonical import GENESIS, chain_hash, details_from_text
from desk.register.chain import Checkpoint, action_payload
from desk.register.drafts import Draft
from desk.register.entries import (
    NEEDS_APPROVAL,
    Entry,
    NewEntry,
    Posting,
    format_ts,
    parse_ts,
    validate,
)
from desk.register.errors import EntryRejected, NotFound, RegisterError, SelfApproval
from desk.register.ledger import Rows, Signatures, checked_rows
from desk.register.pages import ENTRY_COLUMNS, ENTRY_JOINS, Key, PageFilter
from desk.register.text import check_text
from desk.register.units import from_db, to_db
from desk.register.verify import Progress, VerifyResult, verify_file

if TYPE_CHECKING:
    from desk.config import DeskSettings
    from desk.controls.engine import Controls
    from desk.register.moves import Move
    from desk.register.period import Credits

#: Entries at or above this batch size are prepared in a worker thread, off the event loop.
THREAD_THRESHOLD = 200
#: Entries hashed per step of a big batch's write pipeline (see `_append`).
PIPELINE_CHUNK = 10_000
SQL_VARS = 500


@dataclass(frozen=True, slots=True)
class IngestResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class Quote:
    """A price as the register keeps it: `price` units of `quote` per one `base`."""

    base: str
    quote: str
    price: Decimal
    source: str
    source_time: datetime
    received_time: datetime


def _now() -> datetime:
    return datetime.now(UTC)


class Register:
    """Open with `async with Register.open(path, operator=...) as reg:`."""

    def __init__(
        self, conn: aiosqlite.Connection, path: Path, operator: str, clock: Any, controls: Controls | None = None
    ) -> None:
        from desk.controls.engine import Controls  # here: desk.controls imports register modules

        self._conn = conn
        self.path = path
        self.operator = operator
        self._clock = clock or _now
        #: Roles, allowlist, limits and quorum, judged in the write path. Without a configured
        #: baseline only policy changes approved in this register apply.
        self.controls = controls or Controls()
        self._lock = asyncio.Lock()
        self._account_ids: dict[str, int] = {}
        self._assets: dict[str, int] = {}

    # ---------------------------------------------------------------- opening

    @classmethod
    @asynccontextmanager
    async def open(
        cls, path: Path, *, operator: str, create: bool = False, clock: Any = None, controls: Controls | None = None
    ) -> AsyncIterator[Register]:
        conn = await connection.connect(Path(path), create=create)
        register = cls(conn, Path(path), operator, clock, controls)
        try:
            await register._load_catalogue()
            yield register
        finally:
            await conn.close()

    async def _load_catalogue(self) -> None:
        self._account_ids = {path: i for i, path in await self._all("SELECT id, path FROM accounts")}
        self._assets = dict(await self._all("SELECT code, precision FROM assets"))
        #: one Asset per code, made once: readers build an amount per posting
        self._asset_objects = {code: Asset(code, precision) for code, precision in self._assets.items()}

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        async with self._conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        async with self._conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def init_accounts(self, settings: DeskSettings) -> list[str]:
        """Create the assets and accounts the configuration implies; return the new accounts.

        Idempotent. Changing the precision of an asset already in the register is refused:
        every stored amount would change meaning.
        """
        wanted = accounts_from_settings(settings)
        async with connection.immediate(self._conn, self._lock):
            existing = dict(await self._all("SELECT code, precision FROM assets"))
            for code, precision in settings.assets.items():
                if code in existing and existing[code] != precision:
                    raise EntryRejected(
                        f"assets.{code}: the register keeps {code} at {existing[code]} decimals; "
                        f"it cannot change to {precision}",
                        field="assets",
                    )
                if code not in existing:
                    await self._conn.execute("INSERT INTO assets (code, precision) VALUES (?, ?)", (code, precision))
            have = {path for (path,) in await self._all("SELECT path FROM accounts")}
            new = [path for path in wanted if path not in have]
            await self._conn.executemany(
                "INSERT INTO accounts (path, kind) VALUES (?, ?)", [(p, account_kind(p)) for p in new]
            )
        await self._load_catalogue()
        return new

    async def add_account(self, path: str) -> None:
        """Open one more account (e.g. a new seizure case) outside the configuration."""
        kind = account_kind(path)
        async with connection.immediate(self._conn, self._lock):
            await self._conn.execute("INSERT OR IGNORE INTO accounts (path, kind) VALUES (?, ?)", (path, kind))
        await self._load_catalogue()

    def accounts(self) -> list[str]:
        return sorted(self._account_ids)

    def assets(self) -> dict[str, Asset]:
        return dict(self._asset_objects)

    def asset(self, code: str) -> Asset:
        """The register's asset `code`, exactly as written: codes are upper case, and `btc`
        is refused with the code it probably meant rather than taken for it."""
        found = self._asset_objects.get(code)
        if found is None:
            meant = f"; asset codes are upper case: {code.upper()}" if code.upper() in self._assets else ""
            raise EntryRejected(
                f"asset {code!r} is not in the register{meant}; known: {', '.join(sorted(self._assets))}",
                field="asset",
            )
        return found

    # ---------------------------------------------------------------- writing

    def _check(self, entry: NewEntry, opening: Sequence[str] = ()) -> None:
        """Refuse `entry` unless it keeps every rule of an entry, its accounts exist (or are
        among `opening`, to be opened with it) and the account rules allow its moves."""
        validate(entry, self._assets)
        for posting in entry.postings:
            if posting.account not in self._account_ids and posting.account not in opening:
                raise EntryRejected(
                    f"account {posting.account} does not exist (add it to the config and run `desk init`)",
                    field="account",
                )
        rules.check_flows(entry)

    async def post(self, entry: NewEntry, *, opening: Sequence[str] = ()) -> int:
        """Post an entry that needs no second operator (earnings, payouts, fees, seizures,
        opening balances); return its seq. Transfers, conversions and reversals must be
        drafted and approved. `opening` names accounts to open in the same transaction (a
        new seizure case): opened only if the entry is posted."""
        if entry.kind in NEEDS_APPROVAL:
            raise EntryRejected(
                f"a {entry.kind} needs a second operator: draft it, and another operator approves it",
                field="kind",
            )
        for path in opening:
            account_kind(path)
        self._check(entry, opening)
        try:
            async with connection.immediate(self._conn, self._lock):
                await self.controls.authorize(self, "post")
                new = [p for p in opening if p not in self._account_ids]
                if new:
                    await self._conn.executemany(
                        "INSERT INTO accounts (path, kind) VALUES (?, ?)", [(p, account_kind(p)) for p in new]
                    )
                    await self._load_catalogue()
                seqs = await self._append([entry], Signatures(drafted_by=self.operator))
        except BaseException:
            if opening:
                await self._load_catalogue()  # the accounts opened in the rolled-back transaction are gone
            raise
        return seqs[0]

    async def _append(
        self, batch: Sequence[NewEntry], signatures: Signatures, *, check: Callable[[NewEntry], None] | None = None
    ) -> list[int]:
        """Inside a write transaction: chain and write `batch`, maintain balances."""
        head = await self._one("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1")
        head_seq, head_hash = head if head else (0, GENESIS)
        if len(batch) < THREAD_THRESHOLD:
            rows = checked_rows(
                batch,
                check,
                head_seq=head_seq,
                head_hash=head_hash,
                account_ids=self._account_ids,
                signatures=signatures,
            )
            await self._write_rows(rows)
            head_seq, balance_deltas, daily_deltas = rows.head_seq, rows.balance_deltas, rows.daily_deltas
        else:
            head_seq, balance_deltas, daily_deltas = await self._write_pipelined(
                batch, check, head_seq, head_hash, signatures
            )
        await self._add_units("balances", ("account_id", "asset"), balance_deltas)
        await self._add_units("daily", ("account_id", "asset", "day"), daily_deltas)
        await self._conn.execute("UPDATE meta SET value = value + ? WHERE key = 'entry_count'", (len(batch),))
        return list(range(head_seq - len(batch) + 1, head_seq + 1))

    async def _write_pipelined(
        self,
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
                    account_ids=self._account_ids,
                    signatures=signatures,
                )
                head_seq, head_hash = rows.head_seq, rows.head_hash
                for deltas, total in ((rows.balance_deltas, balance_deltas), (rows.daily_deltas, daily_deltas)):
                    for key, units in deltas.items():
                        total[key] += units
                if writing is not None:
                    await writing
                writing = asyncio.ensure_future(self._write_rows(rows))
            await writing
        except BaseException:
            # The transaction is rolled back by the caller; let the chunk in flight finish first.
            if writing is not None and not writing.done():
                await asyncio.wait([writing])
            raise
        return head_seq, balance_deltas, daily_deltas

    async def _write_rows(self, rows: Rows) -> None:
        await self._conn.executemany(
            "INSERT INTO entries (seq, ts, kind, memo, reference, source, external_id, status, price, reverses, "
            "drafted_by, approved_by, approved_at, prev_hash, hash, details) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows.entries,
        )
        await self._conn.executemany(
            "INSERT INTO postings (entry_seq, idx, account_id, asset, units, ts) VALUES (?,?,?,?,?,?)", rows.postings
        )

    async def _add_units(self, table: str, key_cols: tuple[str, ...], deltas: dict[tuple, int]) -> None:
        """Add exact integer deltas to a units table (read, add in Python, write back)."""
        if not deltas:
            return
        keys = list(deltas)
        current: dict[tuple, int] = {}
        match = " AND ".join(f"{c} = ?" for c in key_cols)
        for key in keys:
            row = await self._one(f"SELECT units FROM {table} WHERE {match}", key)
            if row is not None:
                current[key] = from_db(row[0])
        cols = ", ".join(key_cols)
        marks = ", ".join("?" for _ in key_cols)
        await self._conn.executemany(
            f"INSERT OR REPLACE INTO {table} ({cols}, units) VALUES ({marks}, ?)",
            [(*key, to_db(current.get(key, 0) + delta)) for key, delta in deltas.items()],
        )

    async def ingest(self, batch: Iterable[NewEntry]) -> IngestResult:
        """Write feed entries idempotently, keyed by (source, external_id), in one transaction.

        An entry already present is unchanged, unless it was `queued` and now arrives
        `confirmed` or with a reference (tx id) it lacked: then an `amend` action in the
        chained actions log records the change and the entry shows its new status and
        reference. Amounts of a posted entry never change; a changed amount is refused.
        """
        entries = list(batch)
        if len(entries) >= THREAD_THRESHOLD:
            unique = await asyncio.to_thread(self._folded_feed_batch, entries)
        else:
            unique = self._folded_feed_batch(entries)
        if not unique:
            return IngestResult()
        async with connection.immediate(self._conn, self._lock):
            existing = await self._existing(list(unique))
            new = [e for k, e in unique.items() if k not in existing]
            updated = 0
            for key, (seq, status, reference) in existing.items():
                entry = unique[key]
                self._check(entry)
                changes = {}
                if entry.status and entry.status != status and status != "confirmed":
                    changes["status"] = entry.status
                if entry.reference and entry.reference != reference and reference is None:
                    changes["reference"] = entry.reference
                if changes:
                    await self._amend(seq, status, reference, changes)
                    updated += 1
            if new:
                new.sort(key=lambda e: e.ts)
                # New entries are validated inside the write pipeline, chunk by chunk in the
                # worker thread; one bad entry rolls the whole transaction back.
                await self._append(new, Signatures(), check=self._check)
        return IngestResult(new=len(new), updated=updated, unchanged=len(unique) - len(new) - updated)

    def _folded_feed_batch(self, entries: list[NewEntry]) -> dict[tuple[str, str], NewEntry]:
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
                self._check(entry)
            key = (entry.source, entry.external_id)
            seen = unique.get(key)
            if seen is not None:
                self._check(seen)
                self._check(entry)
            if seen is None or entry.status == "confirmed" or (entry.reference and not seen.reference):
                unique[key] = entry
        return unique

    async def _existing(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, str | None, str | None]]:
        await self._conn.execute("CREATE TEMP TABLE IF NOT EXISTS batch_keys (source TEXT, external_id TEXT)")
        await self._conn.execute("DELETE FROM batch_keys")
        await self._conn.executemany("INSERT INTO batch_keys VALUES (?, ?)", keys)
        rows = await self._all(
            "SELECT e.source, e.external_id, e.seq, COALESCE(s.status, e.status), COALESCE(s.reference, e.reference) "
            "FROM batch_keys b JOIN entries e ON e.source = b.source AND e.external_id = b.external_id "
            "LEFT JOIN entry_state s ON s.entry_seq = e.seq"
        )
        return {(r[0], r[1]): (r[2], r[3], r[4]) for r in rows}

    async def _amend(self, seq: int, status: str | None, reference: str | None, changes: dict[str, str]) -> None:
        detail = {"before": {"status": status, "reference": reference}, "after": changes}
        action_seq = await self._record("amend", entry_seq=seq, detail=detail)
        await self._conn.execute(
            "INSERT OR REPLACE INTO entry_state (entry_seq, status, reference, action_seq) VALUES (?, ?, ?, ?)",
            (seq, changes.get("status", status), changes.get("reference", reference), action_seq),
        )
        if "reference" in changes:
            await self._conn.execute(
                "INSERT OR IGNORE INTO refs (ref, entry_seq) VALUES (?, ?)", (changes["reference"].lower(), seq)
            )

    async def _record(
        self,
        action: str,
        *,
        draft_id: int | None = None,
        entry_seq: int | None = None,
        detail: dict | None = None,
        at: datetime | None = None,
    ) -> int:
        """Inside a write transaction: append to the chained actions log (dated `at`, else now)."""
        head = await self._one("SELECT seq, hash FROM actions ORDER BY seq DESC LIMIT 1")
        seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
        body = json.dumps(detail or {}, sort_keys=True, separators=(",", ":"))
        row = (seq, format_ts(at or self._clock()), self.operator, action, draft_id, entry_seq, body)
        digest = chain_hash(prev, action_payload(row))
        await self._conn.execute(
            "INSERT INTO actions (seq, ts, operator, action, draft_id, entry_seq, detail, prev_hash, hash) "
            "VALUES (?,?,?,?,?,?,?,?,?)",
            (*row, prev, digest),
        )
        return seq

    # ---------------------------------------------------------------- maker-checker

    async def draft(self, entry: NewEntry) -> int:
        """Record a draft for a second operator to approve; return its id. The chained
        `draft` action holds its canonical body and that body's hash (see drafts.py)."""
        self._check(entry)
        body = drafts.draft_body(entry)
        async with connection.immediate(self._conn, self._lock):
            await self._check_reversal(entry)
            await self.controls.check_draft(self, entry)
            draft_id = await drafts.insert(self, body)
            await self._record("draft", draft_id=draft_id, detail=drafts.action_detail(body))
        return draft_id

    async def approve(self, draft_id: int) -> int | None:
        """Approve a pending draft as this operator; return the seq once it is posted, or None
        while its quorum needs more distinct checkers (this approval is recorded).

        What is posted is re-derived from the chained draft action, never from a row that
        could have been edited. The maker approving their own draft is refused, and the
        attempt is recorded. The controls judge the approval again (role, rules against
        today's window totals, quorum), and so do the account rules and the funds.
        """
        refused = False
        seq: int | None = None
        async with connection.immediate(self._conn, self._lock):
            draft = await drafts.pending(self, draft_id)
            if draft.drafted_by == self.operator:
                await self._record("refused_self_approval", draft_id=draft_id, detail={"maker": draft.drafted_by})
                refused = True
            elif (tally := await self.controls.check_approval(self, draft)).remaining:
                detail = {"approvals": len(tally.approvers), "required": tally.required}
                await self._record("approval", draft_id=draft_id, detail=detail)
            else:
                self._check(draft.entry)
                await self._check_reversal(draft.entry)
                await self._check_funds(draft.entry)
                now = self._clock()
                signatures = Signatures(
                    drafted_by=draft.drafted_by, approved_by=self.operator, approved_at=format_ts(now)
                )
                (seq,) = await self._append([draft.entry], signatures)
                detail: dict[str, Any] = {"draft_hash": draft.body_hash}
                if tally.required > 1:
                    detail.update(approvers=list(tally.approvers), required=tally.required)
                await self._record("approve", draft_id=draft_id, entry_seq=seq, detail=detail, at=now)
        if refused:
            raise SelfApproval(
                f"draft #{draft_id} was drafted by {self.operator}; a different operator must approve it "
                "(the attempt is recorded)"
            )
        return seq

    async def reject(self, draft_id: int, reason: str) -> None:
        """Close a pending draft without posting it: a chained `reject` action with the reason."""
        if not reason.strip():
            raise EntryRejected("a rejection needs a reason", field="reason")
        reason = check_text(reason, "reason", required=True)
        async with connection.immediate(self._conn, self._lock):
            await self.controls.check_reject(self, await drafts.pending(self, draft_id))
            await self._record("reject", draft_id=draft_id, detail={"reason": reason})

    async def _check_funds(self, entry: NewEntry) -> None:
        """An approval may not take a wallet, exchange or reserve account below zero."""
        takes = rules.funds_needed(entry.postings)
        held = {key: (await self.balance(*key)).units for key in takes}
        refusal = rules.funds_refusal(entry.postings, held)
        if refusal is not None:
            raise refusal

    async def _check_reversal(self, entry: NewEntry) -> None:
        """A reversal undoes exactly one posted entry, once (rules `reversal:*`)."""
        if entry.kind != "reversal" or entry.reverses is None:
            return
        try:
            original = await self.entry(entry.reverses)
        except NotFound:
            original = None
        reversed_by = await self._reversed_by(entry.reverses)
        refusal = rules.reversal_refusal(entry, original, reversed_by)
        if refusal is not None:
            raise refusal

    async def _reversed_by(self, seq: int) -> int | None:
        row = await self._one("SELECT seq FROM entries WHERE kind = 'reversal' AND reverses = ? LIMIT 1", (seq,))
        return row[0] if row else None

    async def draft_by_id(self, draft_id: int) -> Draft:
        return await drafts.by_id(self, draft_id)

    async def drafts(self, state: str = "pending", limit: int | None = 200) -> list[Draft]:
        """Drafts in `state` (pending, approved or rejected), newest first."""
        return await drafts.listing(self, state, limit)

    async def partly_approved_drafts(self, exclude: int | None = None) -> list[Draft]:
        """Pending drafts holding at least one quorum approval (they claim a window's share)."""
        return await drafts.partly_approved(self, exclude)

    async def actions(self, limit: int = 50) -> list[dict[str, Any]]:
        rows = await self._all(
            "SELECT seq, ts, operator, action, draft_id, entry_seq, detail FROM actions ORDER BY seq DESC LIMIT ?",
            (limit,),
        )
        return [action_payload(r) for r in rows]

    async def record_action(self, action: str, detail: dict[str, Any]) -> int:
        """Append a domain record that is not an entry (e.g. a period's kWh for the mining
        fee) to the chained actions log, signed by this operator; return its seq. It is a
        person's act, so it needs the maker role, like posting an entry."""
        _check_detail_text(action, detail)
        async with connection.immediate(self._conn, self._lock):
            await self.controls.authorize(self, "post")
            return await self._record(action, detail=detail)

    async def actions_named(
        self, action: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Every action of one name, oldest first; recorded in [since, until) when given (a
        month's approvals are read, not every approval there ever was)."""
        where, params = "action = ?", [action]
        if since is not None:
            where, params = where + " AND ts >= ?", [*params, format_ts(since)]
        if until is not None:
            where, params = where + " AND ts < ?", [*params, format_ts(until)]
        rows = await self._all(
            f"SELECT seq, ts, operator, action, draft_id, entry_seq, detail FROM actions WHERE {where} ORDER BY seq",
            params,
        )
        return [action_payload(r) for r in rows]

    async def resolve_break(self, break_id: str, note: str, detail: dict[str, Any] | None = None) -> int:
        """Record this operator's resolution of a reconciliation break (a `resolve_break`
        action in the chained log, with the note and what the break was); return its seq.
        A break is resolved once: a second resolution of the same id is refused."""
        if not note.strip():
            raise EntryRejected("a resolution needs a note saying what the break was", field="note")
        note = check_text(note, "note", required=True)
        if not break_id or len(break_id) > 64:
            raise EntryRejected(f"{break_id!r} is not a break id", field="break")
        async with connection.immediate(self._conn, self._lock):
            # Accepting a break as explained is a checker's judgement, as an approval is.
            await self.controls.authorize(self, "approve")
            for (body,) in await self._all("SELECT detail FROM actions WHERE action = 'resolve_break'"):
                if json.loads(body).get("break") == break_id:
                    raise EntryRejected(f"break {break_id} is already resolved", field="break")
            return await self._record("resolve_break", detail={**(detail or {}), "break": break_id, "note": note})

    async def resolved_breaks(self) -> dict[str, dict[str, Any]]:
        """Every resolved break id with its note, operator, time and action seq."""
        rows = await self._all(
            "SELECT seq, ts, operator, detail FROM actions WHERE action = 'resolve_break' ORDER BY seq"
        )
        resolved = {}
        for seq, ts, operator, body in rows:
            detail = json.loads(body)
            resolved[detail["break"]] = {"note": detail["note"], "by": operator, "at": parse_ts(ts), "seq": seq}
        return resolved

    # ---------------------------------------------------------------- reading

    async def count(self) -> int:
        """The number of posted entries (maintained, not counted)."""
        row = await self._one("SELECT value FROM meta WHERE key = 'entry_count'")
        return int(row[0]) if row else 0

    async def balance(self, account: str, asset: str, at: date | datetime | None = None) -> Amount:
        """The exact balance of `account` in `asset`, now or as of `at` (a date means the end
        of that UTC day)."""
        the_asset = self.asset(asset)
        account_id = self._account_ids.get(account)
        if account_id is None:
            raise NotFound(f"no account {account}")
        if at is None:
            row = await self._one("SELECT units FROM balances WHERE account_id = ? AND asset = ?", (account_id, asset))
            return Amount.from_units(the_asset, from_db(row[0]) if row else 0)
        return Amount.from_units(the_asset, await self._units_at(account_id, asset, at))

    async def _units_at(self, account_id: int, asset: str, at: date | datetime) -> int:
        if not isinstance(at, datetime):
            at = datetime.combine(at, time(0), tzinfo=UTC) + timedelta(days=1)
        cut = format_ts(at)
        day = cut[:10]
        total = sum(
            from_db(u)
            for (u,) in await self._all(
                "SELECT units FROM daily WHERE account_id = ? AND asset = ? AND day < ?", (account_id, asset, day)
            )
        )
        total += sum(
            from_db(u)
            for (u,) in await self._all(
                "SELECT units FROM postings WHERE account_id = ? AND asset = ? AND ts >= ? AND ts < ?",
                (account_id, asset, day + "T00:00:00.000000Z", cut),
            )
        )
        return total

    async def balances(self, at: date | datetime | None = None) -> dict[tuple[str, str], Amount]:
        """Every non-zero balance, keyed by (account, asset)."""
        paths = {i: p for p, i in self._account_ids.items()}
        result: dict[tuple[str, str], Amount] = {}
        if at is None:
            for account_id, asset, units in await self._all("SELECT account_id, asset, units FROM balances"):
                if from_db(units):
                    result[(paths[account_id], asset)] = Amount.from_units(self.asset(asset), from_db(units))
        else:
            pairs = await self._all("SELECT DISTINCT account_id, asset FROM daily")
            for account_id, asset in pairs:
                units = await self._units_at(account_id, asset, at)
                if units:
                    result[(paths[account_id], asset)] = Amount.from_units(self.asset(asset), units)
        return dict(sorted(result.items()))

    async def page(
        self,
        filters: PageFilter | None = None,
        *,
        before: Key | None = None,
        after: Key | None = None,
        limit: int = 100,
    ) -> list[Entry]:
        """A window of entries for the screen, newest first: the `limit` entries older than
        `before`, or the `limit` next newer than `after`, or the newest ones when neither is
        given. A reader that wants every match walks (`walk`) instead."""
        filters = filters or PageFilter()
        if after is not None:
            keys = await walk.page_keys(self, filters, after, newest_first=False, limit=limit)
            keys.reverse()
        else:
            keys = await walk.page_keys(self, filters, before, newest_first=True, limit=limit)
        return await self._entries([seq for _, seq in keys])

    def walk(
        self, filters: PageFilter | None = None, *, newest_first: bool = False, page_size: int | None = None
    ) -> AsyncIterator[Entry]:
        """Every entry `filters` match, oldest first (or newest first), read a keyset page at
        a time in bounded memory (see walk.py; the page size is not the caller's concern)."""
        return walk.walk(self, filters or PageFilter(), newest_first=newest_first, page_size=page_size)

    async def first(self, filters: PageFilter | None = None, *, newest_first: bool = True) -> Entry | None:
        """The newest (or oldest) entry `filters` match, or None: "the last payout", "is
        this tx id recorded"."""
        return await walk.first(self, filters or PageFilter(), newest_first=newest_first)

    async def recent(self, n: int = 20) -> list[Entry]:
        return await self.page(limit=n)

    async def entry(self, seq: int) -> Entry:
        entries = await self._entries([seq], with_amendments=True)
        if not entries:
            raise NotFound(f"no entry #{seq}")
        return entries[0]

    async def _entries(self, seqs: list[int], *, with_amendments: bool = False) -> list[Entry]:
        if not seqs:
            return []
        marks = ",".join("?" * len(seqs))
        rows = {
            r[0]: r
            for r in await self._all(
                f"SELECT {ENTRY_COLUMNS} FROM entries e {ENTRY_JOINS} WHERE e.seq IN ({marks})",
                seqs,
            )
        }
        return await self._built([rows[seq] for seq in seqs if seq in rows], with_amendments=with_amendments)

    async def _built(self, rows: list[tuple], *, with_amendments: bool = False) -> list[Entry]:
        """Entries from their rows (ENTRY_COLUMNS), in the rows' order, with their postings."""
        if not rows:
            return []
        seqs = [r[0] for r in rows]
        marks = ",".join("?" * len(seqs))
        paths = {i: p for p, i in self._account_ids.items()}
        assets, units_of = self._asset_objects, Amount.from_units
        postings: dict[int, list[Posting]] = {seq: [] for seq in seqs}
        for seq, account_id, asset, units in await self._all(
            f"SELECT entry_seq, account_id, asset, units FROM postings WHERE entry_seq IN ({marks}) "
            "ORDER BY entry_seq, idx",
            seqs,
        ):
            postings[seq].append(Posting(paths[account_id], units_of(assets[asset], from_db(units))))
        amendments: dict[int, tuple] = {}
        if with_amendments:
            for seq, ts, operator, detail in await self._all(
                "SELECT entry_seq, ts, operator, detail FROM actions "
                f"WHERE action = 'amend' AND entry_seq IN ({marks}) ORDER BY seq",
                seqs,
            ):
                after = json.loads(detail)["after"]
                amendments[seq] = (*amendments.get(seq, ()), {"ts": ts, "by": operator, **after})
        result = []
        for r in rows:
            seq = r[0]
            result.append(
                Entry(
                    seq=seq,
                    ts=parse_ts(r[1]),
                    kind=r[2],
                    memo=r[3],
                    reference=r[4],
                    source=r[5],
                    external_id=r[6],
                    status=r[7],
                    price=Decimal(r[8]) if r[8] else None,
                    reverses=r[9],
                    drafted_by=r[10],
                    approved_by=r[11],
                    approved_at=parse_ts(r[12]) if r[12] else None,
                    prev_hash=r[13],
                    hash=r[14],
                    postings=tuple(postings[seq]),
                    amendments=amendments.get(seq, ()),
                    details=details_from_text(r[15]),
                )
            )
        return result

    async def head(self) -> tuple[int, str]:
        row = await self._one("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1")
        return (row[0], row[1]) if row else (0, GENESIS)

    async def changes(self) -> tuple[int, int]:
        """A marker that moves whenever anyone commits to the register: SQLite's data_version
        (commits by other connections, e.g. a `desk sync`) and this connection's own changes.
        Cheap enough to ask a few times a second; no table is read."""
        row = await self._one("PRAGMA data_version")
        return (row[0] if row else 0, self._conn.total_changes)

    def act_as(self, operator: str) -> None:
        """Sign what follows as `operator` (the demo's switch between its two operators);
        outside the demo the operator is fixed when the register is opened."""
        if not operator.strip():
            raise ValueError("an operator needs a name")
        self.operator = operator

    # ---------------------------------------------------------------- chain

    async def verify(self, against: Checkpoint | None = None, progress: Progress | None = None) -> VerifyResult:
        """Recompute the hash chains and every table derived from them, in a worker thread
        (`progress` is called from that thread; see verify.py)."""
        return await asyncio.to_thread(verify_file, self.path, against, progress)

    async def checkpoint(self) -> Checkpoint:
        """Pin the heads of the entries, the actions log and the kept quotes: print them and
        keep them off the machine. Also recorded in the actions log, so verify can hold a
        cut tail against it."""
        async with connection.immediate(self._conn, self._lock):
            seq, digest = await self.head()
            if seq == 0:
                raise RegisterError("the register is empty: nothing to checkpoint yet")
            actions = await self._one("SELECT seq, hash FROM actions ORDER BY seq DESC LIMIT 1")
            kept = await self._one("SELECT n, hash FROM quotes WHERE n IS NOT NULL ORDER BY n DESC LIMIT 1")
            point = Checkpoint(
                seq,
                digest,
                format_ts(self._clock()),
                self.operator,
                actions=(actions[0], actions[1]) if actions else (0, GENESIS),
                quotes=(kept[0], kept[1]) if kept else (0, GENESIS),
            )
            detail = {"hash": digest, "actions": list(point.actions or ()), "quotes": list(point.quotes or ())}
            await self._record("checkpoint", entry_seq=seq, detail=detail)
        return point

    # ---------------------------------------------------------------- sync state

    async def record_sync(
        self,
        feed: str,
        *,
        at: datetime,
        ok: bool,
        written: int,
        state: str,
        reason: str | None,
        synced_through: date | None = None,
    ) -> None:
        """Remember a feed's last poll: when, whether it succeeded, how far it has synced."""
        async with connection.immediate(self._conn, self._lock):
            await self._conn.execute(
                "INSERT INTO sync_state (feed, last_attempt, last_ok, synced_through, written, state, reason) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(feed) DO UPDATE SET last_attempt = excluded.last_attempt, "
                "last_ok = COALESCE(excluded.last_ok, last_ok), "
                "synced_through = COALESCE(excluded.synced_through, synced_through), "
                "written = written + excluded.written, state = excluded.state, reason = excluded.reason",
                (
                    feed,
                    format_ts(at),
                    format_ts(at) if ok else None,
                    synced_through.isoformat() if synced_through else None,
                    written,
                    state,
                    reason,
                ),
            )

    async def sync_state(self) -> dict[str, dict[str, Any]]:
        rows = await self._all(
            "SELECT feed, last_attempt, last_ok, synced_through, written, state, reason FROM sync_state ORDER BY feed"
        )
        return {
            r[0]: {
                "last_attempt": parse_ts(r[1]),
                "last_ok": parse_ts(r[2]) if r[2] else None,
                "synced_through": date.fromisoformat(r[3]) if r[3] else None,
                "written": r[4],
                "state": r[5],
                "reason": r[6],
            }
            for r in rows
        }

    # ---------------------------------------------------------------- feed state (feedstate.py)

    async def meta_value(self, key: str) -> str | None:
        """A mark the sync keeps under `key` in the meta table (e.g. `price_history:...`)."""
        return await feedstate.meta_value(self, key)

    async def set_meta(self, key: str, value: str) -> None:
        """Keep a sync mark under `key` (the register's own counters are not writable this way)."""
        if not key.startswith("price_history:"):
            raise EntryRejected(f"meta key {key!r} is not a sync mark (price_history:...)", field="key")
        await feedstate.set_meta(self, key, value)

    async def block_host(self, host: str, until: datetime, kind: str, reason: str) -> None:
        """Remember that `host` banned desk (`ban`) or asked it to wait (`rate_limit`) until `until`."""
        await feedstate.block_host(self, host, until, kind, reason)

    async def host_blocks(self, now: datetime) -> list[feedstate.HostBlock]:
        """The host blocks still in force at `now`."""
        return await feedstate.host_blocks(self, now)

    async def record_pool_days(
        self, pool: str, hashrates: Iterable[tuple[date, Decimal, str, str]], quiet: dict[date, int]
    ) -> None:
        """Keep a pool's hashrate per day `(day, H/s, basis, source)` and its days of zero rows."""
        await feedstate.record_pool_days(self, pool, hashrates, quiet)

    async def pool_days(self, since: date, until: date) -> list[feedstate.PoolDay]:
        """Every pool's recorded days (hashrate, zero rows) in [since, until]."""
        return await feedstate.pool_days(self, since, until)

    async def record_refusals(
        self, feed: str, refused: Sequence[feedstate.NewRefusal], since: date, until: date
    ) -> list[feedstate.RefusedRow]:
        """Note the rows a good read of `feed`'s window [since, until] refused, resolve the
        window's open ones it no longer refused; return the feed's open refusals."""
        return await feedstate.record_refusals(self, feed, refused, since, until)

    async def refusals(self, *, feed: str | None = None, state: str = "open") -> list[feedstate.RefusedRow]:
        """Refused feed rows in `state` (open, resolved, acknowledged), oldest day first."""
        return await feedstate.refusals(self, feed=feed, state=state)

    async def acknowledge_refusal(self, refusal_id: int, note: str = "") -> int:
        """Accept an open refused row as not to be written (a chained action); return its seq."""
        return await feedstate.acknowledge_refusal(self, refusal_id, note)

    # ---------------------------------------------------------------- prices

    async def record_quotes(self, quotes: Iterable[Quote]) -> int:
        """Keep quotes in the price history; a quote already kept is ignored. Returns the
        number newly kept."""
        rows = [
            (
                q.source,
                q.base,
                q.quote,
                format_ts(q.source_time),
                str(to_decimal(q.price, what="price")),
                format_ts(q.received_time),
            )
            for q in quotes
        ]
        if not rows:
            return 0
        async with connection.immediate(self._conn, self._lock):
            return await quote_chain.insert_new(self, rows)

    async def price_at(self, base: str, quote: str, at: datetime, source: str | None = None) -> Quote | None:
        """The latest quote of `base` in `quote` at or before `at` (from `source` if given)."""
        sql = (
            "SELECT source, base, quote, source_time, price, received_time FROM quotes "
            "WHERE base = ? AND quote = ? AND source_time <= ?"
        )
        params: list[Any] = [base, quote, format_ts(at)]
        if source:
            sql += " AND source = ?"
            params.append(source)
        row = await self._one(sql + " ORDER BY source_time DESC LIMIT 1", params)
        if row is None:
            return None
        return Quote(
            base=row[1],
            quote=row[2],
            price=Decimal(row[4]),
            source=row[0],
            source_time=parse_ts(row[3]),
            received_time=parse_ts(row[5]),
        )

    async def flows(
        self, prefix: str, since: datetime, until: datetime, *, hourly: bool = False
    ) -> list[tuple[str, datetime, Amount]]:
        """Net change of every account under `prefix` (e.g. "income:mining:") per UTC day
        (from the `daily` table) or per hour (from postings) in [since, until), as
        (account, bucket start, amount) in time order. Buckets without movement are absent."""
        ids = {i: p for p, i in self._account_ids.items() if p.startswith(prefix)}
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        sums: dict[tuple[str, str, str], int] = {}
        if hourly:
            rows = await self._all(
                f"SELECT account_id, asset, substr(ts, 1, 13), units FROM postings WHERE account_id IN ({marks}) "
                "AND ts >= ? AND ts < ?",
                [*ids, format_ts(since), format_ts(until)],
            )
        else:
            rows = await self._all(
                f"SELECT account_id, asset, day, units FROM daily WHERE account_id IN ({marks}) "
                "AND day >= ? AND day < ?",
                [*ids, format_ts(since)[:10], format_ts(until)[:10]],
            )
        for account_id, asset, bucket, units in rows:
            key = (ids[account_id], asset, bucket)
            sums[key] = sums.get(key, 0) + from_db(units)
        result = []
        for (account, asset, bucket), units in sums.items():
            start = datetime.fromisoformat(bucket + (":00" if hourly else "")).replace(tzinfo=UTC)
            result.append((account, start, Amount.from_units(self.asset(asset), units)))
        return sorted(result, key=lambda r: (r[1], r[0], r[2].asset.code))

    # ---------------------------------------------------------------- a period read whole (period.py, moves.py)
    # (imported here, not at the top, so that this block is the only change to this file)

    async def period_credits(
        self, since: datetime, until: datetime, *, credited: str, into: str, besides: Sequence[str] = ()
    ) -> Credits:
        """The inflows dated in [since, until) summed per credited account, asset and day,
        with their frozen valuations summed: the monthly report's totals without reading
        the month entry by entry (see period.py)."""
        from desk.register import period

        return await period.credits(self, since, until, credited=credited, into=into, besides=besides)

    async def last_seq_in(self, since: datetime, until: datetime) -> int | None:
        """The highest seq among the entries dated in [since, until), or None."""
        from desk.register import period

        return await period.last_seq(self, since, until)

    async def moves(self, accounts: Sequence[str], since: datetime, until: datetime) -> list[Move]:
        """Each entry dated in [since, until) that posts to one of `accounts`, with what it
        posts to each of them, in (time, seq) order, read in one pass (see moves.py)."""
        from desk.register import moves

        return await moves.moves(self, accounts, since, until)


def _check_detail_text(where: str, value: Any) -> None:
    """Every text in a domain record's detail is printable text (as an entry's memo is)."""
    if isinstance(value, str):
        check_text(value, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_detail_text(f"{where}.{key}", item)
    elif isinstance(value, list):
        for item in value:
            _check_detail_text(where, item)
