"""Copying a whole register into an empty one (`Register.copy_to`, `desk migrate`): every row
byte for byte across batch boundaries, the heads verified on arrival, a non-empty target
refused, a failure leaving the target empty and a second run succeeding."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pydantic import SecretStr

from desk.config import DeskSettings
from desk.operations.migrate import Place, migrate
from desk.register import CopyMismatch, Register, RegisterUnavailable, TargetNotEmpty
from desk.register.copying import COPIED
from desk.register.schema import migrate as migrate_schema
from tests.pgserver import PgCluster
from tests.register.conftest import earning
from tests.register.full_book import build, settings_in


@pytest.fixture
async def book(tmp_path: Path) -> DeskSettings:
    settings = settings_in(tmp_path / "source")
    await build(settings)
    return settings


def rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table of the file at `path`, in key order (SQLite-only: a raw read
    of both files is the strictest comparison; the PostgreSQL tests compare through the API)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {
            t.name: conn.execute(f"SELECT {', '.join(t.columns)} FROM {t.name} ORDER BY {', '.join(t.key)}").fetchall()
            for t in COPIED
        }
    finally:
        conn.close()


def test_every_table_and_column_of_the_schema_is_copied() -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    migrate_schema(conn)
    schema = {
        name: tuple(column for _, column, *_ in conn.execute(f"PRAGMA table_info({name})"))
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    assert {t.name: t.columns for t in COPIED} == schema


async def test_every_table_and_column_on_postgresql_is_copied(pg_cluster: PgCluster) -> None:
    database = pg_cluster.fresh_database()
    async with Register.open(
        Place(pg_cluster.url(database), SecretStr(pg_cluster.password)), operator="copy", create=True
    ):
        pass
    listed = pg_cluster.psql(
        "SELECT table_name, string_agg(column_name, ' ' ORDER BY ordinal_position) FROM information_schema.columns "
        "WHERE table_schema = 'public' GROUP BY table_name",
        database,
    )
    schema = dict(line.split("|") for line in listed.splitlines() if line)
    assert {t.name: " ".join(t.columns) for t in COPIED} == schema


@pytest.mark.parametrize("batch", [1, 3, 5_000])
async def test_a_copy_is_the_source_row_for_row_and_verifies_against_its_heads(
    book: DeskSettings, tmp_path: Path, batch: int
) -> None:
    target_path = tmp_path / "target.sqlite"
    told: dict[str, tuple[int, int]] = {}
    async with (
        Register.open(book.register.path, operator="copy") as source,
        Register.open(target_path, operator="copy", create=True) as target,
    ):
        heads = (await source.head(), await source.balances())
        report = await source.copy_to(target, batch=batch, progress=lambda t, d, n: told.update({t: (d, n)}))
    assert report.verified is not None and report.verified.ok, report.verified.problems
    assert report.heads is not None and report.verified.head_hash == report.heads.head_hash == heads[0][1]
    original, copy = rows(book.register.path), rows(target_path)
    assert copy == original
    # every table was read past a batch boundary when the batch is small, and counted whole
    assert all(original[t.name] for t in COPIED), [t.name for t in COPIED if not original[t.name]]
    assert report.rows == {name: len(r) for name, r in original.items()}
    assert {name: done for name, (done, _) in told.items()} == {n: c for n, c in report.rows.items() if c}
    assert all(done == total for done, total in told.values())
    async with Register.open(target_path, operator="bolat") as copied:
        assert (await copied.head(), await copied.balances()) == heads
        # the copy is a working register: its chains continue where the source's ended
        await copied.ingest([earning(99)])
        assert (await copied.verify()).ok


async def test_a_non_empty_target_is_refused_and_left_as_it_was(book: DeskSettings, tmp_path: Path) -> None:
    target_path = tmp_path / "target.sqlite"
    async with Register.open(target_path, operator="aliya", create=True) as target:
        await target.init_accounts(book)
    before = rows(target_path)
    with pytest.raises(TargetNotEmpty, match=r"not empty \(it holds assets, accounts\).*nothing was written"):
        await migrate(str(book.register.path), f"sqlite:///{target_path}")
    assert rows(target_path) == before


async def test_a_copy_that_fails_midway_leaves_the_target_empty_and_runs_again(
    book: DeskSettings, tmp_path: Path
) -> None:
    target_url = f"sqlite:///{tmp_path / 'target.sqlite'}"

    def fail_in_actions(table: str, done: int, total: int) -> None:
        if table == "actions" and done > 4:
            raise OSError("No space left on device")

    with pytest.raises(OSError, match="No space left"):
        await migrate(str(book.register.path), target_url, batch=2, progress=fail_in_actions)
    assert all(not r for name, r in rows(tmp_path / "target.sqlite").items() if name != "meta")
    done = await migrate(str(book.register.path), target_url, batch=2)
    assert done.ok and rows(tmp_path / "target.sqlite") == rows(book.register.path)


async def test_heads_that_differ_after_the_copy_roll_it_back(
    book: DeskSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The heads are read back inside the copy's transaction: a copy that does not end where
    the source does is never committed (here a copy that loses the last kept quote)."""
    from desk.register import copying

    pages = copying._pages

    async def short(register, table, batch):  # type: ignore[no-untyped-def]
        async for page in pages(register, table, batch):
            yield page[:-1] if table.name == "quotes" and len(page) < batch else page

    monkeypatch.setattr(copying, "_pages", short)
    target_path = tmp_path / "target.sqlite"
    with pytest.raises(CopyMismatch, match="nothing was kept"):
        await migrate(str(book.register.path), str(target_path), batch=1_000)
    assert all(not r for name, r in rows(target_path).items() if name != "meta")


