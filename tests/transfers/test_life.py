"""The full life of a BTC, a BNB and a KZTE transfer over real sockets against the simulator:
approved → broadcast → confirming → settled, with the proof of reserves holding, the book
exact and `desk verify` OK at every state."""

from __future__ import annotations

import pytest

from desk.config import DeskSettings
from desk.money import Amount
from desk.proof.chains import ChainReader
from desk.proof.proof import check_reserves
from desk.register import Register
from desk.sim import SimCluster
from desk.sim.esplora import SIM_RESERVE_BNB, SIM_RESERVE_BTC, SIM_RESERVE_SOL, SIM_WALLET
from desk.transfers.broadcast import record_broadcast
from desk.transfers.watch import TransferWatch
from tests.transfers.conftest import OPS_BNB, OPS_SOL, approved

COLD = "assets:reserve:cold"
#: chain, source address, reserve address, asset, amount, base units per unit, confirmations
CASES = [
    ("bitcoin", SIM_WALLET, SIM_RESERVE_BTC, "BTC", "0.5", 10**8, 3),
    ("bsc", OPS_BNB, SIM_RESERVE_BNB, "BNB", "12.5", 10**18, 15),
    ("solana", OPS_SOL, SIM_RESERVE_SOL, "KZTE", "25000.25", 10**6, 32),
]


async def holding(register: Register, account: str, code: str) -> Amount:
    return await register.balance(account, code)


async def proof_holds(settings: DeskSettings, register: Register, http) -> None:
    report = await check_reserves(settings, register, ChainReader(settings, http))
    assert report.ok, report.failures()


@pytest.mark.parametrize(("chain", "source", "reserve", "code", "amount", "per", "depth"), CASES, ids=lambda c: c)
async def test_full_life_settles_into_the_reserve(
    sim: SimCluster,
    settings: DeskSettings,
    register: Register,
    watch: TransferWatch,
    http,
    chain: str,
    source: str,
    reserve: str,
    code: str,
    amount: str,
    per: int,
    depth: int,
) -> None:
    asset = register.asset(code)
    moved = Amount(asset, amount)
    before_cold = await holding(register, COLD, code)
    before_ops = await holding(register, "assets:wallet:ops", code)
    await watch.poll()  # the watch begins: what the chain held before is history
    draft_id = await approved(register, settings, code, amount, COLD)
    (transfer,) = await register.transfers()
    assert transfer.state == "approved" and transfer.chain == chain
    assert await holding(register, f"assets:transit:{chain}", code) == moved
    assert await holding(register, "assets:wallet:ops", code) == before_ops - moved
    await proof_holds(settings, register, http)
    assert (await register.verify()).ok

    tx = sim.chain.ledger.broadcast(chain, source, reserve, int(moved.value * per))  # the custodian's broadcast
    if chain == "bitcoin":  # Esplora lists an address's mempool: the watch matches it by address and amount
        polled = await watch.poll()
        assert [c.state for _, c in polled.changes] == ["broadcast"] and not polled.unrecorded
    else:  # a BSC or Solana node lists no mempool: the operator records the txid (`desk broadcast`)
        await record_broadcast(register, draft_id, tx.txid)
        polled = await watch.poll()
        assert polled.changes == [] and not polled.unrecorded
    assert (await register.transfer(draft_id)).txid == tx.txid
    await proof_holds(settings, register, http)

    sim.chain.mine(chain, 1)
    polled = await watch.poll()
    assert [(c.state, c.confirmations) for _, c in polled.changes] == [("confirming", 1)]
    assert await holding(register, COLD, code) == before_cold  # not settled yet: still in transit
    await proof_holds(settings, register, http)  # the chain is ahead by the amount in flight
    assert (await register.verify()).ok

    sim.chain.mine(chain, depth - 1)
    polled = await watch.poll()
    assert [c.state for _, c in polled.changes] == ["settled"] and not polled.unrecorded
    done = await register.transfer(draft_id)
    assert done.state == "settled" and done.confirmations >= depth
    assert await holding(register, COLD, code) == before_cold + moved
    assert (await holding(register, f"assets:transit:{chain}", code)).units == 0
    fee = done.fee.units if done.fee else 0
    assert (await holding(register, "assets:wallet:ops", code)).units == (before_ops - moved).units - fee
    if chain != "solana":
        assert fee > 0 and await holding(register, "expenses:fees", code) == done.fee
    await proof_holds(settings, register, http)
    assert (await register.verify()).ok
    assert (await watch.poll()).changes == []  # nothing more happens
