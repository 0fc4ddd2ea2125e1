"""A transfer's whole life over real sockets: the simulator's three chains, a register with
the demo reserve and an operations wallet on each chain, and the chain watch reading them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from desk.cli.demo_cmds import write_config
from desk.config import DeskSettings, load_settings
from desk.feeds.clock import FakeClock
from desk.feeds.http import HttpClient, RetryPolicy
from desk.money import Amount
from desk.proof.chains import ChainReader
from desk.register import NewEntry, Posting, Register
from desk.sim import SimCluster
from desk.sim.demo_reserve import open_demo_reserve
from desk.sim.esplora import SIM_WALLET
from desk.transfers.drafting import draft_transfer, on_chain_entry
from desk.transfers.watch import TransferWatch

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
OPS_BNB = "0x00000000000000000000000000000000000de5a1"
OPS_SOL = "DeskSimOpsWallet1111111111111111111111111111"
#: what the operations wallet holds on each chain, in base units, on chain and in the book
OPS = {("bitcoin", SIM_WALLET): 10 * 10**8, ("bsc", OPS_BNB): 100 * 10**18, ("solana", OPS_SOL): 1_000_000 * 10**6}
OPENING = {"BTC": "10", "BNB": "100", "KZTE": "1000000"}


@pytest.fixture
async def sim() -> AsyncIterator[SimCluster]:
    async with SimCluster(seed=11, now=NOW, days=30) as cluster:
        for (chain, address), units in OPS.items():
            cluster.chain.set_balance(chain, address, units)
        yield cluster


@pytest.fixture
def config(tmp_path: Path, sim: SimCluster) -> Path:
    overrides = sim.settings_overrides()
    addresses = [*overrides.pop("addresses")]
    addresses += [
        {"account": "assets:wallet:ops", "chain": "bsc", "asset": "BNB", "address": OPS_BNB},
        {"account": "assets:wallet:ops", "chain": "solana", "asset": "KZTE", "address": OPS_SOL},
    ]
    data = {
        **overrides,
        "addresses": addresses,
        "register": {"path": str(tmp_path / "register.sqlite")},
        "operator": {"name": "aliya"},
        "transfers": {"expiry_hours": 6},
    }
    return write_config(tmp_path / "desk.toml", data)


@pytest.fixture
async def settings(config: Path) -> DeskSettings:
    """The register created with the demo reserve and the wallet's opening balances."""
    settings = load_settings(config, env={})
    async with Register.open(settings.register.path, operator="aliya", create=True, clock=lambda: NOW) as register:
        await register.init_accounts(settings)
        await open_demo_reserve(register, settings, at=NOW - timedelta(days=30))
        for code, amount in OPENING.items():
            opening = Amount(register.asset(code), amount)
            await register.post(
                NewEntry(
                    kind="opening",
                    ts=NOW - timedelta(days=30),
                    postings=(Posting("equity:opening", -opening), Posting("assets:wallet:ops", opening)),
                    memo=f"ops wallet opening {code}",
                )
            )
    return settings


@pytest.fixture
def clock(sim: SimCluster) -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
async def http(clock: FakeClock) -> AsyncIterator[HttpClient]:
    async with aiohttp.ClientSession() as session:
        yield HttpClient(
            session,
            clock=clock,
            policy=RetryPolicy(attempts=2, base_delay_s=0.01, timeout_s=5.0),  # float-ok: seconds
            pacing=False,
        )


@pytest.fixture
async def register(settings: DeskSettings, sim: SimCluster) -> AsyncIterator[Register]:
    """The register, dated by the simulator's clock (as the watch is)."""
    async with Register.open(settings.register.path, operator="aliya", clock=sim.now) as reg:
        yield reg


@pytest.fixture
def watch(settings: DeskSettings, register: Register, http: HttpClient, sim: SimCluster) -> TransferWatch:
    return TransferWatch(settings, register, ChainReader(settings, http), sim.now)


async def approved(register: Register, settings: DeskSettings, code: str, amount: str, to: str) -> int:
    """Draft `amount` of `code` from the ops wallet to `to` as aliya; approve it as bek."""
    entry = on_chain_entry(settings, "assets:wallet:ops", to, Amount(register.asset(code), amount), NOW, "to cold")
    draft_id = await draft_transfer(register, entry)
    async with Register.open(settings.register.path, operator="bek", clock=register._clock) as checker:
        await checker.approve(draft_id)
    return draft_id