async def test_the_same_register_twice_and_an_unknown_scheme_are_refused(book: DeskSettings) -> None:
    path = book.register.path
    with pytest.raises(RegisterUnavailable, match="same register"):
        await migrate(str(path), f"sqlite:///{path}")
    with pytest.raises(RegisterUnavailable, match="sqlite:///path"):
        await migrate(str(path), "mysql://db/desk")


@pytest.mark.parametrize("batch", [3, 5_000])
async def test_sqlite_to_postgresql_and_back_is_the_same_register(
    book: DeskSettings, tmp_path: Path, pg_cluster: PgCluster, batch: int
) -> None:
    """The issue's round trip: a file onto a shared server and back, every row as it was,
    the head verified at each arrival, and the register on the server a working one."""
    server = pg_cluster.url(pg_cluster.fresh_database())
    password = SecretStr(pg_cluster.password)
    there = await migrate(str(book.register.path), server, batch=batch, password=password)
    assert there.ok, there.report.verified
    back = await migrate(server, str(tmp_path / "back.sqlite"), batch=batch, password=password)
    assert back.ok, back.report.verified
    assert back.report.rows == there.report.rows
    assert rows(tmp_path / "back.sqlite") == rows(book.register.path)
    async with Register.open(pg_cluster_place(pg_cluster, server), operator="bolat") as shared:
        assert (await shared.head()) == (await _head_of(book.register.path))
        # `desk init --postgres` after the move: no account to open, the roles created
        assert await shared.init_accounts(book) == []
        assert await shared.create_roles() == ("desk_writer", "desk_auditor")
        # ids continue past the copied ones: a new account gets a fresh id (identity sequences moved)
        await shared.add_account("assets:wallet:site2")
        assert "assets:wallet:site2" in shared.accounts()
        await shared.ingest([earning(99)])
        assert (await shared.verify()).ok
    refused = migrate(str(book.register.path), server, password=password)
    with pytest.raises(TargetNotEmpty):
        await refused


def pg_cluster_place(cluster: PgCluster, url: str) -> Place:
    return Place(url, SecretStr(cluster.password))


async def _head_of(path: Path) -> tuple[int, str]:
    async with Register.open(path, operator="copy") as register:
        return await register.head()
