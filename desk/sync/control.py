"""`desk sync --control`: the sync takes orders on its stdin, one a line, from the process
that started it (the screen runs the sync as a child so the sync's CPU never stalls a frame).

    poll NAME     poll feed NAME now instead of at its next interval

End of input means the parent is gone (it quit, or crashed): the sync stops as on SIGTERM,
finishing the write in flight, so an orphaned sync never runs on unseen.
"""

from __future__ import annotations

import asyncio
import sys
from typing import IO, Protocol


class Pollable(Protocol):
    def poll_now(self, name: str) -> bool: ...


async def read_commands(engine: Pollable, stop: asyncio.Event, stream: IO[str] | None = None) -> None:
    """Obey commands on `stream` (stdin) until it ends, then set `stop`."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), stream or sys.stdin)
    try:
        while line := await reader.readline():
            obey(engine, line.decode(errors="replace"))
    finally:
        stop.set()


def obey(engine: Pollable, line: str) -> None:
    """One command line; a bad one is reported on stderr and otherwise ignored."""
    words = line.split()
    if not words:
        return
    if words[0] == "poll" and len(words) == 2:
        if not engine.poll_now(words[1]):
            print(f"desk sync: control: no polled feed named {words[1]!r}", file=sys.stderr, flush=True)
        return
    print(f"desk sync: control: unknown command {line.strip()!r} (expected `poll NAME`)", file=sys.stderr, flush=True)
