"""The register's commands, run as a person runs them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from desk.config import DeskSettings
from tests.conftest import REPO
from tests.waiting import PATIENCE


def backend_env(settings: DeskSettings) -> dict[str, str]:
    """The variables that point a desk process at the test's register when it is not the
    config file's SQLite file (the server's URL, and its password as a desk on a server has it)."""
    if settings.register.url is None:
        return {}
    assert settings.register.password is not None
    return {
        "DESK_REGISTER__URL": settings.register.url,
        "DESK_REGISTER__PASSWORD": settings.register.password.get_secret_value(),
    }


@pytest.fixture
def desk(config_file: Path, settings: DeskSettings):
    def run(*args: str, operator: str = "aliya") -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "DESK_CONFIG": str(config_file), "DESK_OPERATOR__NAME": operator, **backend_env(settings)}
        return subprocess.run(
            [sys.executable, "-m", "desk", *args], capture_output=True, text=True, env=env, cwd=REPO, timeout=PATIENCE
        )

    return run


def test_commands_before_init_say_how_to_fix_it_and_exit_3(desk) -> None:
    result = desk("verify")
    assert result.returncode == 3
    assert "run `desk init`" in result.stderr


def test_init_transfer_approve_verify_checkpoint_export(desk, tmp_path: Path, config_file: Path, backend: str) -> None:
    assert desk("init").returncode == 0
    if backend == "sqlite":  # a file desk creates is its owner's alone
        register = Path(
            next(line for line in config_file.read_text().splitlines() if "register.sqlite" in line).split('"')[1]
        )
        assert register.stat().st_mode & 0o077 == 0
    refused = desk(
        "transfer",
        "--from",
        "assets:wallet:ops",
        "--to",
        "assets:reserve:cold",
        "--asset",
        "BTC",
        "--amount",
        "0.000000001",
    )
    assert refused.returncode == 4
    assert "--amount: 0.000000001 has more decimals than BTC allows (8)" in refused.stderr
    unknown = desk(
        "transfer", "--from", "assets:wallet:nope", "--to", "assets:reserve:cold", "--asset", "BTC", "--amount", "1"
    )
    assert unknown.returncode == 4 and "--from: unknown account assets:wallet:nope" in unknown.stderr
    drafted = desk(
        "transfer",
        "--from",
        "assets:wallet:ops",
        "--to",
        "assets:reserve:cold",
        "--asset",
        "BTC",
        "--amount",
        "0",
        "--memo",
        "zero",
    )
    assert drafted.returncode == 4
    ok = desk(
        "transfer", "--from", "assets:wallet:ops", "--to", "assets:exchange:aix", "--asset", "BTC", "--amount", "0"
    )
    assert ok.returncode == 4
    draft = desk(
        "transfer", "--from", "assets:wallet:ops", "--to", "assets:reserve:cold", "--asset", "BTC", "--amount", "1"
    )
    assert draft.returncode == 0 and "draft #1" in draft.stdout
    own = desk("approve", "1")
    assert own.returncode == 4 and "different operator" in own.stderr
    broke = desk("approve", "1", operator="bek")
    assert broke.returncode == 4 and "insufficient balance" in broke.stderr
    assert "#1" in desk("pending").stdout
    assert desk("reject", "1", "--reason", "no funds yet", operator="bek").returncode == 0
    assert "no drafts waiting" in desk("pending").stdout
    empty = desk("checkpoint")
    assert empty.returncode == 1
    verified = desk("verify")
    assert verified.returncode == 0 and verified.stdout.startswith(
        "OK 0 entries, 3 actions"
    )  # draft, refused self-approval, reject
    out = tmp_path / "x.journal"
    assert desk("export", "--format", "hledger", "--out", str(out)).returncode == 0
    assert out.read_text().startswith("; desk register export")
    bad = desk("verify", "--against", "nonsense")
    assert bad.returncode == 4 and "not a desk checkpoint" in bad.stderr


def test_verify_shows_its_progress_on_a_terminal_and_reports_entries_per_second(
    desk, settings, config_file: Path
) -> None:
    import asyncio
    import pty

    from desk.register import Register
    from tests.register.conftest import earning

    async def fill() -> None:
        async with Register.open(settings.register, operator="aliya", create=True) as reg:
            await reg.init_accounts(settings)
            await reg.ingest([earning(i) for i in range(50)])

    asyncio.run(fill())
    piped = desk("verify")
    assert piped.returncode == 0 and piped.stdout.startswith("OK 50 entries")
    assert "verifying" not in piped.stderr  # no progress line when stderr is not a terminal
    assert re.fullmatch(
        r"verified 50 entries, 0 actions and 0 quotes in [0-9.]+ s \([0-9,]+ entries/s\)\n", piped.stderr
    )
    leader, follower = pty.openpty()
    env = {**os.environ, "DESK_CONFIG": str(config_file), "DESK_OPERATOR__NAME": "aliya", **backend_env(settings)}
    process = subprocess.run(
        [sys.executable, "-m", "desk", "verify"],
        stdout=subprocess.PIPE,
        stderr=follower,
        env=env,
        cwd=REPO,
        timeout=PATIENCE,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed once everything was read
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.returncode == 0
    assert b"\rverifying entries: 50 / 50" in shown and b"entries/s)" in shown


def test_init_postgres_creates_the_roles_on_a_server_and_refuses_on_a_file(desk, backend: str) -> None:
    result = desk("init", "--postgres")
    if backend == "postgres":
        assert result.returncode == 0, result.stderr
        assert "roles: desk_writer, desk_auditor" in result.stdout
    else:
        assert result.returncode == 3
        assert "roles are a PostgreSQL server's" in result.stderr
