"""The reserve register: desk's exact, append-only, hash-chained book of record.

Public API (all async on `Register`):

    async with Register.open(path, operator="aliya", create=False, clock=None) as reg:
        await reg.init_accounts(settings) -> list[str]          # new accounts
        await reg.post(NewEntry(...), opening=()) -> int        # earning, payout, fee, seizure, opening
        await reg.ingest([NewEntry(source=..., external_id=...)]) -> IngestResult(new, updated, unchanged)
        await reg.draft(NewEntry(kind="transfer", ...)) -> int  # draft id
        await reg.approve(draft_id) -> int                      # seq; SelfApproval if the maker approves
        await reg.reject(draft_id, reason)
        await reg.drafts(state="pending", limit=200) -> list[Draft]  # as the chained draft actions hold them
        await reg.draft_by_id(id) ; await reg.partly_approved_drafts(exclude=None)
        await reg.balance(account, asset_code, at=None) -> Amount
        await reg.balances(at=None) -> dict[(account, asset_code), Amount]
        reg.walk(PageFilter(...), newest_first=False) -> AsyncIterator[Entry]   # every match, page by page
        await reg.first(PageFilter(...), newest_first=True) -> Entry | None    # the newest (oldest) match
        await reg.page(PageFilter(...), before=key | after=key, limit=100) -> list[Entry]   # the screen's window
        await reg.entry(seq) -> Entry ; await reg.recent(n) ; await reg.count() ; await reg.head()
        await reg.verify(against=None, progress=None) -> VerifyResult ; await reg.checkpoint() -> Checkpoint
        await reg.record_quotes([Quote(...)]) -> int ; await reg.price_at(base, quote, at, source=None) -> Quote | None
        reg.accounts() -> list[str] ; reg.assets() -> dict[str, Asset] ; reg.asset(code) -> Asset
        await reg.record_sync(...) ; await reg.sync_state()     # per feed: last poll, state, reason
        await reg.block_host(host, until, kind, reason) ; await reg.host_blocks(now) -> list[HostBlock]
        await reg.record_pool_days(pool, [(day, hs, basis, source)], quiet) ; await reg.pool_days(since, until)
        await reg.record_refusals(feed, [NewRefusal], since, until) -> open ; await reg.refusals(feed=, state=)
        await reg.acknowledge_refusal(id, note) -> action seq
        async with reg.transaction() as tx:                    # one write transaction a caller composes
            await tx.record(action, detail) ; await tx.append([NewEntry]) ; await tx.set_mark(key, value)
            await tx.add_proposal(change) -> id ; await tx.pending_proposal(id) -> ProposalRecord
        await reg.first_action(name) ; await reg.draft_approvers(draft_id) ; await reg.proposal_records(state, limit)
        await reg.entries_with_hash(prefix) -> list[int]         # the entry a chain hash (prefix) names

    Register.open(..., controls=guard): a `Guard` (guard.py; desk.controls.Controls implements it)
    judges every person's act inside its write transaction; without one, the default guard
    (`install_default`: desk.controls installs its Controls when loaded; else `OpenGuard`).
        await reg.period_credits(since, until, credited="income:", into="assets:", besides=()) -> Credits
                                                                 # a period's inflows summed (period.py)
        await reg.last_seq_in(since, until) -> int | None ; await reg.moves(accounts, since, until) -> list[Move]

    probe_register(path) -> RegisterProbe    # blocking, read-only: there? a register? private? (desk doctor)

    Register.open(settings.register, ...)   # the [register] settings: its url (sqlite:///… or
                                            # postgresql://user@host:port/db) or path; password from
                                            # the secrets dir / env (opening.py, backends/)
        await reg.create_roles() -> ("desk_writer", "desk_auditor")   # PostgreSQL only (roles.py)
        reg.location -> str                                           # the file, or the server and db

    Several desks on one register (desk_methods.py):
        reg.watch(since=None, interval=0.25) -> AsyncIterator[marker]   # yields when anyone commits
        await reg.copy_to(target, batch=5000, progress=None) -> CopyReport  # desk migrate: empty target only
        await claim_sync(settings.register) -> SyncClaim   # the register's one sync (sync_lock.py): a file
                                        # lock on SQLite, an advisory lock on PostgreSQL; SyncAlreadyRunning
                                        # names the holder; `await claim.release()`
        await holds_sync(settings.register, pid) -> bool   # does that process hold the claim now

Entries are `NewEntry(kind, ts, postings=(Posting(account, Amount), ...), memo, reference, source,
external_id, status, price, reverses)`; see entries.py for the rules they keep, rules.py for
which kinds may move money out of and into which accounts, text.py for what text may hold.
`verify_file(path or settings.register, against, progress)` is what `reg.verify` runs (verify.py).
"""

from desk.register.chain import Checkpoint
from desk.register.copying import CopyMismatch, CopyReport, TargetNotEmpty
from desk.register.decisions import rejection_reason
from desk.register.drafts import Draft
from desk.register.entries import KINDS, NEEDS_APPROVAL, Entry, NewEntry, Posting, reversal_of
from desk.register.errors import (
    EntryRejected,
    IntegrityError,
    NotFound,
    NotPermitted,
    PolicyRefused,
    RegisterError,
    RegisterUnavailable,
    RuleRefused,
    SelfApproval,
)
from desk.register.feedstate import HostBlock, NewRefusal, PoolDay, RefusedRow
from desk.register.guard import Approvals, Guard, OpenGuard, install_default
from desk.register.opening import Location
from desk.register.pages import PageFilter
from desk.register.posting import IngestResult
from desk.register.probe import RegisterProbe, probe_register
from desk.register.proposals import ProposalRecord
from desk.register.quotes import Quote
from desk.register.register import Register
from desk.register.sync_lock import SyncAlreadyRunning, SyncClaim, claim_sync, holds_sync
from desk.register.transaction import Transaction
from desk.register.verify import VerifyResult, verify_file

__all__ = [
    "KINDS",
    "NEEDS_APPROVAL",
    "Approvals",
    "Checkpoint",
    "CopyMismatch",
    "CopyReport",
    "Draft",
    "Entry",
    "EntryRejected",
    "Guard",
    "HostBlock",
    "IngestResult",
    "IntegrityError",
    "Location",
    "NewEntry",
    "NewRefusal",
    "NotFound",
    "NotPermitted",
    "OpenGuard",
    "PageFilter",
    "PolicyRefused",
    "PoolDay",
    "Posting",
    "ProposalRecord",
    "Quote",
    "RefusedRow",
    "Register",
    "RegisterError",
    "RegisterProbe",
    "RegisterUnavailable",
    "RuleRefused",
    "SelfApproval",
    "SyncAlreadyRunning",
    "SyncClaim",
    "TargetNotEmpty",
    "Transaction",
    "VerifyResult",
    "claim_sync",
    "holds_sync",
    "install_default",
    "probe_register",
    "rejection_reason",
    "reversal_of",
    "verify_file",
]
