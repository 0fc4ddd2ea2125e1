"""Live across desks on PostgreSQL: the server tells every listening desk that someone committed.

Each table a screen shows has a statement-level trigger that does `pg_notify('desk_register',
<table>)`; PostgreSQL delivers a notification only when (and if) the transaction commits, once
per distinct payload, so a batch of fifty thousand payouts is one message, and a rolled-back
write is none. A desk's watch (`Register.watch`, watch.py) LISTENs on a connection of its own
and wakes at once; it still looks at the change marker every interval, so a notification lost
with a dropped connection costs at most that interval. The triggers are part of the baseline
schema (pg_schema.py), so they exist whoever writes: a desk, the sync, or psql.

Notifying needs no privilege, so the desk_writer and desk_auditor roles can listen and be heard.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from desk.register.backends import Where
from desk.register.errors import RegisterUnavailable

log = logging.getLogger("desk.register")

CHANNEL = "desk_register"

#: The tables whose writes a desk's screen follows (postings, balances, daily deltas and the
#: reference index change only with an entry or an action, which notify already).
NOTIFYING = (
    "assets",
    "accounts",
    "entries",
    "actions",
    "drafts",
    "policy_proposals",
    "quotes",
    "valuations",
    "transfer_states",
    "entry_state",
    "sync_state",
    "host_blocks",
    "pool_days",
    "feed_refusals",
    "lots",
    "meta",
)

NOTIFY_DDL: list[str] = [
    f"""CREATE FUNCTION desk_notify() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME); RETURN NULL; END $$""",
    *(
        f"CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION desk_notify()"
        for table in NOTIFYING
    ),
]

#: Seconds between attempts to listen again after the listening connection failed.
RELISTEN_S = 30


class PgSignal:
    """A `watch.Signal` woken by the register's notifications, on a connection of its own."""

    def __init__(self, where: Where) -> None:
        self._where = where
        self._conn: Any = None
        self._told = asyncio.Event()
        self._retry_at = 0.0  # float-ok: an event-loop time

    async def wait(self, longest: float) -> None:  # float-ok: seconds
        await self._listen()
        with contextlib.suppress(TimeoutError):  # the interval passed: the watch looks anyway
            await asyncio.wait_for(self._told.wait(), longest)
        self._told.clear()

    async def _listen(self) -> None:
        """Be listening, unless it failed less than RELISTEN_S ago (then the interval alone
        wakes the watch, and one warning said why)."""
        if self._conn is not None and not self._conn.is_closed():
            return
        loop = asyncio.get_running_loop()
        if loop.time() < self._retry_at:
            return
        import asyncpg  # here, not at the top: a SQLite desk never loads it (its import is 80 ms)

        from desk.register.backends.postgres import connect

        try:
            conn = await connect(self._where)
            await conn.add_listener(CHANNEL, self._notified)
        except (RegisterUnavailable, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            self._retry_at = loop.time() + RELISTEN_S
            log.warning("not listening for other desks' changes (looking every interval instead): %s", exc)
            return
        self._conn = conn
        self._told.set()  # what was committed while nobody listened is looked for at once

    def _notified(self, _conn: Any, _pid: int, _channel: str, _payload: str) -> None:
        self._told.set()

    async def close(self) -> None:
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.close()
        self._conn = None
