"""The screen's live link: a version number that moves whenever the register changes (whoever
wrote it), and feed health and sync status as the screen's sync child reports them.

The child is started and stopped through desk.operations.sync_process; register changes, made
at this desk or another, are noticed by reading the register's change marker every `interval`
on the app's own timer (`Register.changes()`: SQLite's data_version, PostgreSQL's WAL position,
both moved by any desk's commit). `Register.watch` (PostgreSQL's notifications) serves callers
that can wait on an endless iterator; the screen cannot: an endless worker keeps the app from
ever being idle.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.timer import Timer
from textual.worker import Worker, WorkerCancelled, WorkerError, WorkerFailed

from desk.operations.sync_process import SyncChild, SyncCommand
from desk.operations.sync_relay import relay_poll
from desk.tui.feed_states import apply_event, recorded_feeds, unavailable

log = logging.getLogger("desk.tui")
#: the holder's pid in the sync lock's refusal (desk.sync.lock)
HOLDER = re.compile(r"\(pid (\S+)\)")


class Live:
    """The app's live link: bumps `app.data_version` when the register changes (polling a
    cheap marker every `interval`), keeps `app.feeds` and `app.sync_status` current from the
    sync child's events, and relays `poll_feed`. `app` is the DeskApp (any object with
    `register`, `feeds`, `data_version`, `sync_status`). `relay`: where `desk serve`'s sync
    takes "poll now" for the sessions it turns away (desk.operations.sync_relay)."""

    def __init__(
        self,
        app: Any,
        command: SyncCommand | None,
        *,
        interval: float = 0.25,  # float-ok: seconds
        relay: Path | None = None,
    ) -> None:
        self.app = app
        self.command = command
        self.relay = relay
        self.interval = interval
        self.child: SyncChild | None = None
        self._watcher: Timer | None = None
        self._follow_register = command is None
        self._listeners: list[Callable[[dict[str, Any]], None]] = []
        self._restarting: Worker[None] | None = None
        #: the register's change marker as last noticed (and shown: `data_version` moved for it)
        self._noticed: tuple[int, int] | None = None

    async def start(self) -> None:
        register = self.app.register
        self.app.feeds = recorded_feeds(self.app.feeds, await register.sync_state(), with_state=self.command is None)
        # the app's own timer, not a bare task: the app sees it, and stops it as it closes (not a
        # worker: one that never ends would keep the app from ever being idle)
        self._noticed = await register.changes()
        self._watcher = self.app.set_interval(self.interval, self._check_register, name="live-register")
        if self.command is None:
            self.app.sync_status = "no sync started by this desk: feed health as last recorded in the register"
            return
        if not self.app.feeds:
            self.app.sync_status = "no feeds configured: add [pools.*] or [prices.sources.*] to the config"
            return
        await self._start_child()

    async def _start_child(self) -> None:
        assert self.command is not None
        self.child = SyncChild(self.command, self._on_event, self._on_exit)
        try:
            await self.child.start()
        except OSError as exc:
            self.child = None
            self._sync_gone(f"the sync could not be started: {exc}")
            return
        self._follow_register = False
        self.app.sync_status = f"sync running (pid {self.child.pid})"

    def poll(self, name: str) -> str:
        """Ask the sync to poll `name` now; returns what was done, for the operator. When this
        desk's sync has stopped (a crash, a configuration since fixed), asking starts it again:
        every feed is polled at once. When another process syncs the register, the request
        goes to it through `desk serve`'s relay, or, without one, is that process's to make."""
        if self.child is not None:
            self.child.poll(name)
            return f"asked the sync to poll {name} now"
        if self._follow_register and self.relay is not None:
            self.app.run_worker(self._relayed(name), group="live-relay", exit_on_error=False)
            return f"asked the server's sync to poll {name} now"
        if self._follow_register:
            return f"not polled: {self.app.sync_status}; it polls {name} on its own schedule"
        if self.command is None:
            return "not polled: this desk runs no sync (feed health as last recorded in the register)"
        if not self._restarting:
            self._restarting = self.app.run_worker(self._restart(), group="live-restart", exit_on_error=False)
        return "starting the sync again: every feed is polled at once"

    async def _relayed(self, name: str) -> None:
        """`poll NAME` through the relay; a toast when the server did not take it."""
        assert self.relay is not None
        answer = await relay_poll(self.relay, name)
        if not answer.startswith("polling"):
            self.app.notify(f"{name} not polled: {answer}", title="Poll now", severity="warning")

    async def _restart(self) -> None:
        try:
            self.app.sync_status = "starting the sync again"
            await self._start_child()
        finally:
            self._restarting = None

    def listen(self, callback: Callable[[dict[str, Any]], None]) -> None:
        """Call `callback` with every JSON-lines record of the sync child (on the app's loop),
        for a screen that wants more than `feeds` and `sync_status` say; keep it quick."""
        self._listeners.append(callback)

    async def stop(self) -> None:
        """Stop the sync child (it finishes its write) and the watcher."""
        if self._restarting is not None:
            with contextlib.suppress(WorkerCancelled, WorkerFailed, WorkerError):
                await self._restarting.wait()
        if self.child is not None:
            self.app.sync_status = "stopping the sync: finishing its write"
            await self.child.stop()
        if self._watcher is not None:
            self._watcher.stop()

    async def caught_up(self) -> bool:
        """Whether every change to the register so far has been noticed and passed on (the
        watcher looks only every `interval`): a test or the screenshot script that wrote to
        the register waits for this before it judges the screen, or the screens' reload
        for that write comes after it looked."""
        register = self.app.register
        return register is not None and self._noticed == await register.changes()

    async def _check_register(self) -> None:
        """Every `interval`: has the register changed since last noticed?"""
        register = self.app.register
        try:
            current = await register.changes()
        except Exception as exc:  # a passing hiccup of the store (file or server) must not end the watching
            log.warning("register change check failed: %s", exc)
            return
        if current != self._noticed:
            self.app.data_version += 1
            if self._follow_register:
                self.app.feeds = recorded_feeds(self.app.feeds, await register.sync_state())
            self._noticed = current

    def _on_event(self, record: dict[str, Any]) -> None:
        for callback in self._listeners:
            try:
                callback(record)
            except Exception:  # a broken listener must not keep the others from the record
                log.exception("sync event listener failed")
        feeds = apply_event(self.app.feeds, record)
        if feeds is not self.app.feeds:
            self.app.feeds = feeds
        event = record.get("event")
        if event == "progress":
            total = record.get("total")
            self.app.sync_status = f"backfilling {record.get('feed')}: {record.get('done')}/{total or '?'} days"
        elif event == "round_finished" or (event == "feed" and self.app.sync_status.startswith("backfilling")):
            self.app.sync_status = f"sync running (pid {self.child.pid if self.child else '?'})"
        elif event == "alert":  # a desk.alerts notice: toast and bell
            self.app.alert(str(record.get("message", "")), title=f"Alert: {record.get('rule', '')}")

    def _on_exit(self, code: int, error: str | None) -> None:
        self.child = None
        if error and "already syncing" in error:
            # the refusal's advice ("stop it first, or use cron") is for a second service, not
            # for a screen, which follows the holder's records
            holder = HOLDER.search(error)
            pid = f" (pid {holder.group(1)})" if holder else ""
            if self.relay is not None:
                self.app.sync_status = f"synced by desk serve{pid} for every session; poll now is passed to it"
            else:
                self.app.sync_status = f"synced by another process{pid}: feed health as it records it"
            self._follow_register = True
            return
        self._sync_gone(f"the sync stopped (exit {code}): {error or 'no reason given'}")

    def _sync_gone(self, reason: str) -> None:
        self.app.sync_status = reason
        self.app.feeds = unavailable(self.app.feeds, reason)
        self._follow_register = False
