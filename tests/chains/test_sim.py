"""The chain simulator over real sockets: consistent with the pools, pageable, changeable."""

from __future__ import annotations

from datetime import date, timedelta

import aiohttp
import pytest

from desk.config import load_settings
from desk.feeds.chains.base import ChainError
from desk.feeds.chains.bsc import BscClient
from desk.feeds.chains.esplora import CHAIN_PAGE, EsploraClient
from desk.feeds.chains.solana import SolanaClient
from desk.feeds.errors import FeedError, Malformed, ServerError
from desk.feeds.factory import build_feeds
from desk.sim import SimCluster
from desk.sim.esplora import SIM_KZTE_MINT, SIM_RESERVE_BNB, SIM_RESERVE_BTC, SIM_RESERVE_SOL, SIM_WALLET
from tests.builders import NOW


def confirmed_payouts(sim: SimCluster) -> dict[str, int]:
    """tx id -> sats the wallet receives, for every payout the pools call confirmed now."""
    return {
        p.tx_id: p.sats - p.fee_sats
        for pool in sim.model.pools.values()
        for p in pool.payouts
        if p.confirmed_at <= sim.now()
    }


async def test_every_confirmed_pool_payout_is_on_chain_with_the_pools_tx_id(sim, http) -> None:
    settings = load_settings(None, env={}, overrides=sim.settings_overrides())
    braiins = next(f for f in build_feeds(settings, http) if f.name == "braiins")
    reported = (await braiins.client.window(date(2026, 10, 1), NOW.date())).payouts
    receipts = await EsploraClient(sim.urls["esplora"], http).receipts(SIM_WALLET)
    assert len(receipts) > 2 * CHAIN_PAGE  # paging through /txs/chain/{last} happened
    on_chain = {r.txid: r for r in receipts}
    for payout in reported:
        if payout.status == "confirmed":
            receipt = on_chain[payout.tx_id]
            assert receipt.amount == payout.amount - payout.fee
            assert receipt.confirmations >= 1 and receipt.block_time <= NOW
    expected = confirmed_payouts(sim)
    assert {r.txid: r.amount.units for r in receipts if r.block_height is not None} == expected
    balance = await EsploraClient(sim.urls["esplora"], http).balance(SIM_WALLET)
    assert balance.amount.units == sum(expected.values())


async def test_receipts_since_stop_paging_at_older_blocks(sim, http) -> None:
    client = EsploraClient(sim.urls["esplora"], http)
    since = NOW - timedelta(days=3)
    recent = await client.receipts(SIM_WALLET, since)
    assert recent and all(r.block_time is None or r.block_time >= since for r in recent)
    everything = await client.receipts(SIM_WALLET)
    assert {r.txid for r in recent} == {r.txid for r in everything if r.block_time is None or r.block_time >= since}


async def test_hooks_drop_shorten_redirect_and_add(sim, http) -> None:
    client = EsploraClient(sim.urls["esplora"], http)
    first, second, third = list(confirmed_payouts(sim))[:3]
    before = {r.txid: r.amount.units for r in await client.receipts(SIM_WALLET)}
    sim.chain.drop_tx(first)
    sim.chain.shorten(second, 1_000)
    async with aiohttp.ClientSession() as session:  # the same hooks over HTTP
        reply = await session.post(
            sim.urls["bsc"] + "/__sim/chain", json={"op": "redirect", "txid": third, "address": "bc1qelsewhere0000000"}
        )
        assert reply.status == 200
        reply = await session.post(
            sim.urls["esplora"] + "/__sim/chain", json={"op": "add_receipt", "address": SIM_WALLET, "sats": 777}
        )
        extra = (await reply.json())["txid"]
        bad = await session.post(
            sim.urls["esplora"] + "/__sim/chain", json={"op": "shorten", "txid": "nope", "sats": 1}
        )
        assert bad.status == 400 and "no simulated tx" in (await bad.json())["error"]
    after = {r.txid: r.amount.units for r in await client.receipts(SIM_WALLET)}
    assert first not in after and third not in after
    assert after[second] == before[second] - 1_000
    assert after[extra] == 777
    moved = await client.receipts("bc1qelsewhere0000000")
    assert [r.txid for r in moved] == [third]


