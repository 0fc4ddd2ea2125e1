"""Movements nobody recorded are breaks within one poll; deposits that a recorded entry (a
pool payout) carries are not, and a deposit into the pools' wallet waits for the pool feed."""

from __future__ import annotations

from datetime import timedelta

from desk.config import DeskSettings
from desk.money import Amount
from desk.reconcile import BreakKind, resolutions
from desk.register import NewEntry, Posting, Register
from desk.sim import SimCluster
from desk.sim.esplora import SIM_RESERVE_BTC, SIM_RESERVE_SOL, SIM_WALLET
from desk.transfers.watch import TransferWatch
from tests.transfers.conftest import NOW


async def test_an_unrecorded_outflow_and_deposit_are_breaks_within_one_poll(
    sim: SimCluster, watch: TransferWatch
) -> None:
    await watch.poll()
    out_tx = sim.chain.unrecorded("outflow", "bitcoin", SIM_RESERVE_BTC, 30_000_000)
    in_tx = sim.chain.unrecorded("deposit", "solana", SIM_RESERVE_SOL, 5_000 * 10**6)
    sim.chain.mine("solana", 1)  # a Solana node lists an owner's signatures once in a slot
    polled = await watch.poll()
    found = {b.txid: b for b in polled.breaks}
    assert set(found) == {out_tx, in_tx}
    outflow, deposit = found[out_tx], found[in_tx]
    assert outflow.kind is BreakKind.UNRECORDED_OUTFLOW and outflow.scope == "assets:reserve:cold"
    assert outflow.why.startswith(f"unrecorded outflow from assets:reserve:cold: 0.30000000 BTC in tx {out_tx}")
    assert deposit.kind is BreakKind.UNRECORDED_DEPOSIT and deposit.open
    assert deposit.difference.value < 0  # money that turned up
    again = await watch.poll()
    assert {b.id for b in again.breaks} == {outflow.id, deposit.id}  # the same breaks, by the same ids


async def test_a_recorded_payout_is_no_break_and_a_pool_deposit_waits_for_the_feed(
    sim: SimCluster, settings: DeskSettings, register: Register, watch: TransferWatch
) -> None:
    await watch.poll()
    payout = sim.chain.unrecorded("deposit", "bitcoin", SIM_WALLET, 1_000_000)
    sim.chain.mine("bitcoin", 1)
    assert (await watch.poll()).breaks == []  # the pool feed may not have reported it yet
    btc = register.asset("BTC")
    await register.ingest(
        [
            NewEntry(
                kind="payout",
                ts=NOW,
                postings=(
                    Posting("assets:pool:f2main", -Amount(btc, "0.01")),
                    Posting("assets:wallet:ops", Amount(btc, "0.01")),
                ),
                reference=payout,
                source="pool:f2main",
                external_id="payout-1",
            )
        ]
    )
    other = sim.chain.unrecorded("deposit", "bitcoin", SIM_WALLET, 2_000_000)
    sim.chain.mine("bitcoin", 1)
    sim.advance(timedelta(seconds=3 * settings.sync.pools_interval + 3600))  # blocks mined now are dated ahead
    polled = await watch.poll()
    assert [b.txid for b in polled.breaks] == [other]  # the recorded payout is not a break


async def test_unrecorded_movements_are_in_the_reconciliation_until_resolved(
    sim: SimCluster, settings: DeskSettings, register: Register, watch: TransferWatch, http
) -> None:
    from desk.reconcile import Report
    from desk.reconcile.movements import with_movements

    await watch.poll()
    out_tx = sim.chain.unrecorded("outflow", "bitcoin", SIM_RESERVE_BTC, 30_000_000)
    empty = Report(since=NOW.date(), until=NOW.date() + timedelta(days=1), as_of=NOW, days=())
    report = await with_movements(settings, register, http, empty)
    (found,) = report.open_breaks
    assert (found.txid, found.kind, found.scope) == (out_tx, BreakKind.UNRECORDED_OUTFLOW, "assets:reserve:cold")
    assert await register.transfers() == [] and (await watch.poll()).breaks  # reading wrote nothing
    async with Register.open(settings.register.path, operator="bek") as checker:
        await resolutions.resolve(checker, found.id, "cold storage sweep, approved on paper")
    report = await with_movements(settings, register, http, empty)
    assert report.open_breaks == [] and report.breaks[0].resolution is not None
