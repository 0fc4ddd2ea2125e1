"""The simulated pools and chain, a register synced from them, and a reconciliation of it.

Built on the sync tests' clock and config writer (tests/sync/conftest.py): the simulator is
fixed at NOW, the register is filled by the real sync engine over real sockets, and the
chain side is the simulated Esplora (`sim.chain` changes its history).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path

import aiohttp
import pytest

from desk.config import DeskSettings, load_settings
from desk.feeds.chains.esplora import esplora_client
from desk.feeds.clock import FakeClock
from desk.feeds.http import HttpClient, RetryPolicy
from desk.reconcile import Report, reconcile
from desk.register import Register
from desk.sim import SimCluster
from desk.sim.model import SimPayout
from desk.sync import SyncEngine
from tests.builders import HANG_S, NOW, sim_fixture
from tests.sync.conftest import write_config

Reconcile = Callable[..., Awaitable[Report]]


sim = sim_fixture()


def desk_settings(tmp_path: Path, sim: SimCluster, **extra: object) -> DeskSettings:
    overrides = {
        **sim.settings_overrides(),
        "register": {"path": str(tmp_path / "register.sqlite")},
        "operator": {"name": "checker-1"},
        "sync": {"backfill_days": 40},
        **extra,
    }
    return load_settings(None, env={}, overrides=overrides)


@pytest.fixture
async def settings(tmp_path: Path, sim: SimCluster) -> DeskSettings:
    settings = desk_settings(tmp_path, sim)
    async with Register.open(settings.register.path, operator="admin", create=True) as register:
        await register.init_accounts(settings)
    return settings


@pytest.fixture
async def http() -> AsyncIterator[HttpClient]:
    async with aiohttp.ClientSession() as session:
        policy = RetryPolicy(attempts=2, base_delay_s=0.01, timeout_s=HANG_S)
        yield HttpClient(session, clock=FakeClock(NOW), policy=policy, pacing=False)


async def sync(settings: DeskSettings, http: HttpClient) -> None:
    """One round of the real sync engine at the clock's time."""
    async with Register.open(settings.register.path, operator="sync-bot") as register:
        summary = await SyncEngine(settings, register, http).run_once()
    assert not summary.failed


@pytest.fixture
def run(settings: DeskSettings, http: HttpClient) -> Reconcile:
    """`await run(since, until, pools=None)`: sync, then reconcile at NOW with the chain."""

    async def go(since: date, until: date, *, pools: list[str] | None = None, synced: bool = False) -> Report:
        if not synced:
            await sync(settings, http)
        async with Register.open(settings.register.path, operator="checker-1") as register:
            return await reconcile(
                settings,
                register,
                http,
                since=since,
                until=until,
                pools=pools,
                chain=esplora_client(settings, http),
                now=NOW,
            )

    return go


def payout_on(sim: SimCluster, pool: str, day: date) -> SimPayout:
    """The simulated pool's payout requested on `day`."""
    return next(p for p in sim.model.pools[pool].payouts if p.requested_at.date() == day)


def cli_config(tmp_path: Path, sim: SimCluster, settings: DeskSettings) -> Path:
    """A config file for the `desk` command over the same register and simulator, Braiins
    off (its five-second request pacing would make each command wait)."""
    overrides = sim.settings_overrides()
    overrides["pools"]["braiins"]["enabled"] = False
    path = write_config(tmp_path / "desk.toml", settings.register.path, overrides, backfill_days=40)
    chains = overrides["chains"]
    lines = [
        f"[chains.{name}]\n" + "\n".join(f"{k} = {json.dumps(v)}" for k, v in table.items())
        for name, table in chains.items()
    ]
    for address in overrides["addresses"]:
        lines.append("[[addresses]]\n" + "\n".join(f"{k} = {json.dumps(v)}" for k, v in address.items()))
    with path.open("a") as out:
        out.write("\n" + "\n\n".join(lines) + "\n")
    return path


def day_of(report: Report, scope: str, day: date):  # type: ignore[no-untyped-def]
    return next(d for d in report.days if d.scope == scope and d.day == day)


ONE_DAY = timedelta(days=1)
