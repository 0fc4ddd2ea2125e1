"""Proof of reserves in process: exact comparisons, named differences, a chain down named
while the others are still reported."""

from __future__ import annotations

from decimal import Decimal

import pytest

from desk.config import AddressSettings
from desk.money import BNB, KZTE, Amount
from desk.proof.chains import ChainReader
from desk.proof.proof import NoReserveAddresses, check_reserves
from desk.register import NewEntry, Posting
from desk.sim.esplora import SIM_RESERVE_BNB, SIM_RESERVE_BTC, SIM_RESERVE_SOL
from tests.builders import NOW


async def open_cold_btc(register, value: str) -> None:
    """Post an opening balance of `value` BTC to the cold reserve."""
    btc = register.asset("BTC")
    await register.post(
        NewEntry(
            kind="opening",
            ts=NOW,
            postings=(
                Posting("equity:opening", -Amount(btc, value)),
                Posting("assets:reserve:cold", Amount(btc, value)),
            ),
        )
    )


async def test_demo_reserve_equals_the_chain_exactly(sim, settings, register, http) -> None:
    report = await check_reserves(settings, register, ChainReader(settings, http))
    assert report.ok, report.failures()
    by_asset = {c.asset: c for c in report.checks}
    assert by_asset["BNB"].register == by_asset["BNB"].on_chain == Amount(BNB, "8000")
    assert by_asset["BNB"].on_chain.units == 8000 * 10**18
    assert by_asset["KZTE"].on_chain == Amount(KZTE, "250000")
    assert by_asset["BTC"].on_chain.units == 1_250_000_000
    assert set(report.heights) == {"bitcoin", "bsc", "solana"}
    # only reserve accounts are proven: the revenue wallet's address is not in the report
    assert all(c.account == "assets:reserve:cold" for c in report.checks)


async def test_one_wei_short_is_a_difference_naming_the_address(sim, settings, register, http) -> None:
    sim.chain.set_balance("bsc", SIM_RESERVE_BNB, 8000 * 10**18 - 1)
    report = await check_reserves(settings, register, ChainReader(settings, http))
    assert not report.ok
    (bnb,) = [c for c in report.checks if c.asset == "BNB"]
    assert bnb.difference == Amount(BNB, "-0.000000000000000001")
    (line,) = report.failures()
    assert SIM_RESERVE_BNB in line and "-0.000000000000000001" in line
    assert all(c.ok for c in report.checks if c.asset != "BNB")


async def test_register_ahead_of_chain_is_a_difference(sim, settings, register, http) -> None:
    await open_cold_btc(register, "0.5")
    report = await check_reserves(settings, register, ChainReader(settings, http))
    (check,) = [c for c in report.checks if c.asset == "BTC"]
    assert check.difference.value == Decimal("-0.5")
    assert SIM_RESERVE_BTC in report.failures()[0]


async def test_a_chain_down_is_named_and_the_others_still_reported(sim, settings, register, http) -> None:
    sim.faults.set("solana", "500")
    reader = ChainReader(settings, http)
    report = await check_reserves(settings, register, reader)
    now = http.clock.now()
    assert reader.health["solana"].state(now) == "degraded" and "HTTP 500" in reader.health["solana"].reason(now)
    assert reader.health["esplora"].state(now) == reader.health["bsc"].state(now) == "ok"
    assert not report.ok
    (kzte,) = [c for c in report.checks if c.asset == "KZTE"]
    assert kzte.on_chain is None and kzte.difference is None and not kzte.ok
    (failure,) = report.failures()
    assert "solana unreachable or failing" in failure and SIM_RESERVE_SOL in failure and "HTTP 500" in failure
    assert all(c.ok for c in report.checks if c.asset != "KZTE")


async def test_several_addresses_of_one_account_are_summed(sim, settings, register, http) -> None:
    second = "bc1qdesksimreserve0second000000000000000000"
    sim.chain.set_balance("bitcoin", second, 250_000_000)
    await open_cold_btc(register, "2.5")
    extra = AddressSettings(account="assets:reserve:cold", chain="bitcoin", asset="BTC", address=second)
    widened = settings.model_copy(update={"addresses": [*settings.addresses, extra]})
    report = await check_reserves(widened, register, ChainReader(widened, http))
    (check,) = [c for c in report.checks if c.asset == "BTC"]
    assert len(check.readings) == 2 and check.on_chain.units == 1_500_000_000 and check.ok


async def test_no_reserve_address_is_a_clear_error(settings, register, http) -> None:
    bare = settings.model_copy(update={"addresses": [a for a in settings.addresses if "wallet" in a.account]})
    with pytest.raises(NoReserveAddresses, match="assets:reserve"):
        await check_reserves(bare, register, ChainReader(bare, http))
