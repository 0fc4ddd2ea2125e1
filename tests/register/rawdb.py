"""The register's storage as someone with direct access to it holds it, on either backend:
the SQLite file through sqlite3, or the PostgreSQL database through psql as its owner.
Statements are typed by hand in SQL both dialects read (literals, no placeholders)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tests.pgserver import PgCluster


class Refused(Exception):
    """The storage refused a statement (a trigger, a privilege); the text says why."""


@dataclass
class RawDb:
    backend: str
    path: Path
    location: str
    cluster: PgCluster | None = None

    @property
    def database(self) -> str:
        return urlsplit(self.location).path.lstrip("/")

    def query(self, sql: str, *, user: str = "desk", password: str | None = None) -> list[list[str]]:
        """Rows of a query as text (as psql prints them)."""
        if self.backend == "sqlite":
            with sqlite3.connect(self.path) as conn:
                return [[str(v) for v in row] for row in conn.execute(sql)]
        assert self.cluster is not None
        out = self.cluster.psql(sql, self.database, user=user, password=password)
        return [line.split("|") for line in out.splitlines() if line]

    def execute(self, sql: str, *, user: str = "desk", password: str | None = None) -> None:
        """Run a statement as the storage's owner (or `user` with `password`); Refused if it says no."""
        if self.backend == "sqlite":
            conn = sqlite3.connect(self.path, isolation_level=None)
            try:
                conn.execute(sql)
            except sqlite3.DatabaseError as exc:
                raise Refused(str(exc)) from None
            finally:
                conn.close()
            return
        assert self.cluster is not None
        try:
            self.cluster.psql(sql, self.database, user=user, password=password)
        except RuntimeError as exc:
            raise Refused(str(exc)) from None

    def tamper(self, sql: str) -> None:
        """Run a statement with the append-only triggers out of the way, as an attacker who
        owns the storage can (SQLite: drop them; PostgreSQL: a replica-role session)."""
        if self.backend == "sqlite":
            conn = sqlite3.connect(self.path, isolation_level=None)
            try:
                for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
                    conn.execute(f"DROP TRIGGER {name}")
                conn.execute(sql)
            finally:
                conn.close()
            return
        assert self.cluster is not None
        self.cluster.psql(f"SET session_replication_role = replica; {sql}", self.database)
