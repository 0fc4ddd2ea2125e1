"""The relay between a screen and a sync it did not start: under `desk serve` the register's
one sync runs in the server, so every browser session's own sync child is turned away by the
sync lock, and a "poll now" written to that (gone) child's stdin would do nothing. The server
listens on a Unix socket named in the sessions' environment (`RELAY_ENV`); a session sends
`poll NAME` there, the server passes it to its sync's control input and answers in one line.

A Unix socket in the server's private temporary folder: only this machine's user reaches it,
as only they reach the sync's stdin.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from pathlib import Path

#: the environment variable `desk serve` sets for each session: the relay's socket path
RELAY_ENV = "DESK_SYNC_RELAY"
#: seconds a session waits for the server's answer before saying it got none
ANSWER_WITHIN = 5.0  # float-ok: seconds


def relay_from_environment(env: dict[str, str] | None = None) -> Path | None:
    """The relay socket `desk serve` named for this process, if any."""
    value = (os.environ if env is None else env).get(RELAY_ENV)
    return Path(value) if value else None


async def serve_relay(path: Path, poll: Callable[[str], str]) -> asyncio.Server:
    """Listen on `path`; each `poll NAME` line calls `poll(NAME)` and its answer is sent back."""

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = (await reader.readline()).decode(errors="replace").split()
            if len(line) == 2 and line[0] == "poll":
                answer = poll(line[1])
            else:
                answer = f"unknown request {' '.join(line)!r} (expected `poll NAME`)"
            writer.write(answer.encode() + b"\n")
            await writer.drain()
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    return await asyncio.start_unix_server(session, path=str(path))


async def relay_poll(path: Path, name: str) -> str:
    """Ask the server at `path` to have its sync poll feed `name`; its answer, or why none came."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_unix_connection(str(path)), ANSWER_WITHIN)
    except (OSError, TimeoutError) as exc:
        return f"the server's sync could not be reached at {path}: {exc}"
    try:
        writer.write(f"poll {name}\n".encode())
        await writer.drain()
        answer = await asyncio.wait_for(reader.readline(), ANSWER_WITHIN)
        return answer.decode(errors="replace").strip() or "the server closed the relay without an answer"
    except (OSError, TimeoutError) as exc:
        return f"the server's sync did not answer: {exc or 'timed out'}"
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
