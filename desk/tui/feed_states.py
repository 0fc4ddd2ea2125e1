"""Feed health as the screen shows it: every configured feed, first as the register last
recorded it, then as the sync's JSON-lines events (desk.sync.reporters) say, with a short
history of failures per feed for the feeds screen. Pure functions of plain data: each returns
the same tuple when nothing changed, so nothing is redrawn."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

#: failures kept per feed for the feeds screen (newest first)
HISTORY = 20


@dataclass(frozen=True, slots=True)
class FeedState:
    """One feed as the screen shows it."""

    name: str
    kind: str  # "pool" | "price" | "chain"
    state: str  # "ok" | "stale" | "degraded" | "down" | "waiting"
    reason: str | None = None
    last_ok: datetime | None = None
    retry_at: datetime | None = None
    failures: tuple[tuple[datetime, str], ...] = ()


def configured_feeds(settings: Any) -> tuple[FeedState, ...]:
    """Every feed the configuration enables, waiting for the sync's first word on it.
    (The same order as the engine builds them: pools first, then price sources.)"""
    feeds: list[FeedState] = []
    for name, pool in getattr(settings, "pools", {}).items():
        if pool.enabled:
            feeds.append(FeedState(name, "pool", "waiting", "not polled yet"))
    sources = getattr(getattr(settings, "prices", None), "sources", {})
    for name, source in sources.items():
        if source.enabled:
            feeds.append(FeedState(name, "price", "waiting", "not polled yet"))
    return tuple(feeds)


def _when(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def apply_event(feeds: tuple[FeedState, ...], record: dict[str, Any]) -> tuple[FeedState, ...]:
    """The feeds after one JSON-lines event of `desk sync` (see desk.sync.reporters); an
    event that says nothing about a feed returns `feeds` itself, so nothing is redrawn."""
    if record.get("event") != "feed" or not record.get("feed"):
        return feeds
    name = record["feed"]
    at = _when(record.get("at"))
    status = record.get("status") or "ok"
    reason = record.get("reason")
    current = next((f for f in feeds if f.name == name), None)
    if current is None:
        current = FeedState(name, record.get("kind") or "pool", "waiting")
    last_ok = _when(record.get("last_ok")) or (at if status == "ok" else current.last_ok)
    failures = current.failures
    if status in ("degraded", "down") and at is not None:
        failures = ((at, reason or status), *failures)[:HISTORY]
    updated = replace(
        current, state=status, reason=reason, last_ok=last_ok, retry_at=_when(record.get("retry_at")), failures=failures
    )
    if current in feeds:
        return tuple(updated if f is current else f for f in feeds)
    return (*feeds, updated)


def unavailable(feeds: tuple[FeedState, ...], reason: str) -> tuple[FeedState, ...]:
    """Every feed marked down for one reason (no sync could be started, or it died)."""
    return tuple(replace(f, state="down", reason=reason) for f in feeds)


def recorded_feeds(
    feeds: tuple[FeedState, ...], states: dict[str, dict[str, Any]], *, with_state: bool = True
) -> tuple[FeedState, ...]:
    """The configured feeds as the register's sync table last recorded them
    (`Register.sync_state`): what the screen shows when another process syncs this register.
    With `with_state=False` only the time of the last good answer is taken: the screen's
    own sync is about to say how each feed is now."""

    def merged(feed: FeedState) -> FeedState:
        row = states.get(feed.name)
        if row is None:
            return feed
        if not with_state:
            return replace(feed, last_ok=row["last_ok"])
        return replace(feed, state=row["state"], reason=row["reason"], last_ok=row["last_ok"])

    return tuple(merged(feed) for feed in feeds)
