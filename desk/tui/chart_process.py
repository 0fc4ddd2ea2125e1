"""The charts' own process, and the app's side of it.

plotext builds a figure in pure Python: 25-35 ms for the dashboard's chart, with Rich's
decoding of its ANSI text. On the UI loop that made the longest frame of a busy sync; in a
thread it held the interpreter's lock in turns with the UI, and the frames it overlapped
took twice as long. So the app starts one child, `python -m desk.tui.chart_process`, at its
first chart, and sends it what to plot (a function of desk.tui.plotting and its plain data,
pickled); the child sends back the finished Rich Text, which takes a fraction of a
millisecond to unpickle. The child runs at a lower priority (frames first), ends with the
app (its input closes), and is started again, once, if it ever ends on its own.

The pipe carries pickles between this app and the child it started, nothing else.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import sys
from typing import IO, Any

from rich.text import Text

#: How much lower than the app the chart process runs (os.nice).
NICENESS = 10
#: Bytes of the length that goes before each pickle.
HEADER = 8


class ChartError(Exception):
    """No chart: the plotting failed, or the process ended twice in a row."""


class ChartProcess:
    """The app's side: `build(...)` draws in the child, one request at a time."""

    def __init__(self) -> None:
        self._child: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()
        self._closed = False
        #: exchanges under way, waited for by `close`: none outlives the app
        self._exchanges: set[asyncio.Future[Text]] = set()

    async def build(self, *request: Any) -> Text:
        """desk.tui.plotting.build(*request), in the child. A caller cancelled meanwhile (a
        newer drawing replaced it) stops waiting; the exchange still reads its answer, so the
        next request is not handed this one's."""
        exchange = asyncio.ensure_future(self._exchange(request))
        self._exchanges.add(exchange)
        exchange.add_done_callback(self._ended)
        return await asyncio.shield(exchange)

    @property
    def pid(self) -> int | None:
        """The child's process id, while one runs."""
        return self._child.pid if self._child is not None else None

    async def close(self) -> None:
        """End the child (with the app): its input closes and it exits; an exchange under way
        ends with it (and a child one was starting meanwhile is ended too)."""
        self._closed = True
        await self._end_child()
        await asyncio.gather(*self._exchanges, return_exceptions=True)
        await self._end_child()

    async def _end_child(self) -> None:
        child, self._child = self._child, None
        if child is None:
            return
        if child.stdin is not None:
            child.stdin.close()
        try:
            await asyncio.wait_for(child.wait(), timeout=5)
        except TimeoutError:
            child.kill()
            await child.wait()

    def _ended(self, exchange: asyncio.Future[Text]) -> None:
        """An exchange nobody waits for any more still ends: its outcome is taken here."""
        self._exchanges.discard(exchange)
        if not exchange.cancelled():
            exchange.exception()

    async def _exchange(self, request: tuple[Any, ...]) -> Text:
        async with self._lock:
            for _attempt in range(2):
                if self._closed:
                    raise ChartError("the app is closing")
                child = self._child or await self._start()
                assert child.stdin is not None and child.stdout is not None
                try:
                    child.stdin.write(_framed(request))
                    await child.stdin.drain()
                    size = int.from_bytes(await child.stdout.readexactly(HEADER), "big")
                    ok, value = pickle.loads(await child.stdout.readexactly(size))
                except (BrokenPipeError, ConnectionResetError, asyncio.IncompleteReadError):
                    self._child = None  # it ended: start another, once
                    continue
                if not ok:
                    raise ChartError(value)
                return value  # type: ignore[no-any-return]
            raise ChartError("the chart process ended twice in a row")

    async def _start(self) -> asyncio.subprocess.Process:
        # imported here: the child runs this module and needs none of the operations layer
        from desk.operations.sync_process import child_environment

        self._child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "desk.tui.chart_process",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,  # the screen is the terminal: nothing may write on it
            env=child_environment(),
        )
        return self._child


def _framed(value: object) -> bytes:
    data = pickle.dumps(value)
    return len(data).to_bytes(HEADER, "big") + data


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """The child: build each request until the input closes; a failure is answered, not raised."""
    from desk.tui.plotting import build

    while header := requests.read(HEADER):
        request = pickle.loads(requests.read(int.from_bytes(header, "big")))
        try:
            reply: tuple[bool, object] = (True, build(*request))
        except Exception as exc:  # a bug in a plotting function: said on the chart, the app goes on
            reply = (False, f"{type(exc).__name__}: {exc}")
        replies.write(_framed(reply))
        replies.flush()


if __name__ == "__main__":
    os.nice(NICENESS)
    serve(sys.stdin.buffer, sys.stdout.buffer)
