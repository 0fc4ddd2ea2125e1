"""Talking to remote hosts: one aiohttp session, timeouts, retries with backoff and jitter,
per-host pacing, and respect for 429 Retry-After and Binance's 418 bans.

State is per host (scheme://host:port): a ban or a Retry-After on one host stops requests to
that host only, and nothing is sent there until the time it names. Errors carry the host
and path, never the headers, so a token cannot leak into a log line.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from yarl import URL

from desk.feeds.clock import Clock
from desk.feeds.errors import AuthError, Banned, RateLimited, ServerError, Unreachable

DEFAULT_RETRY_AFTER_S = 60


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    text: str
    headers: dict[str, str]
    url: str


@dataclass(slots=True)
class _HostState:
    banned_until: datetime | None = None
    retry_at: datetime | None = None
    last_request: float = 0.0  # float-ok: monotonic seconds
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 3
    base_delay_s: float = 0.5  # float-ok: seconds
    max_delay_s: float = 8.0  # float-ok: seconds
    timeout_s: float = 10.0  # float-ok: seconds


class HttpClient:
    """Shared by every feed of a desk; create one per event loop."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        clock: Clock | None = None,
        policy: RetryPolicy | None = None,
        rng: random.Random | None = None,
        pacing: bool = True,
    ) -> None:
        self.session = session
        #: off only in tests that do not test pacing itself: keeps them from waiting 5 s
        self.pacing = pacing
        self.clock = clock or Clock()
        self.policy = policy or RetryPolicy()
        self._rng = rng or random.Random()
        self._hosts: dict[str, _HostState] = {}
        #: requests actually sent, per host (tests and the feeds screen read it)
        self.sent: dict[str, int] = {}
        #: told of every ban (418) or wait (429) a host imposes: `(host, until, kind, reason)`,
        #: kind `ban` or `rate_limit`; the sync keeps them in the register for the next process
        self.on_block: Callable[[str, datetime, str, str], None] | None = None

    def _host(self, url: URL) -> tuple[str, _HostState]:
        key = f"{url.scheme}://{url.host}:{url.port}"
        return key, self._hosts.setdefault(key, _HostState())

    def restore_block(self, host: str, until: datetime, kind: str) -> None:
        """Honour a ban or a wait an earlier process was told of (`host` as `on_block` names
        it: scheme://host:port)."""
        state = self._hosts.setdefault(host, _HostState())
        if kind == "ban":
            state.banned_until = max(until, state.banned_until or until)
        else:
            state.retry_at = max(until, state.retry_at or until)

    def blocked_until(self, url: str) -> datetime | None:
        _, state = self._host(URL(url))
        now = self.clock.now()
        for moment in (state.banned_until, state.retry_at):
            if moment is not None and moment > now:
                return moment
        return None

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        json_body: Any = None,
        min_interval_s: float = 0.0,  # float-ok: seconds
    ) -> Response:
        target = URL(url)
        host, state = self._host(target)
        where = f"{target.host}{target.path}"
        self._refuse_if_blocked(state, where)
        delay = self.policy.base_delay_s
        for attempt in range(1, self.policy.attempts + 1):
            await self._pace(state, min_interval_s)
            try:
                response = await self._send(method, target, headers, params, json_body)
            except (TimeoutError, aiohttp.ClientError, ConnectionError) as exc:
                failure: Exception = Unreachable(f"no answer from {where} ({_describe(exc)})")
            else:
                self.sent[host] = self.sent.get(host, 0) + 1
                failure = self._classify(response, state, where)
                self._tell_block(host, failure)
                if failure is None:
                    return response
                if not isinstance(failure, ServerError):
                    raise failure
            if attempt == self.policy.attempts:
                raise failure
            jitter = 0.5 + self._rng.random() / 2  # float-ok: backoff jitter, not money
            await self.clock.sleep(min(self.policy.max_delay_s, delay) * jitter)
            delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _tell_block(self, host: str, failure: Exception | None) -> None:
        if self.on_block is None:
            return
        if isinstance(failure, Banned):
            self.on_block(host, failure.until, "ban", failure.reason)
        elif isinstance(failure, RateLimited):
            self.on_block(host, failure.retry_at, "rate_limit", failure.reason)

    def _refuse_if_blocked(self, state: _HostState, where: str) -> None:
        now = self.clock.now()
        if state.banned_until is not None and state.banned_until > now:
            raise Banned(
                f"{where}: IP banned until {state.banned_until:%H:%M:%S} UTC; not asking again before",
                state.banned_until,
            )
        if state.retry_at is not None and state.retry_at > now:
            raise RateLimited(f"{where}: rate limited; waiting until {state.retry_at:%H:%M:%S} UTC", state.retry_at)

    async def _pace(self, state: _HostState, min_interval_s: float) -> None:  # float-ok: seconds
        if min_interval_s <= 0 or not self.pacing:
            return
        async with state.lock:
            wait = state.last_request + min_interval_s - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            state.last_request = time.monotonic()

    async def _send(
        self, method: str, url: URL, headers: dict[str, str] | None, params: dict[str, str] | None, body: Any
    ) -> Response:
        timeout = aiohttp.ClientTimeout(total=self.policy.timeout_s)
        async with self.session.request(
            method, url, headers=headers, params=params, json=body, timeout=timeout, allow_redirects=False
        ) as reply:
            body = await reply.read()
            text = decode(body, reply.get_encoding())
            return Response(reply.status, text, {k.lower(): v for k, v in reply.headers.items()}, str(url))

    def _classify(self, response: Response, state: _HostState, where: str) -> Exception | None:
        status = response.status
        now = self.clock.now()
        if status == 418:
            until = _ban_end(response, now)
            state.banned_until = until
            return Banned(f"{where}: HTTP 418, IP banned until {until:%H:%M:%S} UTC", until)
        if status == 429:
            retry_at = now + timedelta(seconds=_retry_after(response) or DEFAULT_RETRY_AFTER_S)
            state.retry_at = retry_at
            return RateLimited(f"{where}: HTTP 429 too many requests; retry after {retry_at:%H:%M:%S} UTC", retry_at)
        if status in (401, 403):
            return AuthError(f"{where}: credentials refused (HTTP {status})")
        if status >= 500:
            return ServerError(f"{where}: HTTP {status} from the server")
        return None


