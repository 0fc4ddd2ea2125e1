"""Pilot tests of the valuation, reconciliation and reserves screens: each opens by its key,
shows the domain modules' own figures, and a break is resolved from the keyboard.

The valuation screen runs on the seeded register (with a price history and `[mining]`
figures); the reconciliation and reserves screens read the simulator over real sockets
(pools, Esplora, BSC and Solana RPC on 127.0.0.1), as `desk reconcile` / `desk reserves` do.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import aiohttp
import pytest
from textual.widgets import DataTable, Sparkline

from desk.config import DeskSettings, load_settings
from desk.feeds.chains.esplora import esplora_client
from desk.feeds.clock import FakeClock
from desk.feeds.http import HttpClient, RetryPolicy
from desk.mining.hashprice import hashprice_report
from desk.money import DEFAULT_PRECISIONS, Amount
from desk.reconcile import resolutions
from desk.register import NewEntry, Posting, Quote, Register
from desk.sim import SimCluster
from desk.sim.demo_reserve import open_demo_reserve
from desk.sim.esplora import SIM_RESERVE_BNB
from desk.sync import SyncEngine
from desk.tui.app import create_app
from desk.tui.palette import DeskCommands
from desk.tui.screens.figures import money_text
from desk.tui.screens.reconcile import ReconcileScreen, ResolveDialog
from desk.tui.screens.reserves import ReservesScreen
from desk.tui.screens.valuation import ValuationScreen
from desk.valuation.frames import moments
from desk.valuation.worth import reserve_report, value_series
from tests.builders import NOW as SIM_NOW
from tests.builders import sim_fixture
from tests.reconcile.conftest import payout_on
from tests.tui.pilot import palette, settle
from tests.tui.seed import CONFIG, NOW, seed

DAY = SIM_NOW.date() - timedelta(days=4)
MINING = '[mining]\nhashrate_ph = "36"\ndifficulty = "102289407543323"\nfees_per_block_btc = "0.02"\n'


async def valuation_settings(tmp: Path, *, extra_asset: bool = False) -> tuple[DeskSettings, Path]:
    """The seeded register (tests/tui/seed.py) with `[mining]` figures, a month of daily and
    a day of hourly quotes before the seeded latest ones (so the chart has a history), and
    with `extra_asset` some ETH in the reserve that no source quotes."""
    assets = ""
    if extra_asset:
        assets = "[assets]\n" + "".join(f"{code} = {p}\n" for code, p in {**DEFAULT_PRECISIONS, "ETH": 18}.items())
    config = tmp / "desk.toml"
    config.write_text(CONFIG + MINING + assets + f'[register]\npath = "{tmp / "register.sqlite"}"\n')
    config.chmod(0o600)
    settings = load_settings(config, env={})
    path = await seed(settings)
    async with Register.open(path, operator="aliya", clock=lambda: NOW) as reg:
        await reg.record_quotes(history(NOW))
        if extra_asset:
            eth = reg.asset("ETH")
            await reg.post(
                NewEntry(
                    kind="opening",
                    ts=NOW - timedelta(days=3),
                    postings=(
                        Posting("equity:opening", -Amount(eth, "3")),
                        Posting("assets:reserve:cold", Amount(eth, "3")),
                    ),
                    memo="ETH nobody quotes",
                )
            )
    return settings, path


def history(now: datetime) -> list[Quote]:
    """Kraken BTC/USD, Binance BNB/USDT and the NBK rate at noon of the 30 days before `now`,
    and hourly Kraken/Binance quotes over the last day (all older than the seeded latest)."""
    quotes = []
    for day in range(1, 31):
        at = now - timedelta(days=day)
        quotes += [
            Quote("BTC", "USD", Decimal(90_000 + 250 * (30 - day)), "kraken", at, at),
            Quote("BNB", "USDT", Decimal(580 + (30 - day)), "binance", at, at),
            Quote("USD", "KZT", Decimal("505.10") + Decimal(30 - day) / 4, "nbk", at, at),
        ]
    for hour in range(1, 24):
        at = now - timedelta(hours=hour)
        quotes += [
            Quote("BTC", "USD", Decimal(97_398 - 40 * hour), "kraken", at, at),
            Quote("BNB", "USDT", Decimal("612.40") - Decimal(hour) / 10, "binance", at, at),
        ]
    return quotes


def rows_text(screen, selector: str) -> str:
    return "\n".join(str(w.render()) for w in screen.query(f"{selector} Static"))


def cells(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


# ---------------------------------------------------------------------------- valuation


@pytest.fixture
async def valued(tmp_path: Path) -> tuple[DeskSettings, Path]:
    return await valuation_settings(tmp_path)


async def test_valuation_shows_the_domain_figures_and_follows_currency_frame_and_units(valued) -> None:
    settings, path = valued
    async with Register.open(path, operator="test") as reg:
        expected = await reserve_report(reg, settings, NOW)
        year = await value_series(reg, settings, [m.date() for m in moments(NOW, "1Y")])
        hashprice = await hashprice_report(settings, reg, None, NOW)
    app = create_app(settings, path, now=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("V")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ValuationScreen)
        report = screen.valuation.report
        assert (report.total_usd, report.total_kzt) == (expected.total_usd, expected.total_kzt)
        assert (report.cost_usd, report.unrealised_kzt) == (expected.cost_usd, expected.unrealised_kzt)
        value = rows_text(screen, "#val-value")
        assert money_text(expected.total_kzt, "KZT") in value.splitlines()[0]  # KZT leads
        assert money_text(expected.total_usd, "USD") in value
        # the seeded reserve has no lot of known cost: no cost basis, not a zero one
        assert all(f.cost_usd is None for f in expected.assets)
        assert "cost        unknown · unknown" in value and "unrealised  unknown · unknown" in value
        table = screen.query_one("#val-assets", DataTable)
        rows = {r[0]: r for r in cells(table)}
        btc = next(f for f in expected.assets if f.asset == "BTC")
        assert btc.usd is not None and btc.usd.source in rows["BTC"]
        assert f"{btc.usd.value.quantize(Decimal('0.01')):,}" in rows["BTC"]
        weights = {s.label: s.percent for s in expected.by_custody}
        assert f"{weights['cold']}%" in rows_text(screen, "#val-custody")
        # a price flag from the domain is on screen, loud or not
        assert all(f.kind.upper() in rows_text(screen, "#val-flags") for f in expected.flags)

        await pilot.press("c")  # KZT -> USD
        await settle(pilot)
        assert money_text(expected.total_usd, "USD") in rows_text(screen, "#val-value").splitlines()[0]

        await pilot.press("w", "w")  # 30D -> 1Y -> 1D
        await settle(pilot)
        assert screen.frame == "1D" and len(screen.valuation.points) == 25
        await pilot.press("w", "w", "w")  # -> 7D -> 30D -> 1Y
        await settle(pilot)
        assert screen.frame == "1Y"
        assert [(p.usd, p.kzt) for p in screen.valuation.points] == [(d.usd, d.kzt) for d in year]

        hash_rows = rows_text(screen, "#val-hash-rows")
        assert f"{hashprice.expected.format(code=True)}/PH/day" in hash_rows
        assert "USD/PH/day" in hash_rows and f"realisation {hashprice.realisation * 100:.2f}%" in hash_rows
        assert len(screen.query_one("#val-mined", Sparkline).data) == len(hashprice.daily_mined)
        await pilot.press("h")
        await settle(pilot)
        assert f"{hashprice.sats_per_th_day} sats/TH/day" in rows_text(screen, "#val-hash-rows")

        # a write to the register (any writer bumps data_version) is on screen at once
        btc_asset = app.register.asset("BTC")
        one = Amount(btc_asset, "1")
        await app.register.post(
            NewEntry(
                kind="opening",
                ts=NOW - timedelta(hours=1),
                postings=(Posting("equity:opening", -one), Posting("assets:reserve:cold", one)),
                memo="one more bitcoin",
            )
        )
        app.data_version += 1
        await settle(pilot)
        await settle(pilot)
        after = await reserve_report(app.register, settings, NOW)
        assert after.total_usd > expected.total_usd
        assert screen.valuation.report.total_usd == after.total_usd
        assert money_text(after.total_usd, "USD") in rows_text(screen, "#val-value").splitlines()[0]


async def test_valuation_flags_a_missing_price_and_an_inconsistent_one_loudly(tmp_path: Path) -> None:
    """A reserve asset nobody quotes is MISSING, in red, never a zero; a second source 5 %
    off the first is INCONSISTENT (the band is 2 %)."""
    settings, path = await valuation_settings(tmp_path, extra_asset=True)
    async with Register.open(path, operator="aliya", clock=lambda: NOW) as reg:
        at = NOW - timedelta(seconds=30)
        await reg.record_quotes([Quote("BTC", "USD", Decimal("102268.00"), "bitstamp", at, at)])
    app = create_app(settings, path, now=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("V")
        await settle(pilot)
        screen = app.screen
        flags = screen.query(".row.-loud")
        assert any("MISSING" in str(w.render()) for w in flags)
        assert "incomplete" in rows_text(screen, "#val-value")
        assert screen.query_one("#val-flags").has_class("-loud")
        assert any("INCONSISTENT BTC" in str(w.render()) for w in flags)
        eth = next(r for r in cells(screen.query_one("#val-assets", DataTable)) if r[0] == "ETH")
        assert eth[2] == eth[3] == eth[5] == "MISSING"


async def test_valuation_in_btc_divides_by_the_price_of_a_bitcoin(valued) -> None:
    settings, path = valued
    async with Register.open(path, operator="test") as reg:
        expected = await reserve_report(reg, settings, NOW)
    btc = next(f for f in expected.assets if f.asset == "BTC")
    assert btc.usd is not None
    in_btc = (expected.total_usd / btc.usd.price).quantize(Decimal("0.00000001"))
    app = create_app(settings, path, now=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("V", "c", "c")
        await settle(pilot)
        assert app.currency == "BTC"
        assert rows_text(app.screen, "#val-value").splitlines()[0].startswith(money_text(in_btc, "BTC"))


# ----------------------------------------------------------------------- simulator


sim = sim_fixture(now=SIM_NOW)


@pytest.fixture
async def sim_settings(tmp_path: Path, sim: SimCluster) -> DeskSettings:
    """The simulator's pools and chains (Braiins off: its 5 s pacing), a register synced
    from them by the real sync engine, and the demo reserve opened to match the chains."""
    overrides = sim.settings_overrides()
    overrides["pools"]["braiins"]["enabled"] = False
    overrides |= {
        "register": {"path": str(tmp_path / "register.sqlite")},
        "operator": {"name": "checker-1"},
        "sync": {"backfill_days": 40},
    }
    settings = load_settings(None, env={}, overrides=overrides)
    async with Register.open(settings.register.path, operator="admin", create=True) as register:
        await register.init_accounts(settings)
        await open_demo_reserve(register, settings, at=SIM_NOW - timedelta(days=30))
    async with aiohttp.ClientSession() as session:
        http = HttpClient(session, clock=FakeClock(SIM_NOW), policy=RetryPolicy(attempts=2), pacing=False)
        async with Register.open(settings.register.path, operator="sync-bot") as register:
            summary = await SyncEngine(settings, register, http).run_once()
    assert not summary.failed
    return settings


async def test_reconcile_lists_open_breaks_first_and_resolves_one_from_the_keyboard(
    sim: SimCluster, sim_settings: DeskSettings
) -> None:
    """Braiins is off (its 5 s pacing), so its payouts into the shared wallet are receipts no
    pool accounts for: seven open non-revenue breaks beside the dropped Foundry payout."""
    payout = payout_on(sim, "foundry", DAY)
    sim.chain.drop_tx(payout.tx_id)
    app = create_app(sim_settings, sim_settings.register.path, now=lambda: SIM_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReconcileScreen)
        view = screen.view
        assert view is not None and view.chain_checked and view.open_count == 8
        states = [b.state for b in view.breaks]
        assert states == sorted(states, key=["open", "resolved", "explained"].index)
        table = screen.query_one("#rec-breaks", DataTable)
        shown = cells(table)
        assert [r[0] for r in shown[:8]] == ["open"] * 8
        assert {r[3] for r in shown[:8]} == {"non_revenue_receipt", "missing_on_chain"}
        index = next(i for i, b in enumerate(view.breaks) if b.kind == "missing_on_chain")
        missing = view.breaks[index]
        assert (missing.scope, missing.day) == ("foundry", DAY)
        assert shown[index][4] == missing.difference.format(code=True)
        assert abs(missing.difference.units) in (payout.sats, payout.sats - payout.fee_sats)
        day_rows = cells(screen.query_one("#rec-days", DataTable))
        day_states = [r[2] for r in day_rows]
        # the figures' unit in a column of its own (issue 17: bare numbers before)
        assert [str(c.label) for c in screen.query_one("#rec-days", DataTable).columns.values()][3] == "unit"
        assert {r[3] for r in day_rows} == {"BTC"}
        assert "clean" in day_states and day_states.index("clean") > max(
            i for i, s in enumerate(day_states) if s == "open"
        )

        for _ in range(index):  # j moves down the table like the arrow
            await pilot.press("j")
        assert screen.selected() == missing
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ResolveDialog)
        await pilot.press("enter")  # an empty note is refused in the dialog
        await settle(pilot)
        assert isinstance(app.screen, ResolveDialog)
        assert "needs a note" in str(app.screen.query_one("#resolve-error").render())
        await pilot.press(*"resent 11-21")
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        assert app.screen is screen
        assert f"resolved {missing.id}" in str(screen.query_one("#rec-message").render())
        following = screen.selected()  # the cursor stays in place, on the next open break
        assert following is not None and following.state == "open" and following.id != missing.id
        assert screen.view.open_count == 7
        assert next(b for b in screen.view.breaks if b.id == missing.id).state == "resolved"
        assert missing.id not in [b.id for b in screen.view.breaks if b.state == "open"]

        # resolving it again from the keyboard is refused and says why
        table.move_cursor(row=[b.id for b in screen.view.breaks].index(missing.id))
        await pilot.press("e")
        await settle(pilot)
        assert app.screen is screen
        assert "refused" in str(screen.query_one("#rec-message").render())
    async with Register.open(sim_settings.register.path, operator="test") as register:
        resolved = await resolutions.resolved(register)
    assert resolved[missing.id].note == "resent 11-21" and resolved[missing.id].by == "checker-1"


async def test_reconcile_names_a_pool_and_the_chain_that_cannot_be_read(
    sim: SimCluster, sim_settings: DeskSettings
) -> None:
    sim.faults.set("foundry", "403")
    sim.faults.set("esplora", "500")
    app = create_app(sim_settings, sim_settings.register.path, now=lambda: SIM_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        problems = rows_text(app.screen, "#rec-problems")
        assert "pool foundry:" in problems and "chain:" in problems
        assert "chain NOT checked" in str(app.screen.query_one("#rec-status").render())


async def test_reserves_table_shows_chain_vs_register_and_refreshes(
    sim: SimCluster, sim_settings: DeskSettings
) -> None:
    app = create_app(sim_settings, sim_settings.register.path, now=lambda: SIM_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReservesScreen)
        report = screen.report
        assert report is not None and report.ok
        rows = cells(screen.query_one("#res-table", DataTable))
        bnb = next(r for r in rows if r[2] == "BNB")
        assert bnb[3] == "8,000.00000000" == bnb[5] and bnb[6] == "0"  # 8000 BNB in wei, beyond 64 bits
        seq, head = report.register_head
        assert f"register head #{seq} {head}" in str(screen.query_one("#res-head").render())
        assert "register equals chain" in str(screen.query_one("#res-status").render())

        sim.chain.set_balance("bsc", SIM_RESERVE_BNB, 8_000 * 10**18 + 1)  # one wei more on chain
        await pilot.press("g")
        await settle(pilot)
        rows = cells(screen.query_one("#res-table", DataTable))
        bnb = next(r for r in rows if r[2] == "BNB")
        # the one format, but a proof's figure that it would cut is shown to the wei
        assert bnb[3] == "8,000.000000000000000001" and bnb[5] == "8,000.00000000"
        assert bnb[6] == "0.000000000000000001"
        assert "PROOF FAILS" in str(screen.query_one("#res-status").render())
        assert "difference 0.000000000000000001 BNB" in str(screen.query_one("#res-failures").render())


async def test_reserves_name_a_chain_that_cannot_be_read(sim: SimCluster, sim_settings: DeskSettings) -> None:
    sim.faults.set("bsc", "500")
    app = create_app(sim_settings, sim_settings.register.path, now=lambda: SIM_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        screen = app.screen
        bnb = next(r for r in cells(screen.query_one("#res-table", DataTable)) if r[2] == "BNB")
        assert bnb[3] == "unreadable" and bnb[6] == "unproven" and bnb[5] == "8,000.00000000"
        btc = next(r for r in cells(screen.query_one("#res-table", DataTable)) if r[2] == "BTC")
        assert btc[6] == "0"  # the other chains are still proven
        failures = str(screen.query_one("#res-failures").render())
        assert SIM_RESERVE_BNB in failures and "bsc" in failures
        assert "PROOF FAILS" in str(screen.query_one("#res-status").render())


async def test_hashprice_reads_difficulty_and_fees_from_esplora(sim: SimCluster, sim_settings: DeskSettings) -> None:
    """The desk watches bitcoin addresses, so the valuation screen asks the (simulated)
    Esplora for difficulty and fees, and shows where they came from and how old they are."""
    async with aiohttp.ClientSession() as session:
        http = HttpClient(session, clock=FakeClock(SIM_NOW), policy=RetryPolicy(attempts=2), pacing=False)
        async with Register.open(sim_settings.register.path, operator="test") as reg:
            expected = await hashprice_report(sim_settings, reg, esplora_client(sim_settings, http), SIM_NOW)
    assert expected.difficulty.source.startswith("esplora block")
    app = create_app(sim_settings, sim_settings.register.path, now=lambda: SIM_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("V")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ValuationScreen) and screen.hashprice is not None
        assert screen.hashprice.expected == expected.expected
        assert screen.hashprice.daily_mined == expected.daily_mined
        rows = rows_text(screen, "#val-hash-rows")
        assert expected.difficulty.source in rows
        assert f"{expected.expected.format(code=True)}/PH/day" in rows
        assert len(screen.query_one("#val-mined", Sparkline).data) == len(expected.daily_mined) > 0


async def test_palette_offers_the_screens_and_the_resolve_action(valued) -> None:
    settings, path = valued
    app = create_app(settings, path, now=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await palette(pilot, "Valuation")
        assert isinstance(app.screen, ValuationScreen)
        names = {name for name, _a, _h in DeskCommands(app.screen)._available()}
        assert {"Valuation", "Reconciliation", "Reserves", "Reload", "Hashprice units"} <= names
        assert "Resolve break" not in names  # offered only where there are breaks


async def test_reserves_without_reserve_addresses_says_so(valued) -> None:
    settings, path = valued
    app = create_app(settings, path, now=lambda: NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert "no [[addresses]] entry" in str(app.screen.query_one("#res-status").render())
