"""What many test folders build the same way, in one place: the simulator fixture, the demo
configuration text, the config-file / settings / register trio, and the moment most tests
call now. A folder's conftest says only how its own desk differs (`desk_config(...)`)."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from desk.config import DeskSettings, load_settings
from desk.feeds.clock import FakeClock
from desk.feeds.http import HttpClient, RetryPolicy
from desk.register import Register
from desk.sim import SimCluster
from desk.sync import SyncEngine
from tests.conftest import REPO
from tests.waiting import PATIENCE

#: the simulator's "now" and the moment most tests call now (Tuesday 24 November 2026, noon UTC)
NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def sim_fixture(*, seed: int = 11, now: datetime | None = NOW, days: int = 30) -> Any:
    """A `sim` fixture: a SimCluster on loopback for one test (seeded, at `now`, `days` of
    history; `now=None` runs it on the real clock). In a conftest: `sim = sim_fixture()`."""

    @pytest.fixture(name="sim")
    async def sim() -> AsyncIterator[SimCluster]:
        async with SimCluster(seed=seed, now=now, days=days) as cluster:
            yield cluster

    return sim


def desk_config(
    *,
    exchanges: Sequence[str] = ("aix",),
    cases: Sequence[str] = ("case-17",),
    ocean: str | None = "bc1qocean",
    fund: str | None = None,
    reserve: Sequence[str] = ("cold",),
    extra: str = "",
) -> str:
    """The demo desk's configuration: operator aliya, an ops wallet, exchanges, seizure cases,
    the f2main pool (and ocean with user `ocean` unless None), the reserve accounts, then
    `extra` (more tables). The order of the tables is the order accounts are created in."""

    def names(values: Sequence[str]) -> str:
        return "[" + ", ".join(f'"{v}"' for v in values) + "]"

    text = f'\n[operator]\nname = "aliya"\n[accounts]\nwallets = ["ops"]\nexchanges = {names(exchanges)}\n'
    if cases:
        text += f"seizure_cases = {names(cases)}\n"
    text += '[pools.f2main]\nkind = "f2pool"\nuser = "kz-01"\n'
    if ocean is not None:
        text += f'[pools.ocean]\nkind = "ocean"\nuser = "{ocean}"\n'
    text += "[reserve]\n" + (f'fund = "{fund}"\n' if fund else "") + f"accounts = {names(reserve)}\n"
    return text + extra.lstrip("\n")


def write_desk_config(folder: Path, text: str) -> Path:
    """`text` as folder/desk.toml (owner-only, as desk wants it), its register beside it."""
    path = folder / "desk.toml"
    path.write_text(text + f'\n[register]\npath = "{folder / "register.sqlite"}"\n')
    path.chmod(0o600)
    return path


def register_fixtures(text: str, *, clock: Callable[[], datetime] | None = None) -> tuple[Any, Any, Any]:
    """The `config_file`, `settings` and `register` fixtures of a desk configured by `text`:
    a real config file in tmp, its settings (no environment), and the register created with
    the configured accounts, opened as aliya (on `clock` when given). In a conftest:
    `config_file, settings, register = register_fixtures(CONFIG)`."""

    @pytest.fixture(name="config_file")
    def config_file(tmp_path: Path) -> Path:
        return write_desk_config(tmp_path, text)

    @pytest.fixture(name="settings")
    def settings(config_file: Path, backend: str, request: pytest.FixtureRequest) -> DeskSettings:
        return backend_settings(config_file, backend, request)

    @pytest.fixture(name="register")
    async def register(settings: DeskSettings) -> AsyncIterator[Register]:
        extra = {} if clock is None else {"clock": clock}
        async with Register.open(settings.register, operator="aliya", create=True, **extra) as reg:
            await reg.init_accounts(settings)
            yield reg

    return config_file, settings, register


def backend_settings(config_file: Path, backend: str, request: pytest.FixtureRequest) -> DeskSettings:
    """The settings of `config_file` (no environment), on the test's backend: for
    "postgres", a fresh database of the session's cluster (tests/pgserver.py), its URL in
    DESK_REGISTER__URL and the password in a secrets dir, as a desk on a server has them."""
    if backend == "sqlite":
        return load_settings(config_file, env={})
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.url(cluster.fresh_database())
    return load_settings(config_file, env={"DESK_REGISTER__URL": url}, secrets_dir=cluster.secrets_dir)


def parametrize_backends(metafunc: pytest.Metafunc) -> None:
    """In a conftest's `pytest_generate_tests`: run each test that builds a register on
    SQLite and on PostgreSQL, except a test marked `sqlite_only` (its docstring says why)."""
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("sqlite_only") is None:
        metafunc.parametrize("backend", ["sqlite", "postgres"], indirect=True)


#: Seconds a request to the simulator may take before it is given up: only a hang reaches it.
#: A short timeout made a slow answer on a loaded machine a failed poll (a test's outcome
#: followed the machine's speed); a test of a hang (the sim's `drop`) sets its own.
HANG_S = 30.0  # float-ok: seconds


def quick_client(session: aiohttp.ClientSession, *, timeout_s: float = HANG_S) -> HttpClient:  # float-ok: seconds
    """desk's HTTP client at NOW for the simulator: unpaced (it has no rate limits), two
    attempts a request, a short wait between them."""
    policy = RetryPolicy(attempts=2, base_delay_s=0.01, timeout_s=timeout_s)  # float-ok: seconds
    return HttpClient(session, clock=FakeClock(NOW), policy=policy, pacing=False)


def http_fixture() -> Any:
    """An `http` fixture: a `quick_client` over a session of its own. In a conftest:
    `http = http_fixture()`."""

    @pytest.fixture(name="http")
    async def http() -> AsyncIterator[HttpClient]:
        async with aiohttp.ClientSession() as session:
            yield quick_client(session)

    return http


async def sim_desk(sim: SimCluster, register: Path, **sections: Any) -> DeskSettings:
    """Settings on the simulator's sources (Braiins off: its request pacing would slow a test),
    a register at `register` created with the configured accounts, then `sections` (whole
    config sections: `sync={"backfill_days": 8}`)."""
    overrides = sim.settings_overrides()
    overrides["pools"]["braiins"]["enabled"] = False
    overrides |= {"register": {"path": str(register)}, **sections}
    settings = load_settings(None, env={}, overrides=overrides)
    async with Register.open(settings.register.path, operator="admin", create=True) as created:
        await created.init_accounts(settings)
    return settings


@asynccontextmanager
async def sync_engine(settings: DeskSettings) -> AsyncIterator[SyncEngine]:
    """A SyncEngine on the configured register (as sync-bot) over a real client at NOW:
    unpaced (the simulator has no rate limits), weekly first chunks."""
    async with (
        Register.open(settings.register.path, operator="sync-bot") as register,
        aiohttp.ClientSession() as session,
    ):
        yield SyncEngine(settings, register, quick_client(session), chunk_days=7)


async def serve_on_loopback(app: web.Application, runners: list[web.AppRunner]) -> str:
    """Serve `app` on a free loopback port; return its base URL (no trailing slash). The
    runner joins `runners`, for the fixture that started it to clean up."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    runners.append(runner)
    return f"http://127.0.0.1:{runner.addresses[0][1]}"


