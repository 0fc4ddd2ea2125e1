"""Alerts beside a running sync: after a feed poll the rules are judged again and each
notice is handed to `emit` (a JSON line in `desk sync`). It lives with the sync, which
listens to its own events here, so that desk.alerts never imports the layer above it.

The sync engine calls its listeners synchronously; the judging reads the register, so it
runs as one task at a time, coalescing polls that arrive meanwhile into one more check.
A service polls prices every few seconds: a poll that changed no feed's state is judged
only when the last check is `every` old, while a changed feed state and the end of a round
are judged at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from desk.alerts import memory as memory_store
from desk.alerts.engine import AlertEngine, Notice
from desk.alerts.network import NetworkFacts
from desk.alerts.observations import FeedStatus
from desk.alerts.observe import observe
from desk.alerts.rules import AlertRule, rules_from_settings
from desk.config import DeskSettings
from desk.register import Register
from desk.sync.events import FeedPolled, RoundFinished, SyncEvent
from desk.sync.reporters import alert_lines

if TYPE_CHECKING:
    from desk.sync.engine import SyncEngine

log = logging.getLogger(__name__)
#: The least time between two checks brought on by polls that changed nothing.
EVERY = timedelta(seconds=60)


class AlertWatch:
    def __init__(
        self,
        register: Register,
        settings: DeskSettings,
        rules: Sequence[AlertRule],
        emit: Callable[[Notice], None],
        clock: Callable[[], datetime],
        network: NetworkFacts | None = None,
        *,
        every: timedelta = EVERY,
        memory: Path | None = None,
    ) -> None:
        self.register = register
        self.memory = memory
        self.every = every
        self._checked: datetime | None = None
        self.network = network
        self.settings = settings
        self.engine = AlertEngine(rules)
        remembered = memory_store.load(memory) if memory is not None else None
        if remembered is not None:
            try:
                self.engine.remember(remembered)
            except (KeyError, TypeError, ValueError) as exc:
                log.warning("alert memory %s is not usable (%s); starting afresh", memory, exc)
        self.emit = emit
        self.clock = clock
        self.feeds: dict[str, FeedStatus] = {}
        self._task: asyncio.Task[None] | None = None
        self._again = False

    def on_event(self, event: SyncEvent) -> None:
        """A sync listener: note the feed's state, then have the rules judged when due."""
        if isinstance(event, FeedPolled):
            state = FeedStatus(event.feed, event.status, event.reason)
            changed = self.feeds.get(event.feed) != state
            self.feeds[event.feed] = state
            if not changed and self._checked is not None and event.at - self._checked < self.every:
                return
        elif not isinstance(event, RoundFinished):
            return
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        while True:
            self._again = False
            try:
                await self.check()
            except Exception:  # an alert that cannot be judged must not stop the sync
                log.exception("alert check failed")
            if not self._again:
                return

    async def check(self) -> list[Notice]:
        """Judge every rule now and emit what the engine lets through."""
        at = self._checked = self.clock()
        feeds = [self.feeds[name] for name in sorted(self.feeds)]
        obs = await observe(self.register, self.settings, self.engine.rules, at, feeds, self.network)
        for gap in obs.gaps:
            log.info("alerts: %s", gap)
        notices = self.engine.evaluate(obs)
        for notice in notices:
            self.emit(notice)
        if self.memory is not None:
            await asyncio.to_thread(memory_store.save, self.memory, self.engine.memory())
        return notices

    async def drain(self) -> None:
        """Wait for a check in progress (a one-shot sync exits after it)."""
        while self._task is not None and not self._task.done():
            await asyncio.gather(self._task, return_exceptions=True)


class AlertHook:
    """What `desk sync` holds: attaches a watch to its engine when rules are configured."""

    def __init__(self, settings: DeskSettings, emit: Callable[[Notice], None]) -> None:
        self.settings = settings
        self.emit = emit
        self.rules = rules_from_settings(settings)
        self.watch: AlertWatch | None = None

    def attach(self, register: Register, engine: SyncEngine) -> None:
        if self.rules:
            network = NetworkFacts(self.settings, register, engine.http)
            self.watch = AlertWatch(
                register,
                self.settings,
                self.rules,
                self.emit,
                engine.clock.now,
                network,
                memory=memory_store.memory_path(register.path),
            )
            engine.subscribe(self.watch.on_event)


@asynccontextmanager
async def alerting(settings: DeskSettings, emit: Callable[[Notice], None] | None = None) -> AsyncIterator[AlertHook]:
    """Alerts for one run of the sync: notices go to `emit` (default: JSON lines on stdout);
    on leaving, a check in progress is finished before the register closes."""
    hook = AlertHook(settings, emit or alert_lines())
    try:
        yield hook
    finally:
        if hook.watch is not None:
            await hook.watch.drain()