async def test_reserve_balances_on_all_three_chains_and_set_balance(sim, http) -> None:
    btc = await EsploraClient(sim.urls["esplora"], http).balance(SIM_RESERVE_BTC)
    bnb = await BscClient(sim.urls["bsc"], http).balance(SIM_RESERVE_BNB)
    kzte = await SolanaClient(sim.urls["solana"], SIM_KZTE_MINT, http).balance(SIM_RESERVE_SOL)
    assert (btc.amount.units, bnb.amount.units, kzte.amount.units) == (1_250_000_000, 8000 * 10**18, 25_000_000)
    sim.chain.set_balance("bsc", SIM_RESERVE_BNB, 8000 * 10**18 - 1)
    sim.chain.set_balance("bitcoin", SIM_RESERVE_BTC, 5)
    assert (await BscClient(sim.urls["bsc"], http).balance(SIM_RESERVE_BNB)).amount.units == 8000 * 10**18 - 1
    assert (await EsploraClient(sim.urls["esplora"], http).balance(SIM_RESERVE_BTC)).amount.units == 5
    async with aiohttp.ClientSession() as session:
        body = {"op": "set_balance", "chain": "solana", "address": SIM_RESERVE_SOL, "units": "0"}
        assert (await session.post(sim.urls["solana"] + "/__sim/chain", json=body)).status == 200
    empty = await SolanaClient(sim.urls["solana"], SIM_KZTE_MINT, http).balance(SIM_RESERVE_SOL)
    assert empty.amount.units == 0


@pytest.mark.parametrize("mempool_api", [True, False], ids=["mempool.space extras", "plain esplora coinbase"])
async def test_blocks_give_difficulty_and_fees(sim, http, mempool_api) -> None:
    sim.chain.mempool_api = mempool_api
    client = EsploraClient(sim.urls["esplora"], http)
    stats = await client.network_stats()
    asked = sim.state.requests["esplora"]
    assert stats.fee_blocks == 144 and stats.tip_height == sim.chain.tip_height()
    expected = sum(sim.chain.fees_sats(h) for h in range(stats.tip_height - 143, stats.tip_height + 1))
    assert stats.fees_sats_total == expected
    assert stats.difficulty == sim.chain.difficulty(stats.tip_height)
    assert stats.tip_time <= NOW and NOW - stats.oldest_time < timedelta(hours=25)
    # /v1/blocks: 10 pages of 15; plain Esplora: a 404, 15 pages of 10 and 144 coinbases
    assert asked == (10 if mempool_api else 1 + 15 + 144)
    await client.network_stats()  # fees of buried blocks are remembered
    assert sim.state.requests["esplora"] - asked == (10 if mempool_api else 15)


@pytest.mark.parametrize("source", ["esplora", "bsc", "solana"])
async def test_faults_apply_to_the_chain_servers(sim, http, source) -> None:
    sim.faults.set(source, "500")
    clients = {
        "esplora": lambda: EsploraClient(sim.urls["esplora"], http).balance(SIM_RESERVE_BTC),
        "bsc": lambda: BscClient(sim.urls["bsc"], http).balance(SIM_RESERVE_BNB),
        "solana": lambda: SolanaClient(sim.urls["solana"], SIM_KZTE_MINT, http).balance(SIM_RESERVE_SOL),
    }
    with pytest.raises(ServerError):
        await clients[source]()
    sim.faults.set(source, "truncated")
    with pytest.raises(FeedError, match="not valid JSON"):
        await clients[source]()
    sim.faults.clear(source)
    assert (await clients[source]()).amount


async def test_a_payout_in_the_mempool_is_a_receipt_without_height_and_not_yet_balance(sim, http) -> None:
    payout = next(p for p in sim.model.pools["braiins"].payouts if p.requested_at > NOW)
    sim.advance(payout.requested_at + timedelta(minutes=1) - NOW)
    client = EsploraClient(sim.urls["esplora"], http)
    pending = [r for r in await client.receipts(SIM_WALLET) if r.txid == payout.tx_id]
    assert len(pending) == 1 and pending[0].block_height is None and pending[0].confirmations == 0
    state = await client.address_state(SIM_WALLET)
    in_flight = [
        p for pool in sim.model.pools.values() for p in pool.payouts if p.requested_at <= sim.now() < p.confirmed_at
    ]
    assert payout in in_flight and state.mempool.units == sum(p.sats - p.fee_sats for p in in_flight)
    assert state.confirmed.amount.units == sum(
        p.sats - p.fee_sats for pool in sim.model.pools.values() for p in pool.payouts if p.confirmed_at <= sim.now()
    )
    sim.advance(timedelta(hours=1))
    (confirmed,) = [r for r in await client.receipts(SIM_WALLET) if r.txid == payout.tx_id]
    assert confirmed.block_height is not None and confirmed.confirmations >= 1


async def test_an_invalid_address_is_esploras_400_named(sim, http) -> None:
    with pytest.raises(ChainError, match="Invalid Bitcoin address"):
        await EsploraClient(sim.urls["esplora"], http).balance("not-an-address")


@pytest.mark.parametrize("fault", ["wrong_types", "empty_number"])
async def test_mangled_numbers_are_malformed_not_a_crash(sim, http, fault) -> None:
    for source in ("esplora", "solana"):
        sim.faults.set(source, fault)
    with pytest.raises(Malformed):
        await EsploraClient(sim.urls["esplora"], http).balance(SIM_RESERVE_BTC)
    with pytest.raises(Malformed, match=r"tokenAmount|slot"):
        await SolanaClient(sim.urls["solana"], SIM_KZTE_MINT, http).balance(SIM_RESERVE_SOL)
