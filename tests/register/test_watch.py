"""Several desks on one register: each notices what the others commit (`Register.watch`).

Two Register objects on one file stand for two desks (two processes would see the same: the
marker is the file's, not the connection's). Each test waits for the yield it needs."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Hashable
from pathlib import Path

import pytest

from desk.config import DeskSettings, load_settings
from desk.register import Register
from desk.register.backends import where
from desk.register.backends.pg_notify import PgSignal
from desk.register.watch import Pause, watch
from tests.builders import write_desk_config
from tests.pgserver import PgCluster
from tests.register.conftest import CONFIG, earning, payout, transfer
from tests.waiting import PATIENCE, until


async def next_change(changes: AsyncIterator[Hashable]) -> Hashable:
    """The next marker the watch yields (the net: PATIENCE, only a hang reaches it)."""
    return await asyncio.wait_for(anext(changes), PATIENCE)


async def test_an_entry_a_draft_and_an_approval_at_another_desk_are_each_noticed(
    register: Register, settings: DeskSettings
) -> None:
    await register.ingest([earning(1, "3"), payout(1, "2", tx="aa" * 32)])
    async with Register.open(settings.register, operator="bek") as other:
        seen = await register.changes()
        changes = register.watch(since=seen, interval=0.01)
        await other.ingest([earning(2)])
        first = await next_change(changes)
        assert first != seen and await register.count() == 3
        draft_id = await other.draft(transfer("1"))
        second = await next_change(changes)
        assert second != first
        assert (await register.drafts())[0].id == draft_id
        # the maker at bek's desk, the checker here; bek's desk notices the approval
        theirs = other.watch(interval=0.01, since=await other.changes())
        seq = await register.approve(draft_id)
        await next_change(theirs)
        assert (await other.entry(seq)).approved_by == "aliya"
        await changes.aclose()
        await theirs.aclose()


@pytest.mark.sqlite_only
async def test_a_burst_of_commits_is_one_yield_of_the_latest_marker(register: Register, settings: DeskSettings) -> None:
    """SQLite only: PostgreSQL's marker (the WAL position) may move again with the server's own
    housekeeping between the yield and the read that compares it."""
    since = await register.changes()
    async with Register.open(settings.register, operator="bek") as other:
        for i in range(5):
            await other.ingest([earning(i)])
    changes = register.watch(since=since, interval=0.01)
    assert await next_change(changes) == await register.changes()
    await changes.aclose()


@pytest.mark.sqlite_only
async def test_nothing_is_yielded_while_nobody_writes(register: Register, settings: DeskSettings) -> None:
    """The watch yields only on a change: ten looks at an unchanged register yield nothing.
    SQLite only: PostgreSQL's marker (the server's WAL position) also moves with the server's
    own housekeeping, so "nothing moves while nobody writes" is the file's promise alone."""
    looks = 0

    async def marker() -> Hashable:
        nonlocal looks
        looks += 1
        return await register.changes()

    changes = watch(marker, Pause(), interval=0)
    pending = asyncio.ensure_future(anext(changes))
    while looks < 10:
        await asyncio.sleep(0)
    assert not pending.done()
    async with Register.open(settings.register, operator="bek") as other:
        await other.ingest([earning(1)])
    assert await asyncio.wait_for(pending, PATIENCE) == await register.changes()
    await changes.aclose()


@pytest.mark.sqlite_only
async def test_a_failed_look_is_logged_and_the_watch_goes_on(
    register: Register, settings: DeskSettings, caplog: pytest.LogCaptureFixture
) -> None:
    """SQLite only: the loop that logs and goes on is the same on both backends (watch.py)."""
    looks = 0

    async def marker() -> Hashable:
        nonlocal looks
        looks += 1
        if looks == 2:  # the first look after the start: a passing hiccup of the file
            raise sqlite3.OperationalError("disk I/O error")
        return await register.changes()

    changes = watch(marker, Pause(), interval=0)
    with caplog.at_level(logging.WARNING, logger="desk.register"):
        pending = asyncio.ensure_future(anext(changes))
        while looks < 3:
            await asyncio.sleep(0)
        async with Register.open(settings.register, operator="bek") as other:
            await other.ingest([earning(1)])
        assert await asyncio.wait_for(pending, PATIENCE) == await register.changes()
    assert "register change check failed: disk I/O error" in caplog.text
    await changes.aclose()


async def test_on_postgresql_a_commit_at_another_desk_wakes_the_watch_by_notification(
    pg_cluster: PgCluster, tmp_path: Path
) -> None:
    """The watch looks at the marker once an hour here: what wakes it after its first look
    (the one made when it starts listening) is the server's notification of bek's commit."""
    url = pg_cluster.url(pg_cluster.fresh_database())
    settings = load_settings(
        write_desk_config(tmp_path, CONFIG), env={"DESK_REGISTER__URL": url}, secrets_dir=pg_cluster.secrets_dir
    )
    server = settings.register
    async with Register.open(server, operator="aliya", create=True) as here:
        await here.init_accounts(settings)
        looks = 0

        async def marker() -> Hashable:
            nonlocal looks
            looks += 1
            return await here.changes()

        signal = PgSignal(where(url, pg_cluster.password))
        changes = watch(marker, signal, since=await here.changes(), interval=3600)
        woken = asyncio.ensure_future(next_change(changes))
        await until(lambda: looks >= 1, "the look made when the watch started listening")
        async with Register.open(server, operator="bek") as there:
            await there.ingest([earning(1)])
        # the server's own housekeeping may move its WAL position (the marker) too, so a wake
        # may come before bek's; without notifications none would come for an hour
        await woken
        while await here.count() == 0:
            await next_change(changes)
        await changes.aclose()
        await signal.close()
        # the register's own watch listens the same way
        mine = here.watch(since=await here.changes(), interval=3600)
        pending = asyncio.ensure_future(next_change(mine))
        async with Register.open(server, operator="bek") as there:
            draft_id = await there.draft(transfer("0.001"))
        await pending
        while not await here.drafts():
            await next_change(mine)
        assert (await here.drafts())[0].id == draft_id
        await mine.aclose()