@asynccontextmanager
async def http_session(
    *, clock: Clock | None = None, policy: RetryPolicy | None = None, pacing: bool = True
) -> AsyncIterator[HttpClient]:
    """An HttpClient on an aiohttp session of its own, closed on the way out: what a command,
    a sync run or one read of a screen asks the sources through. The only place outside the
    simulator where desk opens a session, so the session's life is decided here once."""
    async with aiohttp.ClientSession() as session:
        yield HttpClient(session, clock=clock, policy=policy, pacing=pacing)


def decode(body: bytes, charset: str) -> str:
    """The body as text. A byte that is not valid in `charset` becomes a lone surrogate
    (`surrogateescape`), never a replacement character: the field it sits in is then refused
    by name (desk/feeds/fields.py) instead of being written with a '\ufffd' in it."""
    try:
        return body.decode(charset, errors="surrogateescape")
    except LookupError:  # a charset Python does not know: read it as the JSON default
        return body.decode("utf-8", errors="surrogateescape")


def _retry_after(response: Response) -> int | None:
    value = response.headers.get("retry-after", "").strip()
    return int(value) if value.isdigit() else None


def _ban_end(response: Response, now: datetime) -> datetime:
    seconds = _retry_after(response)
    if seconds is not None:
        return now + timedelta(seconds=seconds)
    match = re.search(r"banned until (\d{13})", response.text)
    if match:
        from desk.feeds.parsing import unix_millis

        return unix_millis(int(match[1]), "418 body")
    return now + timedelta(seconds=DEFAULT_RETRY_AFTER_S)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    return type(exc).__name__
