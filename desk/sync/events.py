"""What the sync engine tells its two faces (the screen and the headless log).

Events are plain frozen dataclasses with no Textual in sight: the TUI turns them into
messages, `desk sync` turns them into JSON lines or a progress bar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class SyncEvent:
    at: datetime


@dataclass(frozen=True, slots=True)
class RoundStarted(SyncEvent):
    """A poll round begins over `feeds`."""

    feeds: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedPolled(SyncEvent):
    """One feed answered (or failed) and what it brought was written.

    `status` is the feed's health state after the poll: ok, stale, degraded or down.
    `written` counts register entries (or quotes) newly written; `seen` what the feed sent.
    `last_ok` is when the feed last answered well, `retry_at` when a rate-limited or banned
    feed may be asked again (the screen counts down to it).
    """

    feed: str = ""
    status: str = "ok"
    seen: int = 0
    written: int = 0
    duration_s: float = 0.0  # float-ok: a duration, not money
    reason: str | None = None
    kind: str = "pool"
    last_ok: datetime | None = None
    retry_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Progress(SyncEvent):
    """Progress of a long backfill of one feed: `done` of `total` records written so far."""

    feed: str = ""
    done: int = 0
    total: int | None = None


@dataclass(frozen=True, slots=True)
class FeedCrashed(SyncEvent):
    """desk's own code failed on one feed (a bug, not the source): `error` says what, the
    traceback is logged under `traceback_id`. A service restarts the feed's loop after
    `restart_in_s`; a one-shot round (None) reports it and goes on with the others."""

    feed: str = ""
    kind: str = "pool"
    error: str = ""
    traceback_id: str = ""
    restart_in_s: float | None = None  # float-ok: a duration, not money


@dataclass(frozen=True, slots=True)
class RoundFinished(SyncEvent):
    """A poll round ended; `failed` names the feeds that did not answer well, `reasons`
    says why, one `feed: reason` each."""

    written: int = 0
    failed: tuple[str, ...] = field(default_factory=tuple)
    duration_s: float = 0.0  # float-ok: a duration, not money
    reasons: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class TransferChanged(SyncEvent):
    """The chain watch moved an on-chain transfer along its life (desk/transfers)."""

    draft_id: int = 0
    state: str = ""
    before: str = ""
    txid: str | None = None
    confirmations: int = 0
    note: str = ""


@dataclass(frozen=True, slots=True)
class ChainWatched(SyncEvent):
    """One poll of the chain watch ended: transfers still in flight, unrecorded movements
    found (each also an alert), and the addresses that could not be read."""

    in_flight: int = 0
    unrecorded: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
