"""One sync service per register: an advisory lock file beside the register.

A TUI and one `desk sync` may write the same register at once (SQLite arbitrates), but two
sync services would poll every pool twice and trip rate limits, so the second one refuses
to start. The lock is an `flock` held for the life of the process: the kernel releases it
when the process dies, even by kill -9, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class SyncAlreadyRunning(Exception):
    """Another `desk sync` holds the register's sync lock."""


class SyncLock:
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
            raise SyncAlreadyRunning(
                f"another `desk sync` (pid {holder}) is already syncing {self.register_path}; "
                "stop it first, or use `desk sync --once` from cron instead of a second service"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> SyncLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
