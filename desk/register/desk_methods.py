"""The register's methods for several desks on one register — noticing what the others
commit (watch.py) and copying a register to another backend (copying.py) — kept apart from
the facade in register.py so that each file holds one idea and stays small."""

from __future__ import annotations

from collections.abc import AsyncIterator, Hashable
from typing import TYPE_CHECKING

from desk.register import copying
from desk.register import watch as watching

if TYPE_CHECKING:
    from desk.register.register import Register


class DeskMethods:
    """Mixed into `Register`: what a desk among several asks of the register."""

    async def watch(
        self: Register,
        *,
        since: Hashable | None = None,
        interval: float = watching.INTERVAL,  # float-ok: seconds
    ) -> AsyncIterator[Hashable]:
        """Yield the change marker (`changes()`) each time someone, at this desk or another,
        commits to the register; a burst of commits is one yield. `since`: the marker the
        caller holds already. A failed look is logged and the next one tried (watch.py). On
        PostgreSQL the server's notifications wake it at once (backends/pg_notify.py); the
        marker is still read every `interval` in case one was lost."""
        signal: watching.Signal = watching.Pause()
        if self._db.dialect == "postgres":
            from desk.register.backends.pg_notify import PgSignal  # asyncpg only when asked for

            signal = PgSignal(self._where)
        try:
            async for marker in watching.watch(self.changes, signal, since=since, interval=interval):
                yield marker
        finally:
            await signal.close()

    async def copy_to(
        self: Register,
        target: Register,
        *,
        batch: int = copying.BATCH,
        progress: copying.CopyProgress | None = None,
    ) -> copying.CopyReport:
        """Copy this whole register, chains byte for byte, into the empty `target` (in one
        transaction: a failure leaves it empty), and verify the target against this
        register's heads (copying.py). `progress(table, done, total)` is told as it goes."""
        return await copying.copy_register(self, target, batch=batch, progress=progress)
