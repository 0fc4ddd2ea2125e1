"""Where `desk sync` writes its tracebacks: beside an SQLite register, and for a register on a
PostgreSQL server (no file to sit beside) in this machine's data folder. Before, a sync on
PostgreSQL died at start writing beside the unused default path (`desk serve` said so)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from desk.config import RegisterSettings
from desk.sync.crashlog import crash_log, crash_log_path


def test_an_sqlite_registers_log_is_beside_its_file_however_named(tmp_path: Path) -> None:
    by_path = RegisterSettings(path=tmp_path / "book.sqlite")
    by_url = RegisterSettings(url=f"sqlite:///{tmp_path / 'other.sqlite'}")
    assert crash_log_path(by_path) == tmp_path / "book.sqlite.crashes.log"
    assert crash_log_path(by_url) == tmp_path / "other.sqlite.crashes.log"


def test_a_postgresql_registers_log_is_in_the_data_folder_named_for_server_and_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # not yet there: made, private
    register = RegisterSettings(url="postgresql://desk@db.example:5433/treasury")
    with crash_log(register) as path:
        logging.getLogger("desk.crash").error("boom")
    assert path == tmp_path / "data" / "desk" / "db.example-5433-treasury.crashes.log"
    assert "boom" in path.read_text() and path.stat().st_mode & 0o077 == 0
