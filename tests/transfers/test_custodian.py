"""The demo's whole life: approved transfers handed to the simulated custodian (`[custody]
url`), which broadcasts them after its delay; the watch records the txid it names and the
chain takes it from there — including the custodian's faults (never confirms, replaced by
fee, double-spent)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from desk.config import DeskSettings
from desk.feeds.custody import custodian_client
from desk.feeds.http import HttpClient
from desk.proof.chains import ChainReader
from desk.proof.proof import check_reserves
from desk.register import Register
from desk.sim import SimCluster
from desk.transfers.watch import Poll, TransferWatch
from tests.transfers.conftest import approved

COLD = "assets:reserve:cold"
AMOUNTS = {"bitcoin": ("BTC", "0.25"), "bsc": ("BNB", "3.5"), "solana": ("KZTE", "1000.5")}


@pytest.fixture
def handing(settings: DeskSettings, register: Register, http: HttpClient, sim: SimCluster) -> TransferWatch:
    custodian = custodian_client(settings, http)
    assert custodian is not None
    return TransferWatch(settings, register, ChainReader(settings, http), sim.now, custodian)


async def until_state(
    watch: TransferWatch, register: Register, draft_id: int, state: str, step: Callable[[], object], limit: int = 60
) -> list[Poll]:
    """Poll, taking `step` (a block mined) between polls, until the transfer is in `state`."""
    polls = []
    for _ in range(limit):
        polls.append(await watch.poll())
        if (await register.transfer(draft_id)).state == state:
            return polls
        step()
    raise AssertionError(f"transfer #{draft_id} never became {state}: {(await register.transfer(draft_id)).state}")


@pytest.mark.parametrize("chain", list(AMOUNTS))
async def test_the_custodian_broadcasts_and_the_chain_settles(
    sim: SimCluster, settings: DeskSettings, register: Register, handing: TransferWatch, http, chain: str
) -> None:
    code, amount = AMOUNTS[chain]
    await handing.poll()
    draft_id = await approved(register, settings, code, amount, COLD)
    polled = await handing.poll()  # submitted: the custodian broadcasts after its delay
    assert polled.changes == [] and not polled.errors
    sim.advance(timedelta(seconds=3))
    polled = await handing.poll()
    assert [c.state for _, c in polled.changes] == ["broadcast"]
    assert "custodian" in polled.changes[0][1].note
    polls = await until_state(handing, register, draft_id, "settled", lambda: sim.chain.mine(chain, 1))
    assert not any(p.unrecorded for p in polls)
    states = [c.state for p in polls for _, c in p.changes]
    assert states[0] == "confirming" and states[-1] == "settled"
    assert len(sim.custodian.transfers) == 1  # resubmitted every poll, sent once
    report = await check_reserves(settings, register, ChainReader(settings, http))
    assert report.ok, report.failures()
    assert (await register.verify()).ok


async def test_custodian_faults(sim: SimCluster, settings: DeskSettings, register: Register, handing) -> None:
    await handing.poll()
    never = await approved(register, settings, "BTC", "0.1", COLD)
    bumped = await approved(register, settings, "BTC", "0.2", COLD)
    stolen = await approved(register, settings, "BTC", "0.3", COLD)
    sim.custodian.set_fault("never_confirms", str(never))
    sim.custodian.set_fault("replaced", str(bumped))
    sim.custodian.set_fault("double_spent", str(stolen))
    await handing.poll()
    sim.advance(timedelta(seconds=3))
    assert sorted(c.state for _, c in (await handing.poll()).changes) == ["broadcast"] * 3
    sim.chain.mine("bitcoin", 1)
    polled = await handing.poll()
    assert {(b.draft_id, c.state) for b, c in polled.changes} == {(bumped, "replaced"), (stolen, "failed")}
    (thief,) = polled.unrecorded
    assert thief.outflow and thief.movement.amount.value == (await register.transfer(stolen)).amount.value
    await until_state(handing, register, bumped, "settled", lambda: sim.chain.mine("bitcoin", 1))
    assert (await register.transfer(never)).state == "broadcast"
    sim.advance(timedelta(hours=6))
    polled = await handing.poll()
    assert [(b.draft_id, c.state) for b, c in polled.changes] == [(never, "expired")]
    assert (await register.verify()).ok
