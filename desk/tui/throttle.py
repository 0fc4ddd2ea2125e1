"""How often a screen reads again while the register keeps changing under it (one rule for
every screen; the dashboard and the valuation screen each had their own).

While a sync writes, the register changes several times a second. A screen reads again at
most once per `interval` for changes nobody asked to see at once (`soon`), only while it is
on show (once more when it comes back), and never two reads at a time: a read asked for while
one runs follows it (`now`), so a burst of writes neither starves the screen nor stacks reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.screen import Screen

#: Seconds between two reads of a screen the register keeps changing under.
INTERVAL_S = 1.0  # float-ok: a duration


def _now() -> float:  # float-ok: seconds
    """The monotonic clock (a test stops it here)."""
    return time.monotonic()


class Throttle:
    """Starts `start()` (which runs the screen's read in a worker; that read calls `done()`
    when it ends) by the rule above, for `screen`."""

    def __init__(
        self,
        screen: Screen[object],
        start: Callable[[], object],
        *,
        interval: float = INTERVAL_S,  # float-ok: a duration
    ) -> None:
        self.screen = screen
        self.start = start
        self.interval = interval
        self.reading = False
        self._again = False
        self._last = -interval
        self._deferred = False
        self._missed = False

    def now(self) -> None:
        """Read now (a key the operator pressed); while a read runs, one more follows it."""
        if self.reading:
            self._again = True
            return
        self.reading = True
        self._last = _now()
        self.start()

    def soon(self) -> None:
        """Read for a change nobody asked to see at once: hidden, only note it; within
        `interval` of the last read, defer to its end."""
        if not self.screen.is_current:
            self._missed = True
            return
        wait = self._last + self.interval - _now()
        if wait > 0:
            if not self._deferred:
                self._deferred = True
                self.screen.set_timer(wait, self._deferred_read)
            return
        self.now()

    def resumed(self) -> None:
        """The screen is on show again: read if a change was missed meanwhile."""
        if self._missed:
            self._missed = False
            self.now()

    def done(self) -> None:
        """The read ended (call it from the read's `finally`)."""
        self.reading = False
        if self._again:
            self._again = False
            self.now()

    @property
    def pending(self) -> bool:
        """Whether a read runs or is scheduled."""
        return self.reading or self._deferred

    def _deferred_read(self) -> None:
        self._deferred = False
        self.soon()
