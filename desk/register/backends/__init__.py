"""Where the register's rows live: one small storage interface, two backends beneath it.

Every module of desk/register runs its SQL through a `Storage` (the Register holds one as
`_db`): `execute`, `executemany`, `all`, `one`, `insert_id` (an INSERT of one row, its new
id), `write()` (the one write transaction: other writers, here or on another machine, wait)
and `changes()` (a marker that moves when anyone commits). `sqlite.py` is the embedded file
(the default); `postgres.py` is a PostgreSQL server shared by several desks. Statements are
written once, in SQLite's SQL; the PostgreSQL backend translates them (dialect.py).
`where()` reads a `register.url` / path into the backend it names.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from desk.register.errors import RegisterUnavailable


class Storage(Protocol):
    """What the register's modules may ask of the rows' home."""

    #: "sqlite" or "postgres": for the few statements that differ (see dialect.py)
    dialect: str

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; return the number of rows it changed."""

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement once per row."""

    async def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Every row of a query."""

    async def one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        """The first row of a query, or None."""

    async def insert_id(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Insert one row into a table with an `id` key; return the id it was given."""

    def write(self) -> AbstractAsyncContextManager[None]:
        """One short write transaction: commits on leaving, rolls back on a raise."""

    async def changes(self) -> tuple[int, int]:
        """A marker that moves whenever anyone commits (cheap: no table is read)."""

    async def close(self) -> None:
        """Release the connection."""


@dataclass(frozen=True)
class Where:
    """A register's location: an SQLite file, or a PostgreSQL database and its login."""

    backend: str
    path: Path | None = None
    host: str = "localhost"
    port: int = 5432
    user: str = "desk"
    database: str = "desk"
    password: str | None = None

    def __str__(self) -> str:
        if self.backend == "sqlite":
            return str(self.path)
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"


def where(url: str | Path, password: str | None = None) -> Where:
    """Read a path, `sqlite:///path` or `postgresql://user@host:port/db` (the password
    comes separately, from the secrets dir or the environment, never in the URL). As in
    SQLAlchemy, `sqlite:///` is followed by the path: `sqlite:////srv/desk.sqlite` is the
    absolute /srv/desk.sqlite, `sqlite:///desk.sqlite` a file in the current folder."""
    if isinstance(url, Path):
        return Where("sqlite", path=url.expanduser())
    if url.startswith("sqlite:///"):
        return Where("sqlite", path=Path(url.removeprefix("sqlite:///")).expanduser())
    if url.startswith(("postgresql://", "postgres://")):
        parts = urlsplit(url)
        if parts.password is not None:
            raise RegisterUnavailable(
                "register.url holds a password; keep it out of the URL: put it in the secrets dir "
                "(file register__password) or DESK_REGISTER__PASSWORD"
            )
        database = parts.path.lstrip("/")
        if not parts.hostname or not database:
            raise RegisterUnavailable(
                f"register.url {url!r} needs a host and a database: postgresql://user@host:port/db"
            )
        return Where(
            "postgres",
            host=parts.hostname,
            port=parts.port or 5432,
            user=unquote(parts.username or "desk"),
            database=database,
            password=password,
        )
    if "://" in url:
        raise RegisterUnavailable(f"register.url {url!r}: desk keeps a register in sqlite:///path or postgresql://...")
    return Where("sqlite", path=Path(url).expanduser())
