"""Crashes and concurrent writers, with real processes on a real file or a real server."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from desk.config import DeskSettings
from desk.register import Register
from tests.conftest import REPO

N = 100_000


def spawn(settings: DeskSettings, *args: str) -> subprocess.Popen[str]:
    """A writer process on the test's register (for PostgreSQL: its URL, and the password
    in PGPASSWORD, the server's own variable)."""
    password = settings.register.password
    secret = {} if password is None else {"PGPASSWORD": password.get_secret_value()}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.register.writer", *args],
        cwd=REPO,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO), **secret},
    )


async def test_kill_9_in_the_middle_of_a_100k_batch_leaves_all_or_nothing(
    register: Register, settings: DeskSettings
) -> None:
    path = settings.register.effective_url
    rng = random.Random(5)
    outcomes = set()
    for attempt in range(3):
        child = spawn(settings, path, "batch", str(N), f"crash{attempt}")
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ingesting"
        time.sleep(rng.uniform(0.3, 2.5))
        child.send_signal(signal.SIGKILL)
        child.wait()
        result = await register.verify()
        assert result.ok, result.problems
        count = await register.count()
        assert count % N == 0, f"a partial batch is visible: {count} entries"
        outcomes.add(count // N)
    assert (await register.verify()).ok


async def test_two_processes_posting_at_once_lose_nothing(register: Register, settings: DeskSettings) -> None:
    path = settings.register.effective_url
    writers = [spawn(settings, path, "each", "1000", tag) for tag in ("a", "b")]
    for writer in writers:
        _out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
        assert "locked" not in err
    assert await register.count() == 2000
    expected = 2 * sum(1000 + i for i in range(1000))
    assert (await register.balance("assets:wallet:ops", "BTC")).units == expected
    assert (await register.verify()).ok
