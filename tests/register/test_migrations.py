"""A register written by every earlier schema version opens under this desk, data intact."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desk.config import DeskSettings
from desk.register import Register, RegisterUnavailable
from desk.register.schema import MIGRATIONS, SCHEMA_VERSION
from tests.register.conftest import earning


def build_at(path: Path, version: int) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    for statements in MIGRATIONS[:version]:
        for statement in statements:
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.close()


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
async def test_every_earlier_version_migrates_with_its_entries(
    tmp_path: Path, settings: DeskSettings, version: int
) -> None:
    path = tmp_path / "old.sqlite"
    build_at(path, version)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    conn.close()
    async with Register.open(path, operator="aliya") as reg:
        await reg.init_accounts(settings)
        await reg.ingest([earning(i) for i in range(5)])
        assert (await reg.verify()).ok
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


async def test_a_register_from_a_newer_desk_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    build_at(path, SCHEMA_VERSION)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(RegisterUnavailable, match="newer than this desk"):
        async with Register.open(path, operator="aliya"):
            pass


async def test_a_file_that_is_not_a_register_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(RegisterUnavailable, match="not a desk register"):
        async with Register.open(path, operator="aliya"):
            pass
