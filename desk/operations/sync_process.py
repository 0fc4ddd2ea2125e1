"""Running the sync service in a child process — how the screen starts and stops it.

The sync runs as `desk sync --json --control`, not in the app: its parse/hash threads would
contend for the GIL with the screen and stall frames. Its JSON-lines events come back one dict
at a time; a feed is polled at once by a line on its stdin; stopping sends SIGTERM, on which
`desk sync` finishes the write in flight. Nothing here knows Textual: the screen passes
callbacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("desk.sync_process")

#: the sync child's CPU priority below the screen's: when both want a core, frames come first
SYNC_NICENESS = 10
#: After SIGTERM the child is waited for as long as it works: it is killed only when it has
#: neither spent CPU nor said a word for this long (stuck, not busy with a long write).
STUCK_AFTER_S = 30.0  # float-ok: seconds


#: The folder this process's desk package is in.
DESK_ROOT = str(Path(__file__).resolve().parents[2])


def child_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """`env` (this process's by default) for a child `python -m desk…` (the sync, the charts'
    process): its PYTHONPATH leads to the same desk as this process runs, installed or not."""
    base = dict(os.environ if env is None else env)
    base["PYTHONPATH"] = os.pathsep.join(p for p in (DESK_ROOT, base.get("PYTHONPATH", "")) if p)
    return base


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
        return cls(tuple(argv), child_environment(env))


class SyncChild:
    """The sync as a child process: its JSON-lines events go to `on_event` (one dict each, on
    the app's loop), its end to `on_exit(code, last_error_line)`. Stopping sends SIGTERM,
    on which `desk sync` finishes the write in flight, and waits for it; nothing is lost."""

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
        #: lines read from the child, stdout and stderr: a sign of life while it stops
        self._lines = 0

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
            self._lines += 1
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
            self._lines += 1
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

    async def stop(self, grace: float = STUCK_AFTER_S) -> int | None:  # float-ok: seconds
        """SIGTERM, then wait for the child to finish the write in flight and exit; returns its
        exit code. A write of a big backfill on a loaded machine may take minutes: the child
        is waited for as long as it makes progress (spends CPU, or writes a line), and killed
        only when it has done neither for `grace` seconds. Even then nothing is half-written:
        the write is one transaction, which SQLite's journal rolls back."""
        if self.process is None:
            return None
        self.stopping = True
        process = self.process
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            exited = asyncio.ensure_future(process.wait())
            mark = await self._progress()
            while not exited.done():
                await asyncio.wait({exited}, timeout=grace)
                if exited.done():
                    break
                now = await self._progress()
                if now == mark:
                    log.warning("sync child %s made no progress for %.0f s after SIGTERM: killed", process.pid, grace)
                    with contextlib.suppress(ProcessLookupError):
                        process.kill()
                    await exited
                    break
                mark = now
        await asyncio.gather(*self._tasks, return_exceptions=True)
        return process.returncode

    async def _progress(self) -> tuple[int, int | None]:
        """A mark that moves while the child works: the lines it wrote, and its CPU time
        (clock ticks, from /proc, read off the loop; None where there is no /proc)."""
        pid = self.pid
        ticks = await asyncio.to_thread(cpu_ticks, pid) if pid is not None else None
        return self._lines, ticks


def cpu_ticks(pid: int) -> int | None:
    """User and system CPU time of process `pid` in clock ticks, or None if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) may hold spaces: count fields after its closing parenthesis
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of the line
