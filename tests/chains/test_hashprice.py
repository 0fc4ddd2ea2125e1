"""Hashprice: the issue's test vector, the subsidy schedule, exact rounding, and the report
against the simulator's chain and a register with pool earnings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from desk.feeds.chains.esplora import EsploraClient
from desk.feeds.chains.subsidy import subsidy_sats
from desk.mining.hashprice import (
    HashpriceUnavailable,
    estimated_height,
    expected_btc_per_ph_day,
    expected_sats_per_ph_day,
    hashprice_report,
    round_fraction,
)
from desk.money import BTC, Amount
from desk.register import NewEntry, Posting
from tests.builders import NOW


def test_the_issue_vector() -> None:
    assert expected_btc_per_ph_day(Decimal(21_448_277_761_059), 625_000_000) == Amount(BTC, "0.00586194")


def test_fees_add_to_the_subsidy() -> None:
    no_fees = expected_sats_per_ph_day(Decimal(21_448_277_761_059), 625_000_000)
    with_fees = expected_sats_per_ph_day(Decimal(21_448_277_761_059), 625_000_000, Fraction(625_000_000))
    assert with_fees == 2 * no_fees


@pytest.mark.parametrize(
    ("height", "sats"),
    [
        (0, 5_000_000_000),
        (209_999, 5_000_000_000),
        (210_000, 2_500_000_000),
        (630_000, 625_000_000),
        (839_999, 625_000_000),
        (840_000, 312_500_000),
        (1_050_000, 156_250_000),
        (210_000 * 33, 0),  # 50 BTC >> 33 is below a satoshi
        (210_000 * 64, 0),
    ],
)
def test_subsidy_by_height(height: int, sats: int) -> None:
    assert subsidy_sats(height) == sats


def test_negative_height_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        subsidy_sats(-1)


def test_rounding_is_half_even_and_exact() -> None:
    assert round_fraction(Fraction(5, 10**9), 8) == Decimal("0.00000000")  # 0.000000005 -> even 0
    assert round_fraction(Fraction(15, 10**9), 8) == Decimal("0.00000002")
    assert round_fraction(Fraction(1, 3), 8) == Decimal("0.33333333")
    assert round_fraction(Fraction(2, 3), 8) == Decimal("0.66666667")


def test_height_estimate_knows_the_subsidy_era() -> None:
    assert subsidy_sats(estimated_height(datetime(2026, 11, 24, tzinfo=UTC))) == 312_500_000
    assert estimated_height(datetime(2024, 4, 20, 0, 9, 27, tzinfo=UTC)) == 840_000


@dataclass
class FakeValued:
    currency: str
    value: Decimal
    price: Decimal
    source: str
    source_time: datetime
    stale: bool = False


async def fixed_prices(register, amount: Amount, at: datetime, currency: str) -> FakeValued:
    price = {"USD": Decimal(90_000), "KZT": Decimal(45_000_000)}[currency]
    return FakeValued(currency, amount.value * price, price, "test", at)


async def post_pool_earnings(register, pool: str, per_day_sats: int, days: int) -> None:
    btc = register.asset("BTC")
    for offset in range(1, days + 1):
        day = NOW.date() - timedelta(days=offset)
        amount = Amount.from_units(btc, per_day_sats)
        await register.post(
            NewEntry(
                kind="earning",
                ts=datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12),
                postings=(Posting(f"income:mining:{pool}", -amount), Posting(f"assets:pool:{pool}", amount)),
            )
        )


async def test_report_from_the_simulated_chain(sim, settings, register, http) -> None:
    settings = settings.model_copy(update={"mining": settings.mining.model_copy(update={"hashrate_ph": Decimal(10)})})
    await post_pool_earnings(register, "braiins", 5_000_000, 7)
    esplora = EsploraClient(sim.urls["esplora"], http)
    report = await hashprice_report(settings, register, esplora, NOW, value_of=fixed_prices)
    tip = sim.chain.tip_height()
    fees = sum(sim.chain.fees_sats(h) for h in range(tip - 143, tip + 1))
    exact = expected_sats_per_ph_day(sim.chain.difficulty(tip), subsidy_sats(tip), Fraction(fees, 144))
    assert report.exact_sats == exact and report.height == tip and report.fee_blocks == 144
    assert report.expected.value == round_fraction(exact / 10**8, 8)
    assert report.sats_per_th_day == Decimal(report.expected.units) / 1000
    assert report.difficulty.source.startswith("esplora") and report.difficulty.age(NOW) < timedelta(minutes=20)
    usd = report.priced[0]
    assert usd.currency == "USD" and usd.value == report.expected.value * 90_000
    # realised: 0.05 BTC a day over 10 PH/s = 0.005 BTC per PH/s per day
    assert report.realised == Amount(BTC, "0.005") and report.realised_days == 7
    assert report.realisation == round_fraction(Fraction(500_000) / exact, 4)
    assert [d for d, _ in report.daily_mined] == [NOW.date() - timedelta(days=n) for n in range(7, 0, -1)]


async def test_configuration_replaces_esplora_and_a_missing_price_is_flagged(settings, register) -> None:
    mining = settings.mining.model_copy(
        update={"difficulty": Decimal(21_448_277_761_059), "fees_per_block_btc": Decimal(0)}
    )
    settings = settings.model_copy(update={"mining": mining})
    at = datetime(2022, 1, 1, tzinfo=UTC)  # the 6.25 BTC era, by the clock
    report = await hashprice_report(settings, register, None, at)
    assert report.expected == Amount(BTC, "0.00586194")
    assert report.height_source == "estimated from the clock" and report.difficulty.age(at) is None
    assert all(p.value is None and p.missing for p in report.priced)  # no quotes: flagged, never zero
    assert report.realised is None and "no pool earnings" in report.realised_note


async def test_without_hashrate_realised_says_what_to_set(sim, settings, register, http) -> None:
    await post_pool_earnings(register, "braiins", 1_000, 2)
    report = await hashprice_report(
        settings, register, EsploraClient(sim.urls["esplora"], http), NOW, value_of=fixed_prices
    )
    assert report.realised is None and "hashrate_ph" in report.realised_note
    assert len(report.daily_mined) == 2


async def test_esplora_down_without_overrides_is_unavailable(sim, settings, register, http) -> None:
    sim.faults.set("esplora", "500")
    with pytest.raises(HashpriceUnavailable, match="difficulty or a reachable Esplora"):
        await hashprice_report(settings, register, EsploraClient(sim.urls["esplora"], http), NOW)


async def test_realised_uses_the_pools_own_hashrate_per_day(sim, settings, register, http) -> None:
    await post_pool_earnings(register, "braiins", 5_000_000, 7)
    await post_pool_earnings(register, "f2main", 2_000_000, 7)
    for offset in range(1, 8):
        day = NOW.date() - timedelta(days=offset)
        # Braiins said 6 PH/s (in Gh/s), F2Pool 4 PH/s (in H/s): the fleet ran 10 PH/s
        await register.record_pool_days("braiins", [(day, Decimal(6 * 10**15), "day", "braiins profile")], {})
        await register.record_pool_days("f2main", [(day, Decimal(4 * 10**15), "day", "f2pool revenue")], {})
    report = await hashprice_report(
        settings, register, EsploraClient(sim.urls["esplora"], http), NOW, value_of=fixed_prices
    )
    # 0.07 BTC a day over 10 PH/s = 0.007 BTC per PH/s per day; no [mining] hashrate_ph configured
    assert settings.mining.hashrate_ph is None
    assert report.realised == Amount(BTC, "0.007") and report.realised_days == 7
    assert report.hashrate_ph == Decimal(10) and report.hashrate_source == "the pools' own figures"
    assert report.as_json()["hashrate_source"] == "the pools' own figures"


async def test_the_configured_hashrate_is_the_fallback_and_says_so(sim, settings, register, http) -> None:
    settings = settings.model_copy(update={"mining": settings.mining.model_copy(update={"hashrate_ph": Decimal(20)})})
    await post_pool_earnings(register, "braiins", 10_000_000, 4)
    for offset in (1, 2):  # the pool's own figure for the last two days only: 5 PH/s
        day = NOW.date() - timedelta(days=offset)
        await register.record_pool_days("braiins", [(day, Decimal(5 * 10**15), "day", "braiins profile")], {})
    esplora = EsploraClient(sim.urls["esplora"], http)
    report = await hashprice_report(settings, register, esplora, NOW, value_of=fixed_prices)
    # 0.4 BTC over 2 x 5 + 2 x 20 = 50 PH-days = 0.008 BTC per PH/s per day
    assert report.realised == Amount(BTC, "0.008") and report.realised_days == 4
    assert report.hashrate_source == "the pools' own figures for 2 days, [mining] hashrate_ph (fallback) for 2"
    # a snapshot is a day's figure too when nothing better came (OCEAN gives no daily figure)
    snapshot = (NOW.date() - timedelta(days=3), Decimal(5 * 10**15), "snapshot", "ocean statsnap")
    await register.record_pool_days("braiins", [snapshot], {})
    report = await hashprice_report(settings, register, esplora, NOW, value_of=fixed_prices)
    assert report.hashrate_source == "the pools' own figures for 3 days, [mining] hashrate_ph (fallback) for 1"
    without = settings.model_copy(update={"mining": settings.mining.model_copy(update={"hashrate_ph": None})})
    report = await hashprice_report(without, register, esplora, NOW, value_of=fixed_prices)
    assert report.realised_days == 3 and report.realised == Amount(BTC, "0.02")  # 0.3 BTC / 15 PH-days
    assert report.hashrate_source == "the pools' own figures; 1 day without a hashrate left out"


async def test_the_sync_keeps_each_pools_hashrate_per_day(sim, settings, register, http) -> None:
    from desk.sync import SyncEngine

    await SyncEngine(settings, register, http).run_once()
    days = await register.pool_days(NOW.date() - timedelta(days=2), NOW.date())
    found = {(d.pool, d.day): (d.hashrate_hs, d.basis) for d in days if d.hashrate_hs is not None}
    rate = Decimal(sim.model.pools["braiins"].hashrate_phs * 10**15)
    yesterday = NOW.date() - timedelta(days=1)
    assert found[("braiins", yesterday)] == (rate, "day")  # the profile's hash_rate_yesterday, from Gh/s
    assert found[("f2main", yesterday)] == (rate, "day")  # the revenue row's mining_extra.hash_rate
    assert found[("foundry", yesterday)] == (rate, "day")
    for pool in ("braiins", "f2main", "foundry", "ocean"):
        assert found[(pool, NOW.date())] == (rate, "snapshot"), pool
