"""The faces over real processes: `desk sync --once` raises an unrecorded outflow and an
unrecorded deposit as alerts in its JSON log within one poll; `desk transfer`, `desk approve`,
`desk broadcast` and `desk transfers` carry a transfer through its life with `desk verify`,
`desk reserves` and `desk value` holding at every state."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desk.cli.demo_cmds import write_config
from desk.config import DeskSettings
from desk.sim import SimCluster
from desk.sim.esplora import SIM_RESERVE_BNB, SIM_RESERVE_BTC, SIM_WALLET
from tests.builders import run_desk


@pytest.fixture
def config(config: Path) -> Path:
    """The simulator's config without its pools (these tests are about chains: a one-shot sync
    then reads the chains and prices alone) and without its custodian."""
    import tomllib

    data = tomllib.loads(config.read_text())
    data.pop("pools")
    data.pop("custody")  # the operator records the broadcast by hand here
    return write_config(config, data)


def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


async def desk(config: Path, *args: str, operator: str = "aliya") -> tuple[int, str, str]:
    os.environ["DESK_OPERATOR__NAME"] = operator
    try:
        return await run_desk(config, *args)
    finally:
        os.environ.pop("DESK_OPERATOR__NAME", None)


async def test_unrecorded_outflow_and_deposit_are_alerts_within_one_poll(
    sim: SimCluster, settings: DeskSettings, config: Path
) -> None:
    code, _, err = await desk(config, "sync", "--once", "--json")
    assert code in (0, 1), err  # the watch begins: the chain's history is not news
    out_tx = sim.chain.unrecorded("outflow", "bitcoin", SIM_RESERVE_BTC, 30_000_000)
    in_tx = sim.chain.unrecorded("deposit", "bsc", SIM_RESERVE_BNB, 2 * 10**18)
    sim.chain.mine("bsc", 1)  # a BSC node lists no address's mempool: the deposit is seen once mined
    code, out, err = await desk(config, "sync", "--once", "--json")
    alerts = [r for r in lines(out) if r["event"] == "alert" and r["rule"] == "unrecorded_movement"]
    messages = sorted(a["message"] for a in alerts)
    assert len(messages) == 2, (out, err)
    assert messages[0].startswith(f"unrecorded deposit to assets:reserve:cold: 2.000000000000000000 BNB in tx {in_tx}")
    assert messages[1].startswith(f"unrecorded outflow from assets:reserve:cold: 0.30000000 BTC in tx {out_tx}")
    assert all(a["level"] == "critical" for a in alerts)
    (watched,) = [r for r in lines(out) if r["event"] == "chain_watch"]
    assert len(watched["unrecorded"]) == 2


@pytest.mark.slow
async def test_a_transfer_through_its_life_from_the_command_line(
    sim: SimCluster, settings: DeskSettings, config: Path
) -> None:
    await desk(config, "sync", "--once", "--json")
    code, out, err = await desk(
        config, "transfer", "--from", "assets:wallet:ops", "--to", "assets:reserve:cold", "--asset", "BTC",
        "--amount", "0.3",
    )  # fmt: skip
    assert code == 0, err
    assert "assets:transit:bitcoin" in out and "3 confirmations" in out
    draft = out.split("#")[1].split(":")[0]
    code, out, err = await desk(config, "approve", draft, operator="bek")
    assert code == 0, err

    async def state(*, deep: bool = False) -> dict:
        """The transfer as `desk transfers` shows it, with verify and the proof holding (and,
        `deep`, the FIFO lots equal to a replay and the monthly report built)."""
        code, out, err = await desk(config, "transfers", "--json", "--state", "all")
        assert code == 0, err
        (found,) = json.loads(out)
        month = f"{datetime.now(UTC):%Y-%m}"
        checks = [("verify",), ("reserves",)]
        checks += [("value", "--check"), ("report", "--month", month, "--format", "csv")] if deep else []
        for command in checks:
            code, shown, err = await desk(config, *command)
            assert code == 0, (command, shown, err)
        return found

    assert (await state())["state"] == "approved"
    tx = sim.chain.ledger.broadcast("bitcoin", SIM_WALLET, SIM_RESERVE_BTC, 30_000_000)
    code, out, err = await desk(config, "broadcast", draft, "--txid", tx.txid.upper(), "--fee", "0.000015")
    assert code == 0, err
    now = await state()
    assert (now["state"], now["txid"], now["fee"]) == ("broadcast", tx.txid, "0.00001500")
    code, out, err = await desk(config, "broadcast", draft, "--txid", "nothex")
    assert code == 4 and "is not a bitcoin tx id" in err
    sim.chain.mine("bitcoin", 1)
    await desk(config, "sync", "--once", "--json")
    assert ((now := await state(deep=True))["state"], now["confirmations"]) == ("confirming", 1)
    sim.chain.mine("bitcoin", 2)
    code, out, err = await desk(config, "sync", "--once", "--json")
    changes = [r for r in lines(out) if r["event"] == "transfer"]
    assert [(c["before"], c["state"]) for c in changes] == [("confirming", "settled")]
    assert not [r for r in lines(out) if r["event"] == "alert" and r["rule"] == "unrecorded_movement"]
    assert (await state(deep=True))["state"] == "settled"
    code, out, err = await desk(config, "transfers")
    assert code == 0 and "no on-chain transfers in flight" in out
