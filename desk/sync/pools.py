"""A pool's window brought into the register, a chunk (one short transaction) at a time.

A pool's first sync reaches back `sync.backfill_days`, in chunks that start at `chunk_days`
and adapt to keep each answer near TARGET_RECORDS, so a long history streams in and no answer
is big enough to stall a screen; later syncs start two days before the last day synced, so late
credits and queued payouts that confirm are picked up, or before the oldest refused row still
open, so that row is asked for again until it parses. Each chunk's refused rows and hashrate
days are recorded with it; the engine (desk/sync/engine.py) decides when a pool is polled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any

from desk.config import DeskSettings
from desk.feeds.clock import Clock
from desk.feeds.crash import crashed
from desk.feeds.errors import Crashed, FeedError
from desk.feeds.feed import Feed, PollResult, refused_reason
from desk.feeds.records import Refusal
from desk.register import NewRefusal, RefusedRow, Register
from desk.sync.events import Progress, SyncEvent
from desk.sync.mapping import Mapped, Mapper
from desk.sync.writing import write_entries

#: Days re-read before the last day synced: late credits, payouts confirming after queueing.
OVERLAP_DAYS = 2
#: Records mapped on the event loop below this; above it, in a worker thread.
THREAD_THRESHOLD = 2_000
#: Records a backfill chunk should bring at most. Parsing a JSON answer holds the GIL for
#: its whole length, worker thread or not, so a huge answer stalls the screen: after a big
#: chunk the window shrinks to keep answers near this size.
TARGET_RECORDS = 2_000
#: The widest window asked for at once (Braiins' own default window).
MAX_CHUNK_DAYS = 90


@dataclass(frozen=True, slots=True)
class PoolSync:
    """What syncing a pool needs of the engine: its settings, register, clock, its shielded
    `write` (a poll cancelled mid-write still finishes the write), its `emit` of events, the
    mapper of records to entries and the first chunk's width in days."""

    settings: DeskSettings
    register: Register
    clock: Clock
    write: Callable[[Awaitable[Any]], Awaitable[Any]]
    emit: Callable[[SyncEvent], None]
    mapper: Mapper
    chunk_days: int

    async def window_start(self, feed: Feed, today: date) -> date:
        """Two days before the last day synced (the first time, the backfill's start), or
        the day of the oldest refused row still open, whichever is earlier."""
        state = (await self.register.sync_state()).get(feed.name)
        if state and state["synced_through"]:
            start = min(today, state["synced_through"] - timedelta(days=OVERLAP_DAYS))
        else:
            start = today - timedelta(days=self.settings.sync.backfill_days)
        still_open = await self.register.refusals(feed=feed.name)
        return min([start, *(r.day for r in still_open)])

    def missing_accounts(self, pool: str, wallet: str) -> list[str]:
        known = set(self.register.accounts())
        needed = (f"income:mining:{pool}", f"assets:pool:{pool}", f"assets:wallet:{wallet}", "expenses:fees")
        return [account for account in needed if account not in known]

    async def sync(self, feed: Feed) -> tuple[int, int, object, date | None]:
        """Bring `feed`'s window into the register: (records seen, entries written, the error
        that stopped it or None, the last day synced or None)."""
        today = self.clock.now().astimezone(UTC).date()
        wallet = self.settings.pools[feed.name].pays_into
        missing = self.missing_accounts(feed.name, wallet)
        if missing:
            error = FeedError(f"{feed.name}: account {missing[0]} is not in the register; run `desk init`")
            feed.health.record_failure(self.clock.now(), error, 0.0)  # float-ok: a latency
            return 0, 0, error, None
        start = await self.window_start(feed, today)
        seen = written = rows = 0
        still_open: list[RefusedRow] = []
        warnings: list[str] = []
        chunk_start = start
        total_days = (today - start).days + 1
        days = self.chunk_days
        while chunk_start <= today:
            chunk_end = min(today, chunk_start + timedelta(days=days - 1))
            result = await feed.poll(chunk_start, chunk_end, note_problems=False)
            if isinstance(result.error, Crashed):
                raise result.error  # desk's bug while reading: the supervisor's business
            if not result.ok:
                return seen, written, result.error, None
            mapped = await self.mapped(feed, result, wallet)
            seen += len(mapped.entries)
            span = (chunk_end - chunk_start).days + 1
            if len(mapped.entries) > TARGET_RECORDS:
                days = max(1, span * TARGET_RECORDS // len(mapped.entries))
            elif len(mapped.entries) < TARGET_RECORDS // 4:
                days = min(MAX_CHUNK_DAYS, days * 2)
            new, refused = await self.written(feed, mapped)
            written += new
            rows += result.rows
            warnings = result.warnings
            await self.write(
                self.register.record_pool_days(
                    feed.name, [(h.day, h.hs, h.basis, h.source) for h in result.hashrates], dict(mapped.quiet)
                )
            )
            still_open = await self.write(
                self.register.record_refusals(
                    feed.name, [_new_refusal(r) for r in result.refused + refused], chunk_start, chunk_end
                )
            )
            self.emit(Progress(self.clock.now(), feed=feed.name, done=(chunk_end - start).days + 1, total=total_days))
            chunk_start = chunk_end + timedelta(days=1)
        problems = [refused_reason(len(still_open), rows, still_open[0].reason)] if still_open else []
        feed.health.note_problems(self.clock.now(), (*problems, *warnings))
        return seen, written, None, today

    async def mapped(self, feed: Feed, result: PollResult, wallet: str) -> Mapped:
        """The window's records as entries (in a worker thread for a big window)."""
        try:
            if result.count >= THREAD_THRESHOLD:
                return await asyncio.to_thread(self.mapper, result.earnings, result.payouts, wallet)
            return self.mapper(result.earnings, result.payouts, wallet)
        except Exception as exc:
            raise crashed(feed.name, exc, "mapped its records to entries") from exc

    async def written(self, feed: Feed, mapped: Mapped) -> tuple[int, list[Refusal]]:
        """Write the entries; those the register refuses are refused rows, the rest written."""
        try:
            return await write_entries(lambda batch: self.write(self.register.ingest(batch)), mapped.entries, feed.name)
        except Exception as exc:
            raise crashed(feed.name, exc, "wrote to the register") from exc


def _new_refusal(refusal: Refusal) -> NewRefusal:
    return NewRefusal(refusal.key, refusal.kind, refusal.day, refusal.where, refusal.reason)
