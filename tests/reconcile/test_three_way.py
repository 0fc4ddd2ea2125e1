"""Pools, register and chain compared over real sockets: each break found to the satoshi
and classified, a perfect day clean."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import aiohttp

from desk.config import DeskSettings
from desk.feeds.chains.esplora import esplora_client
from desk.feeds.clock import FakeClock
from desk.feeds.http import HttpClient
from desk.money import BTC, Amount
from desk.reconcile import BreakKind, reconcile
from desk.reconcile.view import view_of
from desk.register import NewEntry, Posting, Register
from desk.sim import SimCluster
from desk.sim.esplora import SIM_RESERVE_BTC, SIM_WALLET
from desk.sync.mapping import source_of
from tests.builders import NOW
from tests.reconcile.conftest import Reconcile, day_of, desk_settings, payout_on, sync

DAY = date(2026, 11, 20)


def sats(n: int) -> Amount:
    return Amount.from_units(BTC, n)


async def test_a_perfect_week_reports_every_pool_day_clean(run: Reconcile, sim: SimCluster) -> None:
    report = await run(DAY - timedelta(days=3), DAY)
    assert report.problems == () and report.chain_checked
    assert {d.scope for d in report.days} == {"braiins", "f2main", "foundry", "ocean"}
    assert all(d.state == "clean" for d in report.days), [b.why for b in report.breaks]
    braiins = day_of(report, "braiins", DAY)
    paid = payout_on(sim, "braiins", DAY)
    assert braiins.paid_pool == braiins.paid_register == braiins.received_chain == sats(paid.sats)
    assert braiins.earned_pool == braiins.earned_register
    f2 = day_of(report, "f2main", DAY)
    f2_paid = payout_on(sim, "f2main", DAY)
    assert f2.received_chain == sats(f2_paid.sats - f2_paid.fee_sats)  # the network fee never arrives
    assert report.open_breaks == []


async def test_a_payout_missing_on_chain_is_its_whole_amount(run: Reconcile, sim: SimCluster) -> None:
    paid = payout_on(sim, "braiins", DAY)
    sim.chain.drop_tx(paid.tx_id)
    report = await run(DAY, DAY)
    (found,) = report.open_breaks
    assert (found.scope, found.day, found.kind, found.txid) == ("braiins", DAY, BreakKind.MISSING_ON_CHAIN, paid.tx_id)
    assert found.difference == sats(paid.sats - paid.fee_sats)
    assert day_of(report, "braiins", DAY).state == "open"
    assert report.ordered[0].scope == "braiins"  # mismatches first


async def test_a_short_payment_is_the_shortfall_to_the_satoshi(run: Reconcile, sim: SimCluster) -> None:
    paid = payout_on(sim, "f2main", DAY)
    sim.chain.shorten(paid.tx_id, 12_345)
    report = await run(DAY, DAY)
    (found,) = report.open_breaks
    assert (found.kind, found.scope) == (BreakKind.SHORT, "f2main")
    assert found.difference == sats(12_345)
    assert found.expected == sats(paid.sats - paid.fee_sats)
    assert found.found == sats(paid.sats - paid.fee_sats - 12_345)


async def test_a_payout_redirected_to_another_of_our_addresses_is_the_wrong_address(
    run: Reconcile, sim: SimCluster
) -> None:
    paid = payout_on(sim, "foundry", DAY)
    sim.chain.redirect(paid.tx_id, SIM_RESERVE_BTC)
    report = await run(DAY, DAY)
    (found,) = report.open_breaks
    assert found.kind is BreakKind.WRONG_ADDRESS and found.scope == "foundry"
    assert found.difference == sats(paid.sats) and SIM_RESERVE_BTC in found.why


async def test_a_pool_paying_an_address_not_ours_is_the_wrong_address(run: Reconcile, sim: SimCluster) -> None:
    pool = sim.model.pools["braiins"]
    paid = payout_on(sim, "braiins", DAY)
    stranger = "bc1qsomeoneelsesaddress000000000000000000000"
    pool.payouts[pool.payouts.index(paid)] = replace(paid, destination=stranger)
    report = await run(DAY, DAY)
    (found,) = report.open_breaks
    assert found.kind is BreakKind.WRONG_ADDRESS and stranger in found.why
    assert found.difference == sats(paid.sats)


async def test_a_deposit_at_the_revenue_address_is_not_revenue(run: Reconcile, sim: SimCluster) -> None:
    txid = sim.chain.add_receipt(SIM_WALLET, 2_500_000, at=datetime(2026, 11, 20, 15, 0, tzinfo=UTC))
    report = await run(DAY, DAY)
    (found,) = report.open_breaks
    assert (found.scope, found.kind, found.txid) == ("wallet:ops", BreakKind.NON_REVENUE, txid)
    assert found.difference == -sats(2_500_000)
    assert all(d.state == "clean" for d in report.days if d.scope != "wallet:ops")


async def test_an_ocean_payout_over_lightning_is_classified_as_the_rail(run: Reconcile, sim: SimCluster) -> None:
    """OCEAN's earnpay omits Lightning payouts: the pool balance the register keeps stays
    above the threshold with no on-chain payout."""
    pool = sim.model.pools["ocean"]
    lightning = payout_on(sim, "ocean", DAY)
    pool.payouts.remove(lightning)  # paid over Lightning: not in the API, not on chain
    report = await run(DAY, DAY + timedelta(days=1))
    rail = [b for b in report.breaks if b.kind is BreakKind.LIGHTNING]
    assert rail and all(b.scope == "ocean" and b.explained for b in rail)
    (on_the_day,) = [b for b in rail if b.day == DAY]
    assert on_the_day.difference == sats(lightning.sats)
    assert report.open_breaks == []


async def test_earnings_credited_after_the_last_sync_are_timing(
    run: Reconcile, sim: SimCluster, settings: DeskSettings, http: HttpClient
) -> None:
    """The sync ran at 00:30; the pools credited yesterday at 01:00 and paid at 02:00."""
    early = timedelta(hours=11, minutes=30)
    sim.advance(-early)
    async with aiohttp.ClientSession() as session:
        await sync(settings, HttpClient(session, clock=FakeClock(NOW - early), policy=http.policy, pacing=False))
    sim.advance(early)
    yesterday = NOW.date() - timedelta(days=1)
    report = await run(yesterday, NOW.date(), pools=["braiins"], synced=True)
    timing = [b for b in report.breaks if b.kind is BreakKind.TIMING]
    earned = sim.model.pools["braiins"].earnings[(yesterday - sim.first_day()).days]
    assert any(b.day == yesterday and b.difference == sats(earned.sats) for b in timing)
    assert report.open_breaks == [] and day_of(report, "braiins", yesterday).state == "explained"


async def test_a_manual_compensation_row_is_classified(run: Reconcile, settings: DeskSettings) -> None:
    async with Register.open(settings.register.path, operator="checker-1") as register:
        btc = register.asset("BTC")
        await register.post(
            NewEntry(
                kind="earning",
                ts=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
                postings=(
                    Posting("income:mining:braiins", -Amount(btc, "0.00012")),
                    Posting("assets:pool:braiins", Amount(btc, "0.00012")),
                ),
                memo="Braiins compensation for the 2026-11-19 outage",
            )
        )
    report = await run(DAY, DAY, pools=["braiins"])
    (found,) = [b for b in report.breaks if b.kind is BreakKind.ADJUSTMENT]
    assert found.difference == -sats(12_000) and found.explained
    day = day_of(report, "braiins", DAY)
    assert day.earned_register - day.earned_pool == sats(12_000)


async def test_a_register_payout_the_pool_never_made_is_unexplained(run: Reconcile, settings: DeskSettings) -> None:
    await run(DAY, DAY)
    async with Register.open(settings.register.path, operator="sync-bot") as register:
        btc = register.asset("BTC")
        await register.ingest(
            [
                NewEntry(
                    kind="payout",
                    ts=datetime(2026, 11, 20, 18, 0, tzinfo=UTC),
                    postings=(
                        Posting("assets:pool:foundry", -Amount(btc, "0.001")),
                        Posting("assets:wallet:ops", Amount(btc, "0.001")),
                    ),
                    memo="foundry payout",
                    source=source_of("foundry"),
                    external_id="payout:ghost",
                )
            ]
        )
    report = await run(DAY, DAY, pools=["foundry"], synced=True)
    (found,) = report.open_breaks
    assert found.kind is BreakKind.NOT_REPORTED and found.difference == -sats(100_000)


async def test_break_ids_are_the_same_on_every_run(run: Reconcile, sim: SimCluster) -> None:
    sim.chain.drop_tx(payout_on(sim, "ocean", DAY).tx_id)
    first = await run(DAY, DAY)
    again = await run(DAY - timedelta(days=1), DAY)
    assert [b.id for b in first.open_breaks] == [b.id for b in again.open_breaks]


async def test_a_balance_below_the_payout_threshold_is_dust_carried_over(tmp_path: Path, http: HttpClient) -> None:
    """Pools paying only above 0.06 BTC (about a day and a quarter of earnings): the day a
    pool does not pay, what it keeps is dust carried over, not a break."""
    async with SimCluster(seed=11, now=NOW, days=30, threshold_sats=6_000_000) as sim:
        settings = desk_settings(tmp_path, sim, reconcile={"payout_threshold": "0.06"})
        async with Register.open(settings.register.path, operator="admin", create=True) as register:
            await register.init_accounts(settings)
        await sync(settings, http)
        async with Register.open(settings.register.path, operator="checker-1") as register:
            report = await reconcile(
                settings,
                register,
                http,
                since=DAY - timedelta(days=3),
                until=DAY,
                pools=["braiins"],
                chain=esplora_client(settings, http),
                now=NOW,
            )
    dust = [b for b in report.breaks if b.kind is BreakKind.DUST]
    assert dust and report.open_breaks == []
    for b in dust:
        carried = day_of(report, "braiins", b.day).carried
        assert carried is not None and b.difference == carried and carried < sats(6_000_000)


async def test_a_deposit_the_register_records_is_not_a_break(
    run: Reconcile, sim: SimCluster, settings: DeskSettings
) -> None:
    txid = sim.chain.add_receipt(SIM_WALLET, 2_500_000, at=datetime(2026, 11, 20, 15, 0, tzinfo=UTC))
    await run(DAY, DAY)
    async with Register.open(settings.register.path, operator="checker-1") as register:
        btc = register.asset("BTC")
        await register.post(
            NewEntry(
                kind="opening",
                ts=datetime(2026, 11, 20, 15, 0, tzinfo=UTC),
                postings=(
                    Posting("assets:wallet:ops", Amount(btc, "0.025")),
                    Posting("equity:opening", -Amount(btc, "0.025")),
                ),
                memo="ops wallet float from treasury",
                reference=txid,
            )
        )
    report = await run(DAY, DAY, synced=True)
    assert report.breaks == [] and report.open_breaks == []


async def test_the_screen_rows_put_open_breaks_and_mismatched_days_first(run: Reconcile, sim: SimCluster) -> None:
    sim.chain.drop_tx(payout_on(sim, "foundry", DAY).tx_id)
    view = view_of(await run(DAY - timedelta(days=1), DAY))
    assert view.open_count == 1 and view.chain_checked
    assert view.breaks[0].state == "open" and view.breaks[0].kind == "missing_on_chain"
    assert (view.days[0].scope, view.days[0].day, view.days[0].state) == ("foundry", DAY, "open")
    assert {d.state for d in view.days[1:]} == {"clean"}


async def test_a_pool_that_cannot_be_read_is_named_and_its_days_left_out(run: Reconcile, sim: SimCluster) -> None:
    await run(DAY, DAY)
    sim.faults.set("foundry", "403")
    sim.faults.set("esplora", "500")
    report = await run(DAY, DAY, synced=True)
    assert any(p.startswith("pool foundry:") for p in report.problems)
    assert any(p.startswith("chain:") for p in report.problems) and not report.chain_checked
    assert "foundry" not in {d.scope for d in report.days}
    assert all(d.received_chain is None and d.state == "clean" for d in report.days)
