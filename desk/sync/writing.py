"""Writing a window's entries so that one entry the register refuses does not hold back the
others: the batch is one transaction, and when the register refuses it, the batch is split
in halves until each refused entry stands alone; those are refused rows of the feed (kind
`write`), the rest is written.

An entry is only refused here for a rule of the register the records did not already keep
(a pool that changed the amount of a payout already written, for instance): a cheap case,
and a rare one, so the splitting costs little. A refusal of every entry for a reason of the
configuration (an account that does not exist) is checked before, by the engine, and fails
the feed instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC

from desk.feeds.records import Refusal
from desk.register import EntryRejected, IngestResult, NewEntry

Ingest = Callable[[list[NewEntry]], Awaitable[IngestResult]]


async def write_entries(ingest: Ingest, entries: list[NewEntry], feed: str) -> tuple[int, list[Refusal]]:
    """Write `entries` through `ingest` (new and amended count), isolating refused ones."""
    if not entries:
        return 0, []
    try:
        outcome = await ingest(entries)
    except EntryRejected as exc:
        if len(entries) == 1:
            return 0, [refusal_of(entries[0], feed, exc)]
        half = len(entries) // 2
        first_written, first_refused = await write_entries(ingest, entries[:half], feed)
        second_written, second_refused = await write_entries(ingest, entries[half:], feed)
        return first_written + second_written, first_refused + second_refused
    return outcome.new + outcome.updated, []


def refusal_of(entry: NewEntry, feed: str, exc: EntryRejected) -> Refusal:
    external_id = entry.external_id or "?"
    return Refusal(
        kind="write",
        key=f"write:{external_id}",
        day=entry.ts.astimezone(UTC).date(),
        where=f"{feed} {external_id}",
        reason=f"{feed} {external_id}: the register refused it: {exc}",
    )
