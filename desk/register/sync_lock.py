"""One sync service per register, however many machines share it.

A TUI and one `desk sync` may write the same register at once (the storage arbitrates), but
two sync services would poll every pool twice and trip rate limits, so the second one
refuses to start. The claim is held for the life of the sync and released by whatever ends
the process, even kill -9, so a crash never leaves a stale claim behind:

- SQLite: an `flock` on a file beside the register (the kernel releases it with the process);
  the holder writes its pid into the file.
- PostgreSQL: a session-level advisory lock on `SYNC_LOCK`, held on a connection of its own
  (the server releases it when that connection ends). A lock file would be local to one
  machine, and two machines could then both sync one shared register. The holding
  connection is named in `application_name` (`desk sync pid N on HOST`), which is how a
  refused second sync says who holds the register.
"""

from __future__ import annotations

import fcntl
import os
import socket
from pathlib import Path
from typing import Any, Protocol

from desk.register.backends import Where
from desk.register.opening import Location, resolve

#: The advisory lock of the register's one sync ("desk" + 2: beside WRITE_LOCK and MIGRATE_LOCK).
SYNC_LOCK = 0x6465736B + 2

#: Who holds SYNC_LOCK in this database: the holding session's name, server pid and address
#: (the name is shown to every role; the address only to those allowed to see it).
_HOLDER = """
SELECT coalesce(nullif(a.application_name, ''), 'unknown') || ' (server pid ' || l.pid
       || coalesce(', from ' || host(a.client_addr), '') || ')'
FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND l.classid::bigint = ($1::bigint >> 32) AND l.objid::bigint = ($1::bigint & 4294967295)
"""


class SyncAlreadyRunning(Exception):
    """Another `desk sync` holds the register's sync claim."""


def _refusal(holder: str, where: object) -> SyncAlreadyRunning:
    return SyncAlreadyRunning(
        f"another `desk sync` ({holder}) is already syncing {where}; "
        "stop it first, or use `desk sync --once` from cron instead of a second service"
    )


class SyncClaim(Protocol):
    """A held claim on the register's one sync."""

    async def release(self) -> None:
        """Let the next sync have the register."""


class SyncLock:
    """The SQLite register's claim: an `flock` on `<register>.sync.lock`."""

    def __init__(self, register_path: Path) -> None:
        # the file itself, however it is reached: a symlink or a relative path to the same
        # register must meet the same lock
        self.register_path = register_path.resolve()
        self.path = self.register_path.with_name(self.register_path.name + ".sync.lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise _refusal(f"pid {holder}", self.register_path) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)  # no pid in the file but a holder's (see holds_sync)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> SyncLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class _FileClaim:
    """A `SyncLock` as a `SyncClaim`."""

    def __init__(self, lock: SyncLock) -> None:
        self._lock = lock

    async def release(self) -> None:
        self._lock.release()


class _PgClaim:
    """SYNC_LOCK held on a dedicated connection: closing it releases the lock."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def release(self) -> None:
        if not self._conn.is_closed():
            await self._conn.close()


async def _claim_postgres(place: Where) -> _PgClaim:
    from desk.register.backends.postgres import connect  # asyncpg only when asked for

    conn = await connect(place)
    try:
        name = _claim_name(os.getpid())
        await conn.execute("SELECT set_config('application_name', $1, false)", name)
        if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", SYNC_LOCK):
            holder = await conn.fetchval(_HOLDER, SYNC_LOCK)
            raise _refusal(holder or "unknown", place)
    except BaseException:
        await conn.close()
        raise
    return _PgClaim(conn)


async def _postgres_holder(place: Where) -> str | None:
    from desk.register.backends.postgres import connect  # asyncpg only when asked for

    conn = await connect(place)
    try:
        return await conn.fetchval(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            + _HOLDER[_HOLDER.index("WHERE") :],
            SYNC_LOCK,
        )
    finally:
        await conn.close()


def _claim_name(pid: int) -> str:
    """How the sync of process `pid` on this machine names its claim's connection."""
    return f"desk sync pid {pid} on {socket.gethostname()}"


async def holds_sync(location: Location, pid: int) -> bool:
    """Whether the process `pid` on this machine holds the register's sync claim now.
    `desk serve` waits for its own sync to hold it before it lets browsers in.

    On SQLite the holder writes its pid into the lock file once it has the lock and clears it
    when it lets go; nothing here takes the lock to look (a look that took it could turn a
    starting sync away). A pid left by a sync that was killed is that of no live process."""
    place = resolve(location)
    if place.backend == "postgres":
        return await _postgres_holder(place) == _claim_name(pid)
    assert place.path is not None
    try:
        written = SyncLock(place.path).path.read_text().strip()
    except OSError:  # not created yet
        return False
    return written == str(pid) and _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


async def claim_sync(location: Location) -> SyncClaim:
    """Claim the register's one sync (a path, a URL or the `[register]` settings); raise
    SyncAlreadyRunning, naming the holder, when another sync has it. Release it when done."""
    place = resolve(location)
    if place.backend == "postgres":
        return await _claim_postgres(place)
    assert place.path is not None
    lock = SyncLock(place.path)
    lock.acquire()
    return _FileClaim(lock)