#: Two watched Bitcoin addresses: the ops wallet's and cold storage's, so that a transfer between
#: the two travels on chain, through `assets:transit:bitcoin` (the transfer lifecycle's tests).
WALLET = "bc1qopswallet0000000000000000000000000000"
COLD = "bc1qcoldreserve000000000000000000000000000"
WATCHED_BTC = f"""
[[addresses]]
account = "assets:wallet:ops"
chain = "bitcoin"
asset = "BTC"
address = "{WALLET}"
[[addresses]]
account = "assets:reserve:cold"
chain = "bitcoin"
asset = "BTC"
address = "{COLD}"
"""


def desk_command(*args: str) -> list[str]:
    """The `desk` command line as this interpreter runs it."""
    return [sys.executable, "-m", "desk", *args]


def desk_env(config: Path) -> dict[str, str]:
    """The environment of a `desk` child process: this one, configured by `config`."""
    return {**os.environ, "DESK_CONFIG": str(config), "PYTHONPATH": str(REPO)}


async def run_desk(config: Path, *args: str, timeout: float = PATIENCE) -> tuple[int, str, str]:
    """`desk ARGS` in a child process while this loop keeps serving the simulator; its exit
    code, stdout and stderr."""
    process = await asyncio.create_subprocess_exec(
        *desk_command(*args),
        env=desk_env(config),
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()
