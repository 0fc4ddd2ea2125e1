"""Which backend a register opens on: a path, a `register.url`, or the `[register]` settings.

One helper for every caller that opens the register (the CLI, the TUI, the sync service):
`Register.open(settings.register, ...)` picks SQLite or PostgreSQL from the settings' url
(default: `sqlite:///` + `register.path`), with the password from the secrets dir or the
environment. A bare path keeps opening an SQLite file, as it always did.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import platformdirs

from desk.register.backends import Storage, Where, where
from desk.register.backends.sqlite import SqliteStorage


class RegisterPlace(Protocol):
    """The `[register]` settings (desk.config RegisterSettings): where the book lives."""

    path: Path

    @property
    def effective_url(self) -> str: ...

    @property
    def password(self) -> Any: ...


Location = Path | str | RegisterPlace


def resolve(location: Location) -> Where:
    """The backend and place `location` names."""
    if isinstance(location, Path | str):
        return where(location)
    secret = location.password
    return where(location.effective_url, secret.get_secret_value() if secret is not None else None)


async def open_storage(location: Location, *, create: bool) -> tuple[Storage, Path, Where]:
    """Open (or with `create`, create) the storage; return it, the register's path (for a
    PostgreSQL register: a place in desk's data dir, beside which reports are written) and
    where it is."""
    place = resolve(location)
    if place.backend == "sqlite":
        assert place.path is not None
        return await SqliteStorage.open(place.path, create=create), place.path, place
    from desk.register.backends.postgres import PostgresStorage  # asyncpg only when asked for

    storage = await PostgresStorage.open(place, create=create)
    return storage, platformdirs.user_data_path("desk") / f"register-{place.host}-{place.database}", place
