"""A blocking, read-only connection for `desk verify`, which walks every table in a worker
thread: SQLite's own sqlite3 connection on the file, or for PostgreSQL an adapter with the
same face (`execute(...)` -> rows to iterate or fetch) over asyncpg on an event loop in a
thread of its own (so it blocks its caller alike from a worker thread or from code already
inside an event loop), reading one REPEATABLE READ snapshot through server-side cursors (bounded
memory, and the walk sees one consistent register while desks keep writing)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from desk.register.backends import Where
from desk.register.backends.dialect import to_postgres

#: Rows fetched from the server per round trip while walking a table.
BATCH = 5_000


def open_reader(where: Path | Where) -> Any:
    """A read-only connection to the register `where` names (the caller closes it)."""
    if isinstance(where, Path):
        return sqlite3.connect(f"file:{where}?mode=ro", uri=True)
    if where.backend == "sqlite":
        return sqlite3.connect(f"file:{where.path}?mode=ro", uri=True)
    return PgReader(where)


class LoopThread:
    """An event loop running in a daemon thread; `run` blocks until a coroutine is done there."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="desk-pg-blocking", daemon=True)
        self._thread.start()

    def run(self, awaitable: Any) -> Any:
        async def wait() -> Any:
            return await awaitable

        return asyncio.run_coroutine_threadsafe(wait(), self._loop).result()

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


class PgReader:
    """sqlite3's `execute` / `close` over a PostgreSQL snapshot, for code that blocks."""

    def __init__(self, where: Where) -> None:
        from desk.register.backends.postgres import connect

        self._loop = LoopThread()
        self._conn = self._run(connect(where))
        self._run(self._conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))

    def _run(self, coroutine: Any) -> Any:
        return self._loop.run(coroutine)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Rows:
        return _Rows(self, self._run(self._conn.cursor(to_postgres(sql), *params)))

    def close(self) -> None:
        try:
            self._run(self._conn.execute("ROLLBACK"))
            self._run(self._conn.close())
        finally:
            self._loop.stop()


class _Rows:
    """The rows of one query, fetched a batch at a time as they are read."""

    def __init__(self, reader: PgReader, cursor: Any) -> None:
        self._reader = reader
        self._cursor = cursor
        self._batch: list[tuple] = []
        self._done = False

    def __iter__(self) -> Iterator[tuple]:
        while True:
            row = self.fetchone()
            if row is None:
                return
            yield row

    def fetchone(self) -> tuple | None:
        if not self._batch and not self._done:
            records = self._reader._run(self._cursor.fetch(BATCH))
            self._done = len(records) < BATCH
            self._batch = [tuple(r) for r in reversed(records)]
        return self._batch.pop() if self._batch else None

    def fetchall(self) -> list[tuple]:
        return list(self)

    def fetchmany(self, size: int) -> list[tuple]:
        rows = []
        while len(rows) < size and (row := self.fetchone()) is not None:
            rows.append(row)
        return rows
