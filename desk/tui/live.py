"""Live state of the screen: feed health as the sync reports it, and a version number that
moves whenever the register changes (whoever wrote it).

The sync runs in a child process (`desk sync --json --control`), not in the app: its
parse/hash threads would contend for the GIL with the screen and stall frames. The app reads
the child's JSON lines for feed health and asks it to poll a feed through its stdin; register
changes are noticed by polling the register cheaply on the app's own connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import os
import signal
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

log = logging.getLogger("desk.tui")

#: the sync child's CPU priority below the screen's: when both want a core, frames come first
SYNC_NICENESS = 10
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


def freeze_startup_heap() -> None:
    """Put everything alive once the first screen is up (modules, classes, Textual's widgets
    and styles: tens of thousands of objects) out of the cyclic garbage collector's sight.
    Otherwise each full collection walks all of it, and with a live screen allocating as the
    sync writes, those collections stalled frames for 55-165 ms (bench/tui.py); frozen, the
    longest gap was 40 ms. Objects made later are collected as usual; `thaw_heap` when the
    app ends hands the frozen ones back (a test process opens many apps)."""
    gc.freeze()


def thaw_heap() -> None:
    """Undo `freeze_startup_heap`: what the ended app left becomes collectable again."""
    gc.unfreeze()


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


@dataclass(frozen=True, slots=True)
class SyncCommand:
    """How the screen starts its sync: `desk sync --json --control` on the same settings."""

    argv: tuple[str, ...]
    env: dict[str, str] | None = None

    @classmethod
    def for_config(cls, config: Path | None, env: dict[str, str] | None = None) -> SyncCommand:
        argv = [sys.executable, "-m", "desk", "sync", "--json", "--control", "--nice", str(SYNC_NICENESS)]
        if config is not None:
            argv += ["--config", str(config)]
        base = dict(os.environ if env is None else env)
        # the child imports the same desk as this process, installed or not
        root = str(Path(__file__).resolve().parents[2])
        base["PYTHONPATH"] = os.pathsep.join(p for p in (root, base.get("PYTHONPATH", "")) if p)
        return cls(tuple(argv), base)


class SyncChild:
    """The sync as a child process: its JSON-lines events go to `on_event` (one dict each, on
    the app's loop), its end to `on_exit(code, last_error_line)`. Stopping sends SIGTERM,
    on which `desk sync` finishes the write in flight; nothing is lost."""

    def __init__(
        self,
        command: SyncCommand,
        on_event: Callable[[dict[str, Any]], None],
        on_exit: Callable[[int, str | None], None],
    ) -> None:
        self.command = command
        self.on_event = on_event
        self.on_exit = on_exit
        self.process: asyncio.subprocess.Process | None = None
        self.stopping = False
        self._errors: list[str] = []
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            *self.command.argv,
            env=self.command.env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # a ctrl+c at the terminal is the app's to handle, not the child's
        )
        self._tasks = [asyncio.create_task(self._read_events()), asyncio.create_task(self._read_errors())]
        self._tasks.append(asyncio.create_task(self._watch()))

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def poll(self, name: str) -> None:
        """Ask the child to poll feed `name` now."""
        if self.process and self.process.stdin and self.process.returncode is None:
            self.process.stdin.write(f"poll {name}\n".encode())

    async def _read_events(self) -> None:
        assert self.process and self.process.stdout
        while line := await self.process.stdout.readline():
            try:
                record = json.loads(line)
            except ValueError:
                continue  # not an event (a stray print); the events are what matter
            try:
                self.on_event(record)
            except Exception:  # the pipe must keep draining, or the child blocks on a full one
                log.exception("sync event %s could not be shown", record.get("event"))

    async def _read_errors(self) -> None:
        """Keep the child's stderr drained (a full pipe would block it) and its last lines
        for the reason shown when it stops."""
        assert self.process and self.process.stderr
        while line := await self.process.stderr.readline():
            text = line.decode(errors="replace").strip()
            if text:
                self._errors = [*self._errors[-19:], text]

    async def _watch(self) -> None:
        assert self.process
        code = await self.process.wait()
        await asyncio.gather(*self._tasks[:2], return_exceptions=True)
        if not self.stopping:
            self.on_exit(code, self.last_error())

    def last_error(self) -> str | None:
        """The child's last word on stderr, skipping a traceback's frames."""
        lines = [line for line in self._errors if not line.startswith(("File ", "Traceback", "^", "~"))]
        return lines[-1] if lines else None

    async def stop(self, grace: float = 30.0) -> int | None:  # float-ok: seconds
        """SIGTERM, then wait for the child to finish its transaction and exit; returns its
        exit code. Only if it does not exit within `grace` seconds is it killed (SQLite's journal
        then rolls the open transaction back: still nothing half-written)."""
        if self.process is None:
            return None
        self.stopping = True
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), grace)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        return self.process.returncode


class Live:
    """The app's live link: bumps `app.data_version` when the register changes (polling a
    cheap marker every `interval`), keeps `app.feeds` and `app.sync_status` current from the
    sync child's events, and relays `poll_feed`. `app` is the DeskApp (any object with
    `register`, `feeds`, `data_version`, `sync_status`)."""

    def __init__(self, app: Any, command: SyncCommand | None, *, interval: float = 0.25) -> None:  # float-ok
        self.app = app
        self.command = command
        self.interval = interval
        self.child: SyncChild | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._follow_register = command is None
        self._listeners: list[Callable[[dict[str, Any]], None]] = []
        self._restarting: asyncio.Task[None] | None = None
        #: the register's change marker as last noticed (and shown: `data_version` moved for it)
        self._noticed: tuple[int, int] | None = None

    async def start(self) -> None:
        register = self.app.register
        self.app.feeds = recorded_feeds(self.app.feeds, await register.sync_state(), with_state=self.command is None)
        self._watcher = asyncio.create_task(self._watch_register())
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

    def poll(self, name: str) -> None:
        """Ask the sync child to poll `name` now. When this desk's sync has stopped (a crash,
        a configuration since fixed), asking starts it again: every feed is polled at once."""
        if self.child is not None:
            self.child.poll(name)
        elif self.command is not None and not self._follow_register and not self._restarting:
            self._restarting = asyncio.create_task(self._restart())

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
            await self._restarting
        if self.child is not None:
            self.app.sync_status = "stopping the sync: finishing its write"
            await self.child.stop()
        if self._watcher is not None:
            self._watcher.cancel()
            await asyncio.gather(self._watcher, return_exceptions=True)

    async def caught_up(self) -> bool:
        """Whether every change to the register so far has been noticed and passed on (the
        watcher looks only every `interval`): a test or the screenshot script that wrote to
        the register waits for this before it judges the screen, or the screens' reload
        for that write comes after it looked."""
        register = self.app.register
        return register is not None and self._noticed == await register.changes()

    async def _watch_register(self) -> None:
        register = self.app.register
        self._noticed = await register.changes()
        while True:
            await asyncio.sleep(self.interval)
            try:
                current = await register.changes()
            except sqlite3.Error as exc:  # a passing hiccup of the file must not end the watching
                log.warning("register change check failed: %s", exc)
                continue
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
            self.app.sync_status = f"synced by another process: {error.removeprefix('desk sync: ')}"
            self._follow_register = True
            return
        self._sync_gone(f"the sync stopped (exit {code}): {error or 'no reason given'}")

    def _sync_gone(self, reason: str) -> None:
        self.app.sync_status = reason
        self.app.feeds = unavailable(self.app.feeds, reason)
        self._follow_register = False
