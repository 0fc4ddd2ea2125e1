"""The shared backend: the register in a PostgreSQL database, for several desks at once.

One asyncpg connection per open register, as SQLite has one per process. Statements arrive
in SQLite's SQL and are translated once (dialect.py). Integer units travel as exact decimal
text (NUMERIC columns, text codec: never a float). A write transaction is short and takes
the transaction-scoped advisory lock `WRITE_LOCK` first, so writers on every machine append
to the chains one at a time and the chains stay linear; a writer that cannot get the lock in
time (or meets a serialization failure or a deadlock at the start) retries with backoff, and
only after WRITE_PATIENCE_S says, plainly, that nothing was written.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import asyncpg

from desk.register.backends import Where
from desk.register.backends.dialect import to_postgres
from desk.register.backends.pg_schema import BASELINE, BASELINE_VERSION, MIGRATIONS
from desk.register.errors import RegisterUnavailable

#: The advisory lock every write transaction holds (any 64-bit key; "desk" in ASCII).
WRITE_LOCK = 0x6465736B
#: The advisory lock a migration holds, so two desks opening a fresh database do not race.
MIGRATE_LOCK = WRITE_LOCK + 1
#: How long a writer keeps retrying before giving up with a clear message (as on SQLite).
WRITE_PATIENCE_S = 120
#: How long one attempt waits for the write lock before it lets go and tries again.
LOCK_WAIT = "5s"
_RETRYABLE = (
    asyncpg.exceptions.LockNotAvailableError,
    asyncpg.exceptions.SerializationError,
    asyncpg.exceptions.DeadlockDetectedError,
)


def _numeric(text: str) -> int | Decimal:
    """A NUMERIC from the server: integer units as int (what units.from_db expects)."""
    return int(text) if "." not in text else Decimal(text)


async def connect(where: Where) -> asyncpg.Connection:
    """A connection with desk's codecs; a refusal is named with the server and the login."""
    try:
        conn = await asyncpg.connect(
            host=where.host, port=where.port, user=where.user, database=where.database, password=where.password
        )
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise RegisterUnavailable(f"{where}: cannot reach the register ({type(exc).__name__}: {exc})") from None
    await conn.set_type_codec("numeric", encoder=str, decoder=_numeric, schema="pg_catalog", format="text")
    # text parameters accept what SQLite's dynamic typing accepts (an int counter into meta)
    await conn.set_type_codec("text", encoder=str, decoder=str, schema="pg_catalog", format="text")
    return conn


async def migrate(conn: asyncpg.Connection, where: Where, *, create: bool) -> int:
    """Bring the database to the newest version (the baseline on an empty one, when asked to
    create); return the version it had."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATE_LOCK)
        exists = await conn.fetchval("SELECT to_regclass('meta') IS NOT NULL")
        if not exists:
            if not create:
                raise RegisterUnavailable(f"{where}: no register here; run `desk init` to create it")
            for statement in BASELINE:
                await conn.execute(statement)
            return 0
        created_by = await conn.fetchval("SELECT value FROM meta WHERE key = 'created_by'")
        if created_by != "desk":
            raise RegisterUnavailable(f"{where}: this database is not a desk register")
        current = int(await conn.fetchval("SELECT value FROM meta WHERE key = 'schema_version'"))
        newest = max([BASELINE_VERSION, *MIGRATIONS])
        if current > newest:
            raise RegisterUnavailable(
                f"register schema version {current} is newer than this desk understands ({newest}); upgrade desk"
            )
        for version in range(current + 1, newest + 1):
            for statement in MIGRATIONS.get(version, []):
                await conn.execute(statement)
            await conn.execute("UPDATE meta SET value = $1 WHERE key = 'schema_version'", str(version))
        return current


class PostgresStorage:
    """The register's rows in a PostgreSQL database, through one asyncpg connection."""

    dialect = "postgres"

    def __init__(self, conn: asyncpg.Connection, where: Where) -> None:
        self._conn = conn
        self.where = where
        #: one statement at a time on the connection (asyncpg allows no overlap)
        self._statement = asyncio.Lock()
        #: serialises the writers of this process (the advisory lock, those of other processes)
        self._writer = asyncio.Lock()
        self._own_changes = 0

    @classmethod
    async def open(cls, where: Where, *, create: bool) -> PostgresStorage:
        conn = await connect(where)
        try:
            await migrate(conn, where, create=create)
        except BaseException:
            await conn.close()
            raise
        return cls(conn, where)

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self._statement:
            status = await self._conn.execute(to_postgres(sql), *params)
        last = status.rsplit(" ", 1)[-1]
        count = int(last) if last.isdigit() else 0
        self._own_changes += count
        return count

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        async with self._statement:
            await self._conn.executemany(to_postgres(sql), rows)
        self._own_changes += len(rows)

    async def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        async with self._statement:
            return [tuple(r) for r in await self._conn.fetch(to_postgres(sql), *params)]

    async def one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        async with self._statement:
            row = await self._conn.fetchrow(to_postgres(sql), *params)
        return None if row is None else tuple(row)

    async def insert_id(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self._statement:
            value = await self._conn.fetchval(to_postgres(sql) + " RETURNING id", *params)
        self._own_changes += 1
        return int(value)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[None]:
        async with self._writer:
            await self._begin()
            try:
                yield
            except BaseException:
                async with self._statement:
                    await self._conn.execute("ROLLBACK")
                raise
            async with self._statement:
                await self._conn.execute("COMMIT")

    async def _begin(self) -> None:
        """BEGIN and take the write lock, retrying a busy server with backoff."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WRITE_PATIENCE_S
        delay = 0.05  # float-ok: seconds
        while True:
            async with self._statement:
                await self._conn.execute("BEGIN")
                try:
                    await self._conn.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
                    await self._conn.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK)
                    await self._conn.execute("SET LOCAL lock_timeout = 0")
                    return
                except _RETRYABLE:
                    await self._conn.execute("ROLLBACK")
                except BaseException:
                    await self._conn.execute("ROLLBACK")
                    raise
            if loop.time() > deadline:
                raise RegisterUnavailable(
                    f"the register stayed busy for {WRITE_PATIENCE_S} s (another writer holds it); "
                    "nothing was written — try again"
                )
            await asyncio.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 1.0)  # float-ok: seconds

    async def changes(self) -> tuple[int, int]:
        """The server's WAL position (moves with every commit, by anyone) and this
        connection's own changes."""
        async with self._statement:
            lsn = await self._conn.fetchval("SELECT pg_current_wal_insert_lsn()::text")
        high, low = lsn.split("/")
        return ((int(high, 16) << 32) | int(low, 16), self._own_changes)

    async def close(self) -> None:
        await self._conn.close()
