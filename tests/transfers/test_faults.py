"""A transfer's life when the chain does not simply confirm it: never mined (expires and is
returned), replaced by fee (matched to its replacement), double-spent (fails, and the
double-spend is an unrecorded outflow); and a restart in the middle of every state."""

from __future__ import annotations

from datetime import timedelta

from desk.config import DeskSettings
from desk.feeds.http import HttpClient
from desk.money import Amount
from desk.proof.chains import ChainReader
from desk.proof.proof import check_reserves
from desk.register import Register
from desk.sim import SimCluster
from desk.sim.chain import OUTSIDER
from desk.sim.esplora import SIM_RESERVE_BTC, SIM_WALLET
from desk.sim.ledger import LedgerTx
from desk.transfers.watch import TransferWatch
from tests.transfers.conftest import approved

COLD = "assets:reserve:cold"
HALF = 50_000_000


async def ops_btc(register: Register) -> Amount:
    return await register.balance("assets:wallet:ops", "BTC")


async def half_sent(
    sim: SimCluster, settings: DeskSettings, register: Register, watch: TransferWatch
) -> tuple[Amount, int, LedgerTx]:
    """0.5 BTC from the ops wallet to cold, approved, broadcast (to be mined next block) and seen by a poll:
    the ops wallet's BTC before it, the draft's id and the transaction."""
    await watch.poll()
    before = await ops_btc(register)
    draft_id = await approved(register, settings, "BTC", "0.5", COLD)
    sent = sim.chain.ledger.broadcast("bitcoin", SIM_WALLET, SIM_RESERVE_BTC, HALF)
    await watch.poll()
    return before, draft_id, sent


async def test_never_mined_expires_and_returns_the_coins(
    sim: SimCluster, settings: DeskSettings, register: Register, watch: TransferWatch
) -> None:
    await watch.poll()
    before = await ops_btc(register)
    draft_id = await approved(register, settings, "BTC", "0.5", COLD)
    tx = sim.chain.ledger.broadcast("bitcoin", SIM_WALLET, SIM_RESERVE_BTC, HALF, mined=False)
    assert [c.state for _, c in (await watch.poll()).changes] == ["broadcast"]
    sim.advance(timedelta(hours=5, minutes=59))
    assert (await watch.poll()).changes == []  # in the mempool, not yet expired
    sim.advance(timedelta(minutes=1))
    polled = await watch.poll()
    assert [c.state for _, c in polled.changes] == ["expired"]
    done = await register.transfer(draft_id)
    assert done.state == "expired" and done.txid == tx.txid and len(done.closing_seqs) == 1
    returned = await register.entry(done.closing_seqs[0])
    assert returned.kind == "return" and returned.reference == tx.txid
    assert await ops_btc(register) == before
    assert (await register.balance("assets:transit:bitcoin", "BTC")).units == 0
    assert (await register.verify()).ok


async def test_replaced_by_fee_is_matched_to_the_replacement_and_settles(
    sim: SimCluster, settings: DeskSettings, register: Register, watch: TransferWatch
) -> None:
    before, draft_id, first = await half_sent(sim, settings, register, watch)
    second = sim.chain.ledger.replace_by_fee(first.txid)
    polled = await watch.poll()
    assert [(c.state, c.txid) for _, c in polled.changes] == [("replaced", second.txid)]
    assert not polled.unrecorded
    replaced = await register.transfer(draft_id)
    assert replaced.replaced == (first.txid,) and replaced.fee == Amount(register.asset("BTC"), "0.00003")
    sim.chain.mine("bitcoin", 3)
    polled = await watch.poll()
    assert [c.state for _, c in polled.changes] == ["settled"] and not polled.unrecorded
    assert await ops_btc(register) == before - Amount(register.asset("BTC"), "0.50003")
    assert (await register.verify()).ok


async def test_double_spent_fails_and_the_double_spend_is_an_unrecorded_outflow(
    sim: SimCluster, settings: DeskSettings, register: Register, watch: TransferWatch
) -> None:
    before, draft_id, first = await half_sent(sim, settings, register, watch)
    thief = sim.chain.ledger.double_spend(first.txid, OUTSIDER["bitcoin"])
    polled = await watch.poll()
    assert [c.state for _, c in polled.changes] == ["failed"]
    assert await ops_btc(register) == before  # returned in the book...
    (found,) = polled.unrecorded  # ...and the coins that left are an incident
    assert found.movement.txid == thief.txid and found.account == "assets:wallet:ops"
    assert found.message.startswith("unrecorded outflow from assets:wallet:ops: 0.50000000 BTC in tx ")
    assert (await register.transfer(draft_id)).state == "failed"
    assert (await register.verify()).ok


async def test_a_restart_in_the_middle_of_every_state_resumes(
    sim: SimCluster, settings: DeskSettings, http: HttpClient
) -> None:
    """Each poll by a fresh process: a new register connection and new chain clients, which
    remember nothing of the mempool txs the last one saw."""

    async def poll_afresh() -> list[str]:
        async with Register.open(settings.register.path, operator="sync", clock=sim.now) as reg:
            polled = await TransferWatch(settings, reg, ChainReader(settings, http), sim.now).poll()
            report = await check_reserves(settings, reg, ChainReader(settings, http))
            assert report.ok, report.failures()
            assert (await reg.verify()).ok
            assert not polled.unrecorded, [u.message for u in polled.unrecorded]
            return [c.state for _, c in polled.changes]

    await poll_afresh()
    async with Register.open(settings.register.path, operator="aliya", clock=sim.now) as register:
        draft_id = await approved(register, settings, "BTC", "0.5", COLD)
    assert await poll_afresh() == []  # approved: nothing on chain yet
    first = sim.chain.ledger.broadcast("bitcoin", SIM_WALLET, SIM_RESERVE_BTC, HALF)
    assert await poll_afresh() == ["broadcast"]
    assert await poll_afresh() == []
    second = sim.chain.ledger.replace_by_fee(first.txid)
    assert await poll_afresh() == ["replaced"]  # the new client never saw the original: matched by amount
    assert await poll_afresh() == []
    sim.chain.mine("bitcoin", 1)
    assert await poll_afresh() == ["confirming"]
    assert await poll_afresh() == []
    sim.chain.mine("bitcoin", 2)
    assert await poll_afresh() == ["settled"]
    async with Register.open(settings.register.path, operator="aliya") as register:
        done = await register.transfer(draft_id)
        assert (done.state, done.txid, done.replaced) == ("settled", second.txid, (first.txid,))
