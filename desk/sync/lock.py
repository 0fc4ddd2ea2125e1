"""One sync service per register: the claim lives with the register (desk.register.sync_lock),
where it can be a file lock for SQLite and a server-side advisory lock for PostgreSQL."""

from __future__ import annotations

from desk.register.sync_lock import SyncAlreadyRunning, SyncLock

__all__ = ["SyncAlreadyRunning", "SyncLock"]
