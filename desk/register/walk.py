"""One way to walk the register: every entry a filter matches, in time order, a keyset page
at a time.

Every reader that needs more than one screenful (the export, sell-through, the monthly
report, reconciliation, proof-of-reserves inflows) walks through here, so none keeps a paging
loop of its own and none can stop at the first page. Memory is bounded by the page size,
whatever the size of the register; the cost of each page does not grow with it (pages.py
maps every filter onto an index).

The page size is this module's `PAGE_SIZE`, read when a walk starts; callers never choose it
(tests set it to a few entries so that every walk crosses page boundaries).

A walk reads in pages, not in one snapshot: an entry written while a walk is under way is
seen if it sorts after the page being read, and never twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import TYPE_CHECKING

from desk.register import reads
from desk.register.entries import Entry
from desk.register.pages import ENTRY_COLUMNS, ENTRY_JOINS, Key, PageFilter, entries_query, page_queries

if TYPE_CHECKING:
    from desk.register.register import Register

#: Entries read per page by a walk.
PAGE_SIZE = 500


async def page_keys(
    register: Register, filters: PageFilter, key: Key | None, *, newest_first: bool, limit: int
) -> list[Key]:
    """The (ts, seq) of the `limit` entries past `key` that `filters` match, in walk order:
    older than `key` newest first, or newer than it oldest first (from the newest or the
    oldest entry without a key). A text search merges its queries here."""
    account_id = None
    if filters.account:
        account_id = register._account_ids.get(filters.account)
        if account_id is None:
            return []
    found: dict[int, str] = {}
    for sql, params in page_queries(filters, account_id, key=key, newest_first=newest_first, limit=limit):
        for seq, ts in await register._all(sql, params):
            found[seq] = ts
    ordered = sorted(((ts, seq) for seq, ts in found.items()), reverse=newest_first)
    return ordered[:limit]


async def walk(
    register: Register, filters: PageFilter, *, newest_first: bool = False, page_size: int | None = None
) -> AsyncIterator[Entry]:
    """Every entry `filters` match, oldest first (or newest first), `page_size` (default
    PAGE_SIZE) at a time."""
    size = PAGE_SIZE if page_size is None else page_size
    if size < 1:
        raise ValueError(f"a page holds at least one entry, not {size}")
    key: Key | None = None
    while True:
        if filters.on_entries:  # kind and dates: the page's rows in one query
            sql, params = entries_query(
                filters, key=key, newest_first=newest_first, limit=size, columns=ENTRY_COLUMNS, joined=ENTRY_JOINS
            )
            rows = await register._all(sql, params)
            keys = [(r[1], r[0]) for r in rows]
            entries = await reads.built(register, rows)
        else:
            keys = await page_keys(register, filters, key, newest_first=newest_first, limit=size)
            entries = await reads.entries(register, [seq for _, seq in keys])
        for entry in entries:
            yield entry
        if len(keys) < size:
            return
        key = keys[-1]


async def first(register: Register, filters: PageFilter, *, newest_first: bool = True) -> Entry | None:
    """The newest (or oldest) entry `filters` match, or None when none does."""
    async with aclosing(walk(register, filters, newest_first=newest_first, page_size=1)) as entries:
        async for entry in entries:
            return entry
    return None
