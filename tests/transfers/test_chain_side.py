"""The chain side of a transfer's life, over real sockets against the simulator: the
custodian takes a transfer, broadcasts it, the chain mines it and counts confirmations from
its tip, and the chain clients see every step; each custodian fault (never confirms,
replaced by fee, double-spent) and the movements nobody recorded, as the clients report them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from desk.cli.demo_cmds import write_config
from desk.config import load_settings
from desk.feeds.chains.bsc import BscClient
from desk.feeds.chains.esplora import EsploraClient
from desk.feeds.chains.records import ChainMovement
from desk.feeds.chains.solana import SolanaClient
from desk.feeds.clock import FakeClock
from desk.feeds.custody import CustodianClient, CustodyError, CustodyTransfer, custodian_client
from desk.feeds.errors import AuthError
from desk.feeds.http import HttpClient, RetryPolicy
from desk.money import BNB, BTC, KZTE, Amount
from desk.sim import SimCluster
from desk.sim.chain import OUTSIDER
from desk.sim.esplora import SIM_KZTE_MINT, SIM_RESERVE_BNB, SIM_RESERVE_BTC, SIM_RESERVE_SOL, SIM_WALLET
from desk.sim.state import TOKEN
from tests.chains.conftest import NOW

HOT_BNB = "0x00000000000000000000000000000000000a11ce"
HOT_SOL = "DeskSimOpsOwner11111111111111111111111111111"


@pytest.fixture
async def sim() -> AsyncIterator[SimCluster]:
    """The simulator on a clock that stands still: blocks come only when a test mines them."""
    async with SimCluster(seed=11, now=NOW, days=30) as cluster:
        yield cluster


@pytest.fixture
async def http() -> AsyncIterator[HttpClient]:
    async with aiohttp.ClientSession() as session:
        yield HttpClient(session, clock=FakeClock(NOW), policy=RetryPolicy(attempts=2, base_delay_s=0.01), pacing=False)


@pytest.fixture
async def custody(sim: SimCluster, http: HttpClient) -> AsyncIterator[CustodianClient]:
    """The desk's client of the simulated custodian, which broadcasts at once (delay 0, set
    through its control endpoint as a test would over the wire)."""
    await control(http, sim.urls["custody"] + "/__sim/custody", {"delay_s": 0})
    yield CustodianClient(sim.urls["custody"], http, token=SecretStr(TOKEN))


async def control(http: HttpClient, url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await http.request("POST", url, json_body=body)
    assert response.status == 200, response.text
    return json.loads(response.text)


async def mine(sim: SimCluster, http: HttpClient, chain: str, blocks: int = 1) -> None:
    await control(http, sim.urls["esplora"] + "/__sim/chain", {"op": "mine", "chain": chain, "blocks": blocks})


def one(moves: list[ChainMovement], txid: str | None) -> ChainMovement:
    (found,) = [m for m in moves if m.txid == txid]
    return found


def btc(text: str) -> Amount:
    return Amount(BTC, Decimal(text))


async def test_btc_transfer_life_broadcast_mined_confirmations_from_the_tip(sim, http, custody) -> None:
    esplora = EsploraClient(sim.urls["esplora"], http)
    before = (await esplora.balance(SIM_RESERVE_BTC)).amount
    sent = await custody.submit("draft-btc-1", "bitcoin", SIM_WALLET, SIM_RESERVE_BTC, btc("0.5"))
    assert (sent.status, sent.confirmations) == ("broadcast", 0) and sent.txid
    out = one(await esplora.movements(SIM_WALLET), sent.txid)
    assert (out.direction, out.status, out.amount, out.counterparty) == ("out", "mempool", btc("0.5"), SIM_RESERVE_BTC)
    assert out.fee == Amount.from_units(BTC, 1_500) and sent.fee == out.fee
    assert one(await esplora.movements(SIM_RESERVE_BTC), sent.txid).direction == "in"

    await mine(sim, http, "bitcoin")
    mined = one(await esplora.movements(SIM_RESERVE_BTC), sent.txid)
    assert (mined.status, mined.confirmations) == ("confirmed", 1)
    assert mined.block_height == await esplora.tip_height()
    await mine(sim, http, "bitcoin", 2)
    assert one(await esplora.movements(SIM_RESERVE_BTC), sent.txid).confirmations == 3
    now = await custody.status(sent.id, BTC)
    assert (now.status, now.confirmations, now.txid) == ("confirmed", 3, sent.txid)
    assert (await esplora.balance(SIM_RESERVE_BTC)).amount == before + btc("0.5")


async def test_bnb_transfer_life_tracked_in_the_mempool_then_found_in_its_block(sim, http, custody) -> None:
    sim.chain.set_balance("bsc", HOT_BNB, 10 * 10**18)
    node = BscClient(sim.urls["bsc"], http)
    await node.movements(SIM_RESERVE_BNB)  # watching from here
    sent = await custody.submit("draft-bnb-1", "bsc", HOT_BNB, SIM_RESERVE_BNB, Amount(BNB, Decimal("1.5")))
    assert not [m for m in await node.movements(SIM_RESERVE_BNB) if m.txid == sent.txid]  # not in any block yet
    pending = one(await node.movements(SIM_RESERVE_BNB, tracked=[sent.txid]), sent.txid)
    assert (pending.status, pending.direction, pending.amount.value) == ("mempool", "in", Decimal("1.5"))
    await mine(sim, http, "bsc", 2)
    mined = one(await node.movements(SIM_RESERVE_BNB), sent.txid)
    assert (mined.status, mined.confirmations, mined.counterparty) == ("confirmed", 2, HOT_BNB)
    assert mined.fee == Amount(BNB, Decimal("0.000063"))  # 21,000 gas x 3 gwei, from the receipt
    assert (await node.balance(SIM_RESERVE_BNB)).amount.value == Decimal("8001.5")
    assert (await node.balance(HOT_BNB)).amount.value == Decimal("8.499937")
    assert (await custody.status(sent.id, BNB)).status == "confirmed"


async def test_kzte_transfer_life_seen_once_it_lands(sim, http, custody) -> None:
    sim.chain.set_balance("solana", HOT_SOL, 5_000 * 10**6)
    node = SolanaClient(sim.urls["solana"], SIM_KZTE_MINT, http)
    sent = await custody.submit("draft-kzte-1", "solana", HOT_SOL, SIM_RESERVE_SOL, Amount(KZTE, Decimal("1000.50")))
    assert sent.status == "broadcast" and sent.fee is None  # paid in SOL, not in KZTE
    assert not [m for m in await node.movements(SIM_RESERVE_SOL) if m.txid == sent.txid]
    await mine(sim, http, "solana", 3)
    landed = one(await node.movements(SIM_RESERVE_SOL), sent.txid)
    assert (landed.direction, landed.amount.value, landed.counterparty) == ("in", Decimal("1000.50"), HOT_SOL)
    assert (landed.status, landed.confirmations) == ("confirmed", 3)
    out = one(await node.movements(HOT_SOL), sent.txid)
    assert (out.direction, out.counterparty) == ("out", SIM_RESERVE_SOL)
    assert (await node.balance(SIM_RESERVE_SOL)).amount.value == Decimal("251000.50")
    assert (await custody.status(sent.id, KZTE)).confirmations == 3


async def test_never_confirmed_stays_in_the_mempool_then_is_reported_dropped_once(sim, http, custody) -> None:
    await control(http, sim.urls["custody"] + "/__sim/custody", {"fault": "never_confirms", "reference": "draft-stuck"})
    esplora = EsploraClient(sim.urls["esplora"], http)
    before = (await esplora.balance(SIM_RESERVE_BTC)).amount
    sent = await custody.submit("draft-stuck", "bitcoin", SIM_WALLET, SIM_RESERVE_BTC, btc("0.25"))
    assert one(await esplora.movements(SIM_RESERVE_BTC), sent.txid).status == "mempool"
    await mine(sim, http, "bitcoin", 5)
    assert one(await esplora.movements(SIM_RESERVE_BTC), sent.txid).status == "mempool"
    assert (await custody.status(sent.id, BTC)).status == "broadcast"
    await mine(sim, http, "bitcoin")
    assert (await custody.status(sent.id, BTC)).status == "dropped"
    assert one(await esplora.movements(SIM_RESERVE_BTC), sent.txid).status == "dropped"
    assert not [m for m in await esplora.movements(SIM_RESERVE_BTC) if m.txid == sent.txid]
    assert (await esplora.balance(SIM_RESERVE_BTC)).amount == before


async def test_replaced_by_fee_names_the_replacement_which_confirms(sim, http, custody) -> None:
    await control(http, sim.urls["custody"] + "/__sim/custody", {"fault": "replaced"})
    esplora = EsploraClient(sim.urls["esplora"], http)
    sent = await custody.submit("draft-rbf", "bitcoin", SIM_WALLET, SIM_RESERVE_BTC, btc("0.3"))
    assert one(await esplora.movements(SIM_WALLET), sent.txid).status == "mempool"
    await mine(sim, http, "bitcoin")
    now = await custody.status(sent.id, BTC)
    assert now.status == "broadcast" and now.replaced == (sent.txid,) and now.txid != sent.txid
    moves = await esplora.movements(SIM_WALLET)
    first, bump = one(moves, sent.txid), one(moves, now.txid)
    assert (first.status, first.replaced_by) == ("replaced", now.txid)
    assert (bump.status, bump.amount, bump.fee) == ("mempool", btc("0.3"), Amount.from_units(BTC, 3_000))
    await mine(sim, http, "bitcoin")
    assert one(await esplora.movements(SIM_RESERVE_BTC), now.txid).status == "confirmed"
    assert (await custody.status(sent.id, BTC)).status == "confirmed"


async def test_bsc_replacement_is_matched_by_sender_and_nonce(sim, http, custody) -> None:
    sim.chain.set_balance("bsc", HOT_BNB, 10 * 10**18)
    await control(http, sim.urls["custody"] + "/__sim/custody", {"fault": "replaced"})
    node = BscClient(sim.urls["bsc"], http)
    sent = await custody.submit("draft-bnb-rbf", "bsc", HOT_BNB, SIM_RESERVE_BNB, Amount(BNB, Decimal(2)))
    assert one(await node.movements(HOT_BNB, tracked=[sent.txid]), sent.txid).status == "mempool"
    await mine(sim, http, "bsc")
    bump = (await custody.status(sent.id, BNB)).txid
    await mine(sim, http, "bsc")
    moves = await node.movements(HOT_BNB, tracked=[sent.txid, bump or ""])
    assert (one(moves, sent.txid).status, one(moves, sent.txid).replaced_by) == ("replaced", bump)
    assert one(moves, bump).status == "confirmed"


async def test_double_spent_coins_go_elsewhere_and_the_transfer_fails(sim, http, custody) -> None:
    await control(http, sim.urls["custody"] + "/__sim/custody", {"fault": "double_spent", "reference": "draft-ds"})
    esplora = EsploraClient(sim.urls["esplora"], http)
    sent = await custody.submit("draft-ds", "bitcoin", SIM_WALLET, SIM_RESERVE_BTC, btc("0.2"))
    await esplora.movements(SIM_WALLET)
    await mine(sim, http, "bitcoin")
    assert (await custody.status(sent.id, BTC)).status == "failed"
    moves = await esplora.movements(SIM_WALLET)
    original = one(moves, sent.txid)
    assert original.status == "replaced" and original.replaced_by is not None  # a conflicting spend
    spend = one(moves, original.replaced_by)
    assert (spend.counterparty, spend.amount, spend.status) == (OUTSIDER["bitcoin"], btc("0.2"), "mempool")
    await mine(sim, http, "bitcoin")
    assert one(await esplora.movements(SIM_WALLET), spend.txid).status == "confirmed"
    assert not [m for m in await esplora.movements(SIM_RESERVE_BTC) if m.txid == sent.txid]


@pytest.mark.parametrize(
    ("chain", "address", "units", "amount"),
    [
        ("bitcoin", SIM_RESERVE_BTC, 30_000_000, Decimal("0.3")),
        ("bsc", SIM_RESERVE_BNB, 3 * 10**17, Decimal("0.3")),
        ("solana", SIM_RESERVE_SOL, 300 * 10**6, Decimal("300")),
    ],
)
async def test_unrecorded_outflow_and_deposit_are_seen_after_one_block(sim, http, chain, address, units, amount):
    clients = {
        "bitcoin": EsploraClient(sim.urls["esplora"], http),
        "bsc": BscClient(sim.urls["bsc"], http),
        "solana": SolanaClient(sim.urls["solana"], SIM_KZTE_MINT, http),
    }
    client = clients[chain]
    await client.movements(address)  # watching before they happen
    url = sim.urls["bsc"] + "/__sim/chain"
    body = {"chain": chain, "address": address, "units": str(units)}
    outflow = (await control(http, url, {"op": "outflow", **body}))["txid"]
    deposit = (await control(http, url, {"op": "deposit", **body}))["txid"]
    await mine(sim, http, chain)
    moves = await client.movements(address)
    out, dep = one(moves, outflow), one(moves, deposit)
    assert (out.direction, out.amount.value, out.counterparty, out.status) == (
        "out",
        amount,
        OUTSIDER[chain],
        "confirmed",
    )
    assert (dep.direction, dep.amount.value, dep.counterparty, dep.confirmations) == ("in", amount, OUTSIDER[chain], 1)


async def test_custodian_is_idempotent_by_reference(sim, http, custody) -> None:
    first = await custody.submit("draft-twice", "bitcoin", SIM_WALLET, SIM_RESERVE_BTC, btc("0.1"))
    again = await custody.submit("draft-twice", "bitcoin", SIM_WALLET, SIM_RESERVE_BTC, btc("0.1"))
    assert (again.id, again.txid) == (first.id, first.txid)
    assert len(sim.custodian.transfers) == 1
    with pytest.raises(CustodyError, match=r"409.*already submitted with other terms"):
        await custody.submit("draft-twice", "bitcoin", SIM_WALLET, SIM_RESERVE_BTC, btc("0.2"))


async def test_custodian_refuses_bad_terms_and_a_wrong_token(sim, http, custody) -> None:
    with pytest.raises(CustodyError, match=r"400.*chain: 'litecoin'"):
        await custody.submit("draft-x", "litecoin", SIM_WALLET, SIM_RESERVE_BTC, btc("0.1"))
    with pytest.raises(CustodyError, match="404"):
        await custody.status("tr_unknown", BTC)
    stranger = CustodianClient(sim.urls["custody"], http, token=SecretStr("wrong"))
    with pytest.raises(AuthError) as refused:
        await stranger.submit("draft-y", "bitcoin", SIM_WALLET, SIM_RESERVE_BTC, btc("0.1"))
    assert "wrong" not in str(refused.value)


async def test_custodian_waits_its_delay_before_broadcasting(sim, http) -> None:
    client = CustodianClient(sim.urls["custody"], http, token=SecretStr(TOKEN))
    sent = await client.submit("draft-later", "bitcoin", SIM_WALLET, SIM_RESERVE_BTC, btc("0.1"))
    assert (sent.status, sent.txid) == ("pending", None)  # the default delay, on a clock that stands still
    sim.advance(timedelta(seconds=sim.custodian.delay_s))
    assert (await client.status(sent.id, BTC)).status == "broadcast"


async def test_custody_config_points_desk_at_the_simulator(sim, http, tmp_path) -> None:
    path = write_config(tmp_path / "desk.toml", {**sim.settings_overrides(), "register": {"path": str(tmp_path / "r")}})
    settings = load_settings(path, env={})
    client = custodian_client(settings, http)
    assert client is not None and client.url == sim.urls["custody"]
    sent = await client.submit("draft-cfg", "bitcoin", SIM_WALLET, SIM_RESERVE_BTC, btc("0.1"))
    assert isinstance(sent, CustodyTransfer)
    bare = load_settings(write_config(tmp_path / "bare.toml", {"register": {"path": str(tmp_path / "r")}}), env={})
    assert custodian_client(bare, http) is None
