"""`INSERT OR IGNORE` skips a duplicate of the key it means, and nothing else: on PostgreSQL
a collision on another unique key (an id out of step, as after a careless copy) raises
instead of silently dropping the row."""

from __future__ import annotations

import asyncpg
import pytest

from desk.register import Register
from tests.register.rawdb import RawDb


async def test_an_account_whose_new_id_collides_is_not_silently_dropped(
    register: Register, raw: RawDb, backend: str
) -> None:
    (top,) = raw.query("SELECT max(id) FROM accounts")[0]
    # a row written with an explicit id the server's sequence has not seen: the next
    # account the register adds is handed that same id
    raw.execute(f"INSERT INTO accounts (id, path, kind) VALUES ({int(top) + 1}, 'assets:wallet:planted', 'assets')")
    if backend == "postgres":
        with pytest.raises(asyncpg.UniqueViolationError, match="accounts_pkey"):
            await register.add_account("assets:wallet:newcomer")
    else:  # SQLite hands out max(id) + 1: no collision to meet
        await register.add_account("assets:wallet:newcomer")
    paths = {row[0] for row in raw.query("SELECT path FROM accounts")}
    assert ("assets:wallet:newcomer" in paths) == (backend == "sqlite")


async def test_adding_an_account_twice_is_still_one_account(register: Register, raw: RawDb) -> None:
    await register.add_account("assets:wallet:twice")
    await register.add_account("assets:wallet:twice")
    assert raw.query("SELECT count(*) FROM accounts WHERE path = 'assets:wallet:twice'") == [["1"]]
