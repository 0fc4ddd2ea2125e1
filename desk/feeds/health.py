"""Each feed's health: ok / stale / degraded / down, with the reason and the age of the last
good datum, and a short history of failures for the feeds screen.

A poll can succeed and still leave something to say: rows refused, a hashrate not read.
Those are the feed's `problems`: it is `degraded` with them as its reason until a poll
without them (or an operator acknowledging the refused rows)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from desk.feeds.errors import Banned, FeedError, RateLimited

HISTORY = 20


@dataclass(slots=True)
class Failure:
    at: datetime
    state: str
    reason: str


@dataclass(slots=True)
class FeedHealth:
    name: str
    stale_after: timedelta
    last_ok: datetime | None = None
    last_attempt: datetime | None = None
    last_error: FeedError | None = None
    last_latency_s: float | None = None  # float-ok: a duration
    last_count: int = 0
    retry_at: datetime | None = None
    problems: tuple[str, ...] = ()
    failures: deque[Failure] = field(default_factory=lambda: deque(maxlen=HISTORY))

    def record_ok(self, at: datetime, count: int, latency_s: float) -> None:  # float-ok: a duration
        self.last_ok = self.last_attempt = at
        self.last_error = None
        self.retry_at = None
        self.last_count = count
        self.last_latency_s = latency_s

    def note_problems(self, at: datetime, problems: tuple[str, ...]) -> None:
        """What the last good poll left to say; a new set of problems enters the history."""
        if problems and problems != self.problems:
            self.failures.appendleft(Failure(at, "degraded", "; ".join(problems)))
        self.problems = problems

    def record_failure(self, at: datetime, error: FeedError, latency_s: float) -> None:  # float-ok
        self.last_attempt = at
        self.last_error = error
        self.last_latency_s = latency_s
        if isinstance(error, Banned):
            self.retry_at = error.until
        elif isinstance(error, RateLimited):
            self.retry_at = error.retry_at
        self.failures.appendleft(Failure(at, error.state, error.reason))

    def state(self, now: datetime) -> str:
        if self.last_error is not None:
            return self.last_error.state
        if self.last_ok is None:
            return "stale"
        if now - self.last_ok > self.stale_after:
            return "stale"
        return "degraded" if self.problems else "ok"

    def reason(self, now: datetime) -> str | None:
        if self.last_error is not None:
            reason = self.last_error.reason
            if self.retry_at is not None and self.retry_at > now:
                reason += f" (retry in {int((self.retry_at - now).total_seconds())} s)"
            return reason
        if self.last_ok is None:
            return "not polled yet"
        if now - self.last_ok > self.stale_after:
            return f"no fresh data for {int((now - self.last_ok).total_seconds())} s"
        return "; ".join(self.problems) or None

    def age(self, now: datetime) -> timedelta | None:
        return None if self.last_ok is None else now - self.last_ok
