"""The face every pool client shows: a window of days read in as few requests as the pool
allows (earnings, payouts, the rows it refused), and the pool's own hashrate."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import date
from typing import Any, ClassVar, TypeVar

from desk.config import PoolSettings
from desk.feeds.errors import AuthError
from desk.feeds.http import HttpClient, Response
from desk.feeds.parsing import loads
from desk.feeds.records import Hashrate, PoolWindow

T = TypeVar("T")
#: Answers larger than this (characters) are parsed in a worker thread, so that a backfill of
#: a hundred thousand payouts never freezes the screen.
OFF_LOOP_CHARS = 200_000


class PoolClient(ABC):
    kind: ClassVar[str]
    #: seconds between two requests to this pool (Braiins ignores or bans faster clients)
    min_interval_s: ClassVar[float] = 0.0  # float-ok: seconds

    def __init__(self, name: str, settings: PoolSettings, http: HttpClient) -> None:
        self.name = name
        self.settings = settings
        self.http = http
        self.base = settings.url
        #: size of the last answer, to decide where to parse it (one call at a time per client)
        self.last_answer_chars = 0

    def token(self) -> str:
        if self.settings.token is None:
            raise AuthError(f"{self.name}: no token configured (pools__{self.name}__token)")
        return self.settings.token.get_secret_value()

    async def call(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        body: Any = None,
    ) -> tuple[Response, Any]:
        response = await self.http.request(
            method, self.base + path, headers=headers, params=params, json_body=body, min_interval_s=self.min_interval_s
        )
        where = f"{self.name} {path.split('?')[0]}"
        self.last_answer_chars = len(response.text)
        return response, await self.off_loop(lambda: loads(response.text, where), len(response.text))

    async def off_loop(self, parse: Callable[[], T], size: int) -> T:
        """Run `parse` here for a small answer, in a worker thread for a big one."""
        return await asyncio.to_thread(parse) if size > OFF_LOOP_CHARS else parse()

    @abstractmethod
    async def window(self, since: date, until: date) -> PoolWindow:
        """Earnings credited and payouts requested between `since` and `until`, inclusive
        (queued payouts included), with the rows refused; one request where the pool answers
        both at once."""

    @abstractmethod
    async def hashrate(self, today: date) -> list[Hashrate]:
        """The pool's own hashrate figures for `today` and the days just before, from its
        hashrate endpoint, in H/s."""
