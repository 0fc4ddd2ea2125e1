"""Waiting in tests for the event a test needs, never for a duration.

`until` checks a condition between turns of the event loop and returns as soon as it holds;
its timeout is only a net against a hang, generous enough for a loaded two-core machine, and
on expiry the failure names what was awaited. A test that sleeps and then asserts passes or
fails with the machine's speed; one that waits for the condition does not."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable

#: Seconds before a wait gives up: far beyond any honest wait, so only a hang reaches it.
PATIENCE = 120.0


async def until(condition: Callable[[], object], what: str, timeout: float = PATIENCE) -> None:
    """Return once `condition()` is true (awaited, when it returns an awaitable, e.g. a read
    of the register); fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.02)
