"""The embedded backend: one SQLite file (connection.py opens it, migrates it and holds its
`BEGIN IMMEDIATE` write transaction with busy retry)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from desk.register import connection


class SqliteStorage:
    """The register's rows in one SQLite file, through one aiosqlite connection."""

    dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        #: serialises the writers of this process that share the connection
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path, *, create: bool) -> SqliteStorage:
        return cls(await connection.connect(path, create=create))

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        cursor = await self._conn.execute(sql, params)
        return cursor.rowcount

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        await self._conn.executemany(sql, rows)

    async def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        async with self._conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        async with self._conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def insert_id(self, sql: str, params: Sequence[Any] = ()) -> int:
        cursor = await self._conn.execute(sql, params)
        return int(cursor.lastrowid or 0)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[None]:
        async with connection.immediate(self._conn, self._lock):
            yield

    async def changes(self) -> tuple[int, int]:
        """SQLite's data_version (commits by other connections, e.g. a `desk sync`) and this
        connection's own changes."""
        row = await self.one("PRAGMA data_version")
        return (row[0] if row else 0, self._conn.total_changes)

    async def close(self) -> None:
        await self._conn.close()
