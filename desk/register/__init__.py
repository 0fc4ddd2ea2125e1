"""The reserve register: desk's exact, append-only, hash-chained book of record.

Public API (all async on `Register`):

    async with Register.open(path, operator="aliya", create=False, clock=None) as reg:
        await reg.init_accounts(settings) -> list[str]          # new accounts
        await reg.post(NewEntry(...)) -> int                    # earning, payout, fee, seizure, opening
        await reg.ingest([NewEntry(source=..., external_id=...)]) -> IngestResult(new, updated, unchanged)
        await reg.draft(NewEntry(kind="transfer", ...)) -> int  # draft id
        await reg.approve(draft_id) -> int                      # seq; SelfApproval if the maker approves
        await reg.reject(draft_id, reason)
        await reg.drafts(state="pending") -> list[Draft]
        await reg.balance(account, asset_code, at=None) -> Amount
        await reg.balances(at=None) -> dict[(account, asset_code), Amount]
        reg.walk(PageFilter(...), newest_first=False) -> AsyncIterator[Entry]   # every match, page by page
        await reg.first(PageFilter(...), newest_first=True) -> Entry | None    # the newest (oldest) match
        await reg.page(PageFilter(...), before=key | after=key, limit=100) -> list[Entry]   # the screen's window
        await reg.entry(seq) -> Entry ; await reg.recent(n) ; await reg.count() ; await reg.head()
        await reg.verify(against=None) -> VerifyResult ; await reg.checkpoint() -> Checkpoint
        await reg.record_quotes([Quote(...)]) -> int ; await reg.price_at(base, quote, at, source=None) -> Quote | None
        reg.accounts() -> list[str] ; reg.assets() -> dict[str, Asset] ; reg.asset(code) -> Asset

Entries are `NewEntry(kind, ts, postings=(Posting(account, Amount), ...), memo, reference, source,
external_id, status, price, reverses)`; see entries.py for the rules they keep.
"""

from desk.register.chain import Checkpoint, VerifyResult
from desk.register.entries import KINDS, NEEDS_APPROVAL, Entry, NewEntry, Posting, reversal_of
from desk.register.errors import (
    EntryRejected,
    NotFound,
    NotPermitted,
    PolicyRefused,
    RegisterError,
    RegisterUnavailable,
    SelfApproval,
)
from desk.register.pages import PageFilter
from desk.register.register import Draft, IngestResult, Quote, Register

__all__ = [
    "KINDS",
    "NEEDS_APPROVAL",
    "Checkpoint",
    "Draft",
    "Entry",
    "EntryRejected",
    "IngestResult",
    "NewEntry",
    "NotFound",
    "NotPermitted",
    "PageFilter",
    "PolicyRefused",
    "Posting",
    "Quote",
    "Register",
    "RegisterError",
    "RegisterUnavailable",
    "SelfApproval",
    "VerifyResult",
    "reversal_of",
]
