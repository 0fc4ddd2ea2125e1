"""Snapshots of the valuation, reconciliation and reserves screens at 120x40 and 80x24, on
seeded data with a fixed clock.

The valuation screen reads the seeded register itself. The reconciliation and reserves
screens are given a view / proof read beforehand from the simulator over real sockets (the
snapshot runs the app in its own event loop, where the simulator would not answer); the
pilot tests in test_valuation_reconcile_reserves_flows.py exercise their live reads.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from desk.config import DeskSettings, load_settings
from desk.feeds.clock import FakeClock
from desk.feeds.http import HttpClient, RetryPolicy
from desk.proof.chains import ChainReader
from desk.proof.proof import ReserveReport, check_reserves
from desk.reconcile import reconcile
from desk.reconcile.engine import chain_for
from desk.reconcile.view import ReconciliationView, view_of
from desk.register import Register
from desk.sim import SimCluster
from desk.sim.demo_reserve import open_demo_reserve
from desk.sim.esplora import SIM_RESERVE_BNB
from desk.tui.app import create_app
from desk.tui.screens.reconcile import ReconcileScreen
from desk.tui.screens.reserves import ReservesScreen
from tests.reconcile.conftest import payout_on
from tests.tui.pilot import settle
from tests.tui.seed import NOW
from tests.tui.test_valuation_reconcile_reserves_flows import DAY, SIM_NOW, sim, sim_settings, valuation_settings  # noqa: F401 (fixtures)

SIZES = [(120, 40), (80, 24)]
IDS = ["120x40", "80x24"]


@pytest.fixture
async def valued_app(tmp_path: Path):
    settings, path = await valuation_settings(tmp_path)
    return lambda: create_app(settings, path, now=lambda: NOW)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_valuation(snap_compare, valued_app, size) -> None:
    async def go(pilot) -> None:
        await settle(pilot)
        await pilot.press("V")
        await settle(pilot)

    assert snap_compare(valued_app(), terminal_size=size, run_before=go)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_valuation_usd_one_day_sats(snap_compare, valued_app, size) -> None:
    async def go(pilot) -> None:
        await settle(pilot)
        await pilot.press("V", "c", "w", "w", "h")
        await settle(pilot)

    assert snap_compare(valued_app(), terminal_size=size, run_before=go)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_valuation_missing_price(snap_compare, tmp_path, size) -> None:
    """ETH in the reserve that no source quotes: the loud flags."""

    async def go(pilot) -> None:
        await settle(pilot)
        await pilot.press("V")
        await settle(pilot)

    settings, path = asyncio.run(valuation_settings(tmp_path, extra_asset=True))
    assert snap_compare(create_app(settings, path, now=lambda: NOW), terminal_size=size, run_before=go)


async def _http_reading(session: aiohttp.ClientSession) -> HttpClient:
    return HttpClient(session, clock=FakeClock(SIM_NOW), policy=RetryPolicy(attempts=2), pacing=False)


@pytest.fixture
async def reconciled(sim: SimCluster, sim_settings: DeskSettings) -> ReconciliationView:  # noqa: F811
    """The simulated month with Foundry's payout of DAY dropped from the chain."""
    sim.chain.drop_tx(payout_on(sim, "foundry", DAY).tx_id)
    async with aiohttp.ClientSession() as session:
        http = await _http_reading(session)
        async with Register.open(sim_settings.register.path, operator="checker-1") as register:
            report = await reconcile(
                sim_settings,
                register,
                http,
                since=SIM_NOW.date() - timedelta(days=6),
                until=SIM_NOW.date(),
                chain=chain_for(sim_settings, http),
                now=SIM_NOW,
            )
    return view_of(report)


@pytest.fixture
async def proven(tmp_path: Path, sim: SimCluster) -> tuple[DeskSettings, ReserveReport]:  # noqa: F811
    """A register holding the demo reserve (fixed clock: a fixed head hash) and the chains
    holding one wei more BNB than it."""
    overrides = sim.settings_overrides() | {
        "register": {"path": str(tmp_path / "reserve.sqlite")},
        "operator": {"name": "checker-1"},
    }
    settings = load_settings(None, env={}, overrides=overrides)
    async with Register.open(settings.register.path, operator="admin", create=True, clock=lambda: SIM_NOW) as reg:
        await reg.init_accounts(settings)
        await open_demo_reserve(reg, settings, at=SIM_NOW - timedelta(days=30))
    sim.chain.set_balance("bsc", SIM_RESERVE_BNB, 8_000 * 10**18 + 1)
    async with aiohttp.ClientSession() as session:
        http = await _http_reading(session)
        async with Register.open(settings.register.path, operator="checker-1") as register:
            report = await check_reserves(settings, register, ChainReader(settings, http))
    return settings, report


def _given(value):
    async def source(_app):
        return value

    return source


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_reconcile(snap_compare, reconciled, sim_settings, size) -> None:  # noqa: F811
    async def go(pilot) -> None:
        await settle(pilot)
        await pilot.app.push_screen(ReconcileScreen(source=_given(reconciled)))
        await settle(pilot)

    app = create_app(sim_settings, sim_settings.register.path, now=lambda: SIM_NOW)
    assert snap_compare(app, terminal_size=size, run_before=go)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_reconcile_resolve_dialog(snap_compare, reconciled, sim_settings, size) -> None:  # noqa: F811
    index = next(i for i, b in enumerate(reconciled.breaks) if b.kind == "missing_on_chain")

    async def go(pilot) -> None:
        await settle(pilot)
        await pilot.app.push_screen(ReconcileScreen(source=_given(reconciled)))
        await settle(pilot)
        await pilot.press(*["j"] * index, "e")
        await settle(pilot)
        await pilot.press(*"pool re-sent it")
        await settle(pilot)

    app = create_app(sim_settings, sim_settings.register.path, now=lambda: SIM_NOW)
    assert snap_compare(app, terminal_size=size, run_before=go)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_reserves(snap_compare, proven, size) -> None:
    settings, report = proven

    async def go(pilot) -> None:
        await settle(pilot)
        await pilot.app.push_screen(ReservesScreen(source=_given(report)))
        await settle(pilot)

    app = create_app(settings, settings.register.path, now=lambda: SIM_NOW)
    assert snap_compare(app, terminal_size=size, run_before=go)
