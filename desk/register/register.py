"""The register: desk's book of record, written through this class only.

This class is the facade: every public method is the register's API (listed in
__init__.py) and delegates to the module that holds the idea — catalogue.py (assets and
accounts), posting.py (post, ingest and the append beneath them), decisions.py
(maker-checker), actions.py (the chained actions log, checkpoints),
reads.py (entries, balances, flows), walk.py and pages.py (keyset pages), quotes.py (the
price history), feedstate.py (what the sync keeps), transaction.py (one write transaction
for what a caller composes). The rows live in a storage backend (backends/: an SQLite file,
the default, or a PostgreSQL database several desks share), reached as `_db` by the modules
of this package. Every write is one short transaction (`_db.write()`);
a person's act is judged by the register's guard (guard.py), which desk.controls provides.
Nothing here knows about the screen, the feeds or the controls' rules.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desk.money import Amount, Asset
from desk.register import actions, catalogue, decisions, drafts, feedstate, hashes, posting, reads, roles, walk
from desk.register import proposals as proposal_store
from desk.register import quotes as quote_store
from desk.register.backends import Storage, Where
from desk.register.chain import Checkpoint
from desk.register.desk_methods import DeskMethods
from desk.register.drafts import Draft
from desk.register.entries import Entry, NewEntry
from desk.register.errors import NotFound
from desk.register.guard import Guard, default_guard
from desk.register.opening import Location, open_storage
from desk.register.pages import Key, PageFilter
from desk.register.period_methods import PeriodMethods
from desk.register.posting import IngestResult
from desk.register.quotes import Quote
from desk.register.transaction import Transaction
from desk.register.transfer_methods import TransferMethods
from desk.register.verify import Progress, VerifyResult, verify_file

if TYPE_CHECKING:
    from desk.config import DeskSettings

__all__ = ["Draft", "IngestResult", "Quote", "Register"]


def _now() -> datetime:
    return datetime.now(UTC)


class Register(TransferMethods, PeriodMethods, DeskMethods):
    """Open with `async with Register.open(path, operator=...) as reg:`."""

    def __init__(self, db: Storage, where: Where, operator: str, clock: Any, controls: Guard | None = None) -> None:
        self._db = db
        self._where = where
        #: the SQLite file, or for a register on PostgreSQL a place in desk's data dir (reports
        #: are written beside it); `location` names the register either way
        self.path = where.path or Path()
        self.location = str(where)
        self.operator = operator
        self._clock = clock or _now
        #: Judges every person's act inside its write transaction (desk.controls.Controls:
        #: roles, allowlist, limits and quorum); without one, the default guard (guard.py).
        self.controls: Guard = controls or default_guard()
        self._account_ids: dict[str, int] = {}
        self._assets: dict[str, int] = {}
        self._asset_objects: dict[str, Asset] = {}

    # ---------------------------------------------------------------- opening

    @classmethod
    @asynccontextmanager
    async def open(
        cls, where: Location, *, operator: str, create: bool = False, clock: Any = None, controls: Guard | None = None
    ) -> AsyncIterator[Register]:
        """Open the register at `where`: a path (an SQLite file), a `register.url`
        (`sqlite:///path` or `postgresql://user@host:port/db`) or the `[register]` settings
        (its url or path, and the password from the secrets dir or the environment)."""
        db, path, place = await open_storage(where, create=create)
        register = cls(db, place, operator, clock, controls)
        register.path = path
        try:
            await catalogue.load(register)
            yield register
        finally:
            await db.close()

    # ------------------------------------------- for the modules of this package (never outside)

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return await self._db.all(sql, params)

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        return await self._db.one(sql, params)

    # ---------------------------------------------------------------- catalogue

    async def init_accounts(self, settings: DeskSettings) -> list[str]:
        """Create the assets and accounts the configuration implies; return the new accounts.
        Idempotent; changing the precision of an asset already kept is refused."""
        return await catalogue.init_accounts(self, settings)

    async def add_account(self, path: str) -> None:
        """Open one more account (e.g. a new seizure case) outside the configuration."""
        await catalogue.add_account(self, path)

    def accounts(self) -> list[str]:
        return sorted(self._account_ids)

    def assets(self) -> dict[str, Asset]:
        return dict(self._asset_objects)

    def asset(self, code: str) -> Asset:
        """The register's asset `code`, exactly as written: codes are upper case, and `btc`
        is refused with the code it probably meant rather than taken for it."""
        return catalogue.asset(self, code)

    # ---------------------------------------------------------------- writing entries

    async def post(self, entry: NewEntry, *, opening: Sequence[str] = ()) -> int:
        """Post an entry that needs no second operator (earnings, payouts, fees, seizures,
        opening balances); return its seq. Transfers, conversions and reversals must be
        drafted and approved. `opening` names accounts to open in the same transaction (a
        new seizure case): opened only if the entry is posted."""
        return await posting.post(self, entry, opening)

    async def ingest(self, batch: Iterable[NewEntry]) -> IngestResult:
        """Write feed entries idempotently, keyed by (source, external_id), in one transaction.

        An entry already present is unchanged, unless it was `queued` and now arrives
        `confirmed` or with a reference (tx id) it lacked: then an `amend` action in the
        chained actions log records the change and the entry shows its new status and
        reference. Amounts of a posted entry never change; a changed amount is refused.
        """
        return await posting.ingest(self, batch)

    # ---------------------------------------------------------------- maker-checker

    async def draft(self, entry: NewEntry) -> int:
        """Record a draft for a second operator to approve; return its id. The chained
        `draft` action holds its canonical body and that body's hash (see drafts.py)."""
        return await decisions.draft(self, entry)

    async def approve(self, draft_id: int) -> int | None:
        """Approve a pending draft as this operator; return the seq once it is posted, or None
        while its quorum needs more distinct checkers (this approval is recorded). The maker
        approving their own draft is refused, and the attempt is recorded (decisions.py)."""
        return await decisions.approve(self, draft_id)

    async def reject(self, draft_id: int, reason: str) -> None:
        """Close a pending draft without posting it: a chained `reject` action with the reason."""
        await decisions.reject(self, draft_id, reason)

    async def draft_by_id(self, draft_id: int) -> Draft:
        return await drafts.by_id(self, draft_id)

    async def drafts(self, state: str = "pending", limit: int | None = 200) -> list[Draft]:
        """Drafts in `state` (pending, approved or rejected), newest first."""
        return await drafts.listing(self, state, limit)

    async def partly_approved_drafts(self, exclude: int | None = None) -> list[Draft]:
        """Pending drafts holding at least one quorum approval (they claim a window's share)."""
        return await drafts.partly_approved(self, exclude)

    # ---------------------------------------------------------------- the actions log

    async def actions(self, limit: int = 50) -> list[dict[str, Any]]:
        return await actions.recent(self, limit)

    async def record_action(self, action: str, detail: dict[str, Any]) -> int:
        """Append a domain record that is not an entry (e.g. a period's kWh for the mining
        fee) to the chained actions log, signed by this operator; return its seq. It is a
        person's act, so it needs the maker role, like posting an entry."""
        async with self.transaction() as tx:
            await self.controls.authorize(self, "post")
            return await tx.record(action, detail)

    async def actions_named(
        self, action: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Every action of one name, oldest first; recorded in [since, until) when given (a
        month's approvals are read, not every approval there ever was)."""
        return await actions.named(self, action, since=since, until=until)

    # ---------------------------------------------------------------- reading

    async def count(self) -> int:
        """The number of posted entries (maintained, not counted)."""
        return await reads.count(self)

    async def balance(self, account: str, asset: str, at: date | datetime | None = None) -> Amount:
        """The exact balance of `account` in `asset`, now or as of `at` (a date means the end
        of that UTC day)."""
        return await reads.balance(self, account, asset, at)

    async def balances(self, at: date | datetime | None = None) -> dict[tuple[str, str], Amount]:
        """Every non-zero balance, keyed by (account, asset)."""
        return await reads.balances(self, at)

    async def page(
        self,
        filters: PageFilter | None = None,
        *,
        before: Key | None = None,
        after: Key | None = None,
        limit: int = 100,
        oldest_first: bool = False,
    ) -> list[Entry]:
        """A window of entries for the screen, newest first: the `limit` entries older than
        `before`, or the `limit` next newer than `after`, or the newest ones when neither is
        given. With `oldest_first` (the screen's book read from its start), the `limit`
        entries next newer than `after` (from the oldest), oldest first. A reader that wants
        every match walks (`walk`) instead."""
        filters = filters or PageFilter()
        if oldest_first:
            if before is not None:
                raise ValueError("an oldest-first page continues after a key, not before one")
            keys = await walk.page_keys(self, filters, after, newest_first=False, limit=limit)
        elif after is not None:
            keys = await walk.page_keys(self, filters, after, newest_first=False, limit=limit)
            keys.reverse()
        else:
            keys = await walk.page_keys(self, filters, before, newest_first=True, limit=limit)
        return await reads.entries(self, [seq for _, seq in keys])

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
        entries = await reads.entries(self, [seq], with_amendments=True)
        if not entries:
            raise NotFound(f"no entry #{seq}")
        return entries[0]

    async def head(self) -> tuple[int, str]:
        return await reads.head(self)

    async def changes(self) -> tuple[int, int]:
        """A marker that moves whenever anyone commits to the register: SQLite's data_version
        (commits by other connections, e.g. a `desk sync`) or PostgreSQL's WAL position, and
        this connection's own changes. Cheap enough to ask a few times a second; no table is read."""
        return await self._db.changes()

    def act_as(self, operator: str) -> None:
        """Sign what follows as `operator` (the demo's switch between its two operators);
        outside the demo the operator is fixed when the register is opened."""
        if not operator.strip():
            raise ValueError("an operator needs a name")
        self.operator = operator

    async def flows(
        self, prefix: str, since: datetime, until: datetime, *, hourly: bool = False
    ) -> list[tuple[str, datetime, Amount]]:
        """Net change of every account under `prefix` (e.g. "income:mining:") per UTC day
        (from the `daily` table) or per hour (from postings) in [since, until), as
        (account, bucket start, amount) in time order. Buckets without movement are absent."""
        return await reads.flows(self, prefix, since, until, hourly=hourly)

    # ---------------------------------------------------------------- chain

    async def verify(self, against: Checkpoint | None = None, progress: Progress | None = None) -> VerifyResult:
        """Recompute the hash chains and every table derived from them, in a worker thread
        (`progress` is called from that thread; see verify.py)."""
        return await asyncio.to_thread(verify_file, self._where, against, progress)

    async def checkpoint(self) -> Checkpoint:
        """Pin the heads of the entries, the actions log and the kept quotes: print them and
        keep them off the machine. Also recorded in the actions log, so verify can hold a
        cut tail against it."""
        return await actions.checkpoint(self)

    # ---------------------------------------------------------------- what the sync keeps (feedstate.py)

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
        await feedstate.record_sync(
            self, feed, at=at, ok=ok, written=written, state=state, reason=reason, synced_through=synced_through
        )

    async def sync_state(self) -> dict[str, dict[str, Any]]:
        return await feedstate.sync_state(self)

    async def meta_value(self, key: str) -> str | None:
        """A mark the sync keeps under `key` in the meta table (e.g. `price_history:...`)."""
        return await feedstate.meta_value(self, key)

    async def set_meta(self, key: str, value: str) -> None:
        """Keep a sync mark under `key` (the register's own counters are not writable this way)."""
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

    # ---------------------------------------------------------------- prices (quotes.py)

    async def record_quotes(self, quotes: Iterable[Quote]) -> int:
        """Keep quotes in the price history; a quote already kept is ignored. Returns the
        number newly kept."""
        return await quote_store.record(self, quotes)

    async def price_at(self, base: str, quote: str, at: datetime, source: str | None = None) -> Quote | None:
        """The latest quote of `base` in `quote` at or before `at` (from `source` if given)."""
        return await quote_store.price_at(self, base, quote, at, source)

    # ---------------------------------------------------------------- i15: the seam (transaction, guard reads)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """One write transaction for what a caller composes (transaction.py): `tx.record`,
        `tx.append`, `tx.set_mark`, ... commit together or not at all."""
        async with self._db.write():
            yield Transaction(self)

    async def first_action(self, action: str) -> dict[str, Any] | None:
        """The oldest action of one name, or None ("was a policy change ever approved")."""
        return await actions.first(self, action)

    async def draft_approvers(self, draft_id: int) -> tuple[str, ...]:
        """The distinct checkers whose quorum approval a pending draft holds, in order."""
        return await actions.approvers(self, draft_id)

    async def proposal_records(self, state: str = "pending", limit: int = 200) -> list[proposal_store.ProposalRecord]:
        """Policy proposals in `state`, newest first, as their chained actions hold them."""
        return await proposal_store.listing(self, state, limit)

    # ---------------------------------------------------------------- i17: finding an entry by its hash

    async def entries_with_hash(self, prefix: str) -> list[int]:
        """The seqs (at most two: two say the prefix is ambiguous) whose chain hash starts with
        `prefix`, as the entry detail shows it (hashes.py)."""
        return await hashes.seqs_with_hash(self, prefix)

    # ---------------------------------------------------------------- i16: several desks (PostgreSQL)

    async def create_roles(self) -> tuple[str, ...]:
        """On a PostgreSQL register, create the desk_writer (insert and read, never rewrite
        history) and desk_auditor (read only) roles; refused on SQLite (roles.py)."""
        return await roles.create_roles(self)
