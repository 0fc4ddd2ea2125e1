"""The chain watch beside a running sync: a supervised loop (desk/sync/supervisor.py) that
polls every watched address (desk/transfers/watch.py) each `[transfers] watch_interval`,
tells the sync's listeners what changed (`transfer` and `chain_watch` JSON lines) and raises
an alert for every unrecorded movement, once per movement, on the screen (the sync child's
`alert` lines) and in the JSON log. A one-shot sync polls it once after its round.

It hooks into the engine from outside (its supervisor, clock, http and listeners), so the
engine's own file does not grow.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from desk.alerts.engine import Notice
from desk.config import DeskSettings
from desk.feeds.custody import custodian_client
from desk.proof.chains import ChainReader
from desk.reconcile import resolutions
from desk.register import Register
from desk.sync.events import ChainWatched, TransferChanged
from desk.transfers.watch import Poll, TransferWatch

if TYPE_CHECKING:
    from desk.sync.engine import SyncEngine

NAME = "chain-watch"
#: the alert rule name unrecorded movements are raised under
RULE = "unrecorded_movement"


class ChainWatchHook:
    """What `desk sync` holds: a watch over the configured addresses, when there are any."""

    def __init__(self, settings: DeskSettings, emit_alert: Callable[[Notice], None]) -> None:
        self.settings = settings
        self.emit_alert = emit_alert
        self.watch: TransferWatch | None = None
        self.engine: SyncEngine | None = None
        #: break ids already alerted by this process (a restart alerts an open one once more)
        self._alerted: set[str] = set()

    def attach(self, register: Register, engine: SyncEngine) -> None:
        if not self.settings.addresses:
            return
        self.engine = engine
        reader = ChainReader(self.settings, engine.http)
        custodian = custodian_client(self.settings, engine.http)
        self.watch = TransferWatch(self.settings, register, reader, engine.clock.now, custodian)

    async def poll(self) -> Poll | None:
        """One poll of the watch, told to the sync's listeners; None without addresses."""
        if self.watch is None or self.engine is None:
            return None
        polled = await self.watch.poll()
        resolved = await resolutions.resolved(self.watch.register)
        for before, change in polled.changes:
            self.engine._emit(
                TransferChanged(
                    polled.at,
                    draft_id=before.draft_id,
                    state=change.state,
                    before=before.state,
                    txid=change.txid or before.txid,
                    confirmations=change.confirmations,
                    note=change.note,
                )
            )
        for found, found_break in zip(polled.unrecorded, polled.breaks, strict=True):
            if found_break.id in self._alerted or found_break.id in resolved:
                continue
            self._alerted.add(found_break.id)
            self.emit_alert(Notice(RULE, found.account, f"{found.message} ({found_break.id})", "critical", polled.at))
        self.engine._emit(
            ChainWatched(
                polled.at,
                in_flight=len(polled.in_flight),
                unrecorded=tuple(u.message for u in polled.unrecorded),
                errors=tuple(f"{address}: {why}" for address, why in polled.errors.items()),
            )
        )
        return polled

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop`, under the engine's supervisor (a bug restarts the loop)."""
        if self.watch is None or self.engine is None:
            return
        await self.engine.supervisor.run(NAME, "chain", lambda: self._loop(stop), stop)

    async def _loop(self, stop: asyncio.Event) -> None:
        assert self.engine is not None
        while not stop.is_set():
            await self.poll()
            self.engine.supervisor.succeeded(NAME)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.settings.transfers.watch_interval)
