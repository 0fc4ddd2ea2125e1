"""One `desk sync` per register: on SQLite a file lock beside it, on PostgreSQL an advisory
lock on the server, so that two machines cannot both sync one shared register."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from desk.config import DeskSettings
from desk.register import Register, SyncAlreadyRunning, claim_sync, holds_sync
from tests.builders import desk_command, desk_env
from tests.conftest import REPO
from tests.waiting import PATIENCE, until


def holder(settings: DeskSettings) -> subprocess.Popen[str]:
    """Another process (another machine, as far as the server can tell) holding the claim."""
    password = settings.register.password
    secret = {} if password is None else {"PGPASSWORD": password.get_secret_value()}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.register.sync_holder", settings.register.effective_url],
        cwd=REPO,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO), **secret},
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "held", child.stderr.read() if child.stderr else ""
    return child


async def claimable(settings: DeskSettings) -> bool:
    try:
        claim = await claim_sync(settings.register)
    except SyncAlreadyRunning:
        return False
    await claim.release()
    return True


async def test_a_second_claim_in_this_process_is_refused_until_the_first_is_released(
    register: Register, settings: DeskSettings
) -> None:
    first = await claim_sync(settings.register)
    with pytest.raises(SyncAlreadyRunning, match="already syncing") as refused:
        await claim_sync(settings.register)
    assert f"pid {os.getpid()}" in str(refused.value)  # who holds it, named
    await first.release()
    again = await claim_sync(settings.register)
    await again.release()


async def test_a_sync_in_another_process_holds_the_register_until_it_ends(
    register: Register, settings: DeskSettings
) -> None:
    child = holder(settings)
    try:
        with pytest.raises(SyncAlreadyRunning, match="already syncing") as refused:
            await claim_sync(settings.register)
        assert f"pid {child.pid}" in str(refused.value)
    finally:
        child.communicate("", timeout=60)  # stdin ends: it releases and exits
    assert child.returncode == 0
    await until(lambda: claimable(settings), "the claim free once its holder stopped")


async def test_holds_sync_names_the_holding_process_only_while_it_holds(
    register: Register, settings: DeskSettings
) -> None:
    """What `desk serve` waits on before it lets browsers in: its own sync holding the claim."""
    assert not await holds_sync(settings.register, os.getpid())
    child = holder(settings)
    try:
        assert await holds_sync(settings.register, child.pid)
        assert not await holds_sync(settings.register, os.getpid())
    finally:
        child.communicate("", timeout=60)
    assert not await holds_sync(settings.register, child.pid)
    mine = await claim_sync(settings.register)
    try:
        assert await holds_sync(settings.register, os.getpid())
    finally:
        await mine.release()


async def test_a_killed_sync_leaves_no_stale_claim(register: Register, settings: DeskSettings) -> None:
    child = holder(settings)
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=60)
    await until(lambda: claimable(settings), "the claim free once its holder was killed")


async def test_desk_sync_is_refused_while_another_holds_the_register_naming_it(
    register: Register, settings: DeskSettings, config_file: Path
) -> None:
    """`desk sync` itself, as a second machine would run it against the same register."""
    password = settings.register.password
    server = {
        "DESK_REGISTER__URL": settings.register.effective_url,
        **({} if password is None else {"DESK_REGISTER__PASSWORD": password.get_secret_value()}),
    }
    claim = await claim_sync(settings.register)
    try:
        process = await asyncio.create_subprocess_exec(
            *desk_command("sync", "--once"),
            env={**desk_env(config_file), **server},
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _out, err = await asyncio.wait_for(process.communicate(), PATIENCE)
    finally:
        await claim.release()
    assert process.returncode == 3, err.decode()
    assert "already syncing" in err.decode() and f"pid {os.getpid()}" in err.decode()
