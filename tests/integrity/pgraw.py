"""The PostgreSQL register as an attacker who owns its database holds it: a blocking
connection with sqlite3's face (`execute`, `executemany`; `?` placeholders as desk writes
them), every statement committed at once, in a replica-role session, so neither the
append-only triggers nor the foreign keys stand in the way. The tamper suite edits through
it exactly as it edits the SQLite file."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from desk.register.backends import Where
from desk.register.backends.dialect import to_postgres
from desk.register.backends.postgres import connect
from desk.register.backends.reader import LoopThread


class Rows(list):
    """A query's rows, with sqlite3's cursor methods."""

    def fetchone(self) -> tuple | None:
        return self[0] if self else None

    def fetchall(self) -> list[tuple]:
        return list(self)


class PgRaw:
    def __init__(self, where: Where) -> None:
        self._loop = LoopThread()
        self._conn = self._loop.run(connect(where))
        self._loop.run(self._conn.execute("SET session_replication_role = replica"))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Rows:
        records = self._loop.run(self._conn.fetch(to_postgres(sql), *params))
        return Rows(tuple(r) for r in records)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._loop.run(self._conn.executemany(to_postgres(sql), rows))

    def close(self) -> None:
        try:
            self._loop.run(self._conn.close())
        finally:
            self._loop.stop()
