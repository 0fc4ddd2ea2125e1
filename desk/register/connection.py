"""Opening the register file and writing to it safely alongside other writers.

The TUI, one `desk sync` and a second operator's TUI may all write the same file. Each write
is one short `BEGIN IMMEDIATE` transaction; if another process holds the write lock, SQLite
waits up to the busy timeout and desk then retries with backoff, so "database is locked"
never reaches a person. Within one process an asyncio lock serialises the writers that
share the connection.
"""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from desk.private_files import private_dir
from desk.register.errors import RegisterUnavailable
from desk.register.schema import migrate

BUSY_TIMEOUT_MS = 5_000
#: How long a writer keeps retrying a busy file before giving up with a clear message.
WRITE_PATIENCE_S = 120


def create_file(path: Path) -> None:
    """Create an empty register file readable by its owner only (in folders desk creates
    owner-only). SQLite gives the -wal and -shm files the database file's permissions, so
    they are private too."""
    private_dir(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


PER_CONNECTION = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    # 64 MiB of page cache (the default is 2 MiB): index pages of a million-entry register
    # stay in memory while a batch is written
    "PRAGMA cache_size = -65536",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
)


def ensure_private(path: Path) -> None:
    """Refuse a register (or its -wal and -shm files) that group or others can read or
    write, as ssh refuses a readable key: the book of record is the operator's alone. The
    message names the `chmod` that fixes it."""
    exposed = []
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            mode = candidate.stat().st_mode
        except FileNotFoundError:
            continue
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            exposed.append((candidate, stat.S_IMODE(mode)))
    if exposed:
        modes = ", ".join(f"{p.name} mode {m:o}" for p, m in exposed)
        raise RegisterUnavailable(
            f"{path}: the register is readable by group or others ({modes}); it is the book of record, so "
            f"desk refuses it. Fix: chmod 600 {' '.join(str(p) for p, _ in exposed)}"
        )


def prepare(path: Path, create: bool) -> None:
    """Create the file if asked, switch it to WAL (a property of the file) and migrate it,
    on a short-lived connection of its own (run in a thread: migrations may take a while)."""
    if not path.exists():
        if not create:
            raise RegisterUnavailable(f"{path}: no register here; run `desk init` to create it")
        create_file(path)
    ensure_private(path)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in PER_CONNECTION:
            conn.execute(pragma)
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":
            raise RegisterUnavailable(f"{path}: could not switch the register to WAL mode (got {mode})")
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        raise RegisterUnavailable(f"{path}: not a desk register ({exc})") from None
    finally:
        conn.close()


async def connect(path: Path, *, create: bool) -> aiosqlite.Connection:
    """Open (or with `create`, create) the register and bring its schema up to date."""
    await asyncio.to_thread(prepare, path, create)
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        for pragma in PER_CONNECTION:
            await conn.execute(pragma)
        async with conn.execute("SELECT value FROM meta WHERE key = 'created_by'") as cursor:
            row = await cursor.fetchone()
        if row is None or row[0] != "desk":
            raise RegisterUnavailable(f"{path}: this SQLite file is not a desk register")
    except sqlite3.DatabaseError as exc:
        await conn.close()
        raise RegisterUnavailable(f"{path}: not a desk register ({exc})") from None
    except BaseException:
        await conn.close()
        raise
    return conn


@asynccontextmanager
async def immediate(conn: aiosqlite.Connection, lock: asyncio.Lock) -> AsyncIterator[None]:
    """One write transaction: BEGIN IMMEDIATE with retry on busy, COMMIT or ROLLBACK."""
    async with lock:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WRITE_PATIENCE_S
        delay = 0.05  # float-ok: seconds
        while True:
            try:
                await conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if loop.time() > deadline:
                    raise RegisterUnavailable(
                        f"the register stayed busy for {WRITE_PATIENCE_S} s (another writer holds it); "
                        "nothing was written — try again"
                    ) from None
                await asyncio.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 1.0)  # float-ok: seconds
        try:
            yield
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        await conn.execute("COMMIT")
