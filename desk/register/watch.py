"""Noticing that someone else changed the register: the screen's live link to other desks.

A desk's screen must show an entry, a draft or an approval made at another desk (or by the
headless sync) within a second, without knowing how the register is stored. It consumes
`Register.watch()`, which yields the register's change marker (`Register.changes()`) each
time it moves, whoever moved it.

How a change is noticed is the storage's business: SQLite tells a connection that another
one committed through `PRAGMA data_version`, which costs no table read, so the file is
asked every `interval`; a backend that can be told (PostgreSQL's LISTEN/NOTIFY) hands
`watch` a `Signal` and the watch wakes on it at once, still asking every `interval` in case
a notification was lost with a dropped connection. Either way what is yielded is the marker
read after the wake, so a burst of commits is one yield, and a caller that compares
`changes()` with the last marker it was given knows whether it has caught up.

A failed look (a passing hiccup of the file or the server) is logged and the next one
tried: one bad read must not end the watching of a desk that stays open for days.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from typing import Protocol

from desk.register.errors import RegisterUnavailable

log = logging.getLogger("desk.register")

#: Seconds between looks when nothing tells the watch sooner (SQLite: four looks a second).
INTERVAL = 0.25  # float-ok: seconds

#: What a look may raise and still be a passing hiccup rather than the end of the watch.
PASSING = (sqlite3.Error, OSError, RegisterUnavailable)


class Signal(Protocol):
    """A storage's way to say "someone committed" (PostgreSQL: a NOTIFY on the register's
    channel); `wait` returns when told, or after `longest` seconds regardless."""

    async def wait(self, longest: float) -> None: ...  # float-ok: seconds

    async def close(self) -> None:
        """Stop listening (the watch has ended)."""


class Pause:
    """The signal of a storage that cannot tell: nothing but the interval passing."""

    async def wait(self, longest: float) -> None:  # float-ok: seconds
        await asyncio.sleep(longest)

    async def close(self) -> None:
        """Nothing to release."""


async def watch(
    marker: Callable[[], Awaitable[Hashable]],
    signal: Signal,
    *,
    since: Hashable | None = None,
    interval: float = INTERVAL,  # float-ok: seconds
) -> AsyncIterator[Hashable]:
    """Yield `marker()` each time it differs from the last one yielded (or from `since`, the
    marker the caller already holds; without it, from the marker when the watch starts)."""
    noticed = since if since is not None else await marker()
    while True:
        await signal.wait(interval)
        try:
            current = await marker()
        except PASSING as exc:
            log.warning("register change check failed: %s", exc)
            continue
        if current != noticed:
            noticed = current
            yield current
