"""The reserve's value, composition, cost basis and unrealised gain on a real register,
checked against figures worked out by hand; the price consistency band; value over time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from desk.config import AddressSettings
from desk.money import BNB, BTC, USDT, Amount
from desk.register import NewEntry, Posting, Register
from desk.valuation import fifo
from desk.valuation.prices import PricePolicy
from desk.valuation.receipt import revalue, value_inflows
from desk.valuation.worth import reserve_report, value_series
from tests.valuation.conftest import FRI, earning, nbk, post, quote

T1 = datetime(2026, 11, 2, 8, tzinfo=UTC)
T2 = datetime(2026, 11, 3, 8, tzinfo=UTC)
T3 = datetime(2026, 11, 4, 8, tzinfo=UTC)


#: 5 BNB brought in with no BNB price anywhere in the history
UNPRICED_BNB = NewEntry(
    kind="opening",
    ts=T3,
    memo="opening BNB",
    postings=(Posting("equity:opening", -Amount(BNB, "5")), Posting("assets:reserve:cold", Amount(BNB, "5"))),
)


def moved(kind: str, at: datetime, *legs: tuple[str, str]) -> NewEntry:
    return NewEntry(kind=kind, ts=at, memo=kind, postings=tuple(Posting(a, Amount(BTC, v)) for a, v in legs))


@pytest.fixture
async def fund(register, settings):
    """Two earnings (1 BTC at $50,000, 1 BTC at $60,000), a 1.5 BTC payout with a 0.0001 fee,
    1.2 BTC into cold storage, 2 BTC seized into custody at $55,000; KZT 500 per USD."""
    await register.record_quotes(
        [
            nbk(2, "500"),
            quote("BTC", "USD", "50000", "coinbase", T1 - timedelta(minutes=1)),
            quote("BTC", "USD", "60000", "coinbase", T2 - timedelta(minutes=1)),
            quote("BTC", "USD", "55000", "coinbase", T3 - timedelta(minutes=1)),
            quote("BTC", "USD", "70000", "kraken", FRI - timedelta(minutes=1)),
            quote("BTC", "USDT", "70100", "binance", FRI - timedelta(minutes=2)),
        ]
    )
    await post(register, earning(1, "1", T1))
    await post(register, earning(2, "1", T2))
    await post(
        register,
        moved(
            "payout",
            T2 + timedelta(hours=1),
            ("assets:pool:f2main", "-1.5"),
            ("assets:wallet:ops", "1.4999"),
            ("expenses:fees", "0.0001"),
        ),
    )
    draft = await register.draft(
        moved("transfer", T2 + timedelta(hours=2), ("assets:wallet:ops", "-1.2"), ("assets:reserve:cold", "1.2"))
    )
    register.act_as("bek")
    await register.approve(draft)
    register.act_as("aliya")
    await post(register, moved("seizure", T3, ("income:seized:case-17", "-2"), ("assets:reserve:custody", "2")))
    await value_inflows(register, PricePolicy.from_settings(settings))
    addresses = [
        AddressSettings(
            account="assets:reserve:cold",
            chain="bitcoin",
            asset="BTC",
            address="bc1qdeskdemo0reserve0cold000000000000000000",
            custody="cold",
        ),
        AddressSettings(
            account="assets:reserve:custody",
            chain="bitcoin",
            asset="BTC",
            address="bc1qdeskdemo0reserve0cust000000000000000000",
            custody="custodian",
        ),
    ]
    return settings.model_copy(update={"addresses": addresses})


async def test_value_composition_cost_and_gain_by_hand(register, fund) -> None:
    report = await reserve_report(register, fund, FRI, list_lots=True)
    (btc,) = report.assets
    assert btc.amount == Amount(BTC, "3.2")
    # a USD market is at hand: kraken, not binance's USDT
    assert (btc.usd.value, btc.usd.currency, btc.usd.source) == (Decimal("224000.00000000"), "USD", "kraken BTC/USD")
    assert btc.kzt.value == Decimal(224_000) * 500 and btc.kzt.kzt_rate_date.isoformat() == "2026-11-02"
    assert (report.total_usd, report.total_kzt) == (Decimal(224_000), Decimal(112_000_000))
    # custody from [[addresses]]: 1.2 cold, 2 with the custodian
    assert [(s.label, s.usd, s.weight, s.percent) for s in report.by_custody] == [
        ("cold", Decimal(84_000), Decimal("0.375"), "37.50"),
        ("custodian", Decimal(140_000), Decimal("0.625"), "62.50"),
    ]
    assert [(s.label, s.percent) for s in report.by_source] == [("mined", "37.50"), ("seized", "62.50")]
    # cost: 0.9999 BTC of the first earning ($49,995) + 0.2001 of the second ($12,006) + 2 seized at $55,000
    assert btc.cost_usd == Decimal(172_001) and btc.cost_kzt == Decimal(86_000_500)
    assert (report.unrealised_usd, report.unrealised_kzt) == (Decimal(51_999), Decimal(25_999_500))
    assert [lot.entry_seq for lot in report.lots] == [1, 2, 5]
    assert report.weight_basis == "KZT" and not report.missing
    assert {f.kind for f in report.flags} == set()


async def test_two_sources_outside_the_band_are_flagged(register, fund) -> None:
    await register.record_quotes([quote("BTC", "USDT", "75000", "binance", FRI)])
    report = await reserve_report(register, fund, FRI)
    (flag,) = [f for f in report.flags if f.kind == "inconsistent"]
    assert "binance USDT 75000" in flag.message and "kraken USD 70000" in flag.message and "7.14%" in flag.message
    assert [p[0] for p in flag.prices] == ["binance BTC/USDT", "kraken BTC/USD"]
    wide = fund.model_copy(update={"valuation": fund.valuation.model_copy(update={"price_band": Decimal(10)})})
    assert not [f for f in (await reserve_report(register, wide, FRI)).flags if f.kind == "inconsistent"]


async def test_missing_and_stale_prices_are_flagged_not_zero(register, fund) -> None:
    empty = await reserve_report(register, fund, T1 - timedelta(hours=2))  # nothing held yet
    assert empty.assets == [] and empty.total_usd == 0 and not empty.flags
    stale = (await reserve_report(register, fund, T3 + timedelta(hours=5))).assets[0]
    assert stale.usd.stale and stale.usd.source == "coinbase BTC/USD"
    await post(register, UNPRICED_BNB)
    await value_inflows(register, PricePolicy.from_settings(fund))
    report = await reserve_report(register, fund, FRI)
    assert report.missing
    (figures,) = [f for f in report.assets if f.asset == "BNB"]
    assert figures.usd is None and figures.kzt is None and figures.amount == Amount(BNB, "5")
    assert {f.message for f in report.flags if f.kind == "missing"} == {
        f"no price for BNB in USD at {FRI.isoformat()}",
        f"no price for BNB in KZT at {FRI.isoformat()}",
    }
    assert any(f.kind == "unvalued inflows" for f in report.flags)
    assert report.total_usd == Decimal(224_000)  # the BTC only: BNB is flagged, not counted as zero
    weights = {s.label: s.weight for s in report.by_asset}
    assert report.weight_basis == "USD" and weights == {"BNB": None, "BTC": Decimal(1)}


async def test_value_over_time_day_by_day(register, fund) -> None:
    days = [datetime(2026, 11, d, tzinfo=UTC).date() for d in range(1, 7)]
    series = await value_series(register, fund, days)
    by_day = {d.day.day: d for d in series}
    assert by_day[1].usd == 0 and by_day[2].usd == 0  # the reserve got its first coins on the 3rd
    # 3rd: 1.2 BTC at coinbase's $60,000 of that morning, stale by the evening
    assert by_day[3].usd == Decimal(72_000) and by_day[3].stale
    assert by_day[4].usd == Decimal("3.2") * 55_000
    assert by_day[6].usd == Decimal("3.2") * 70_000 and by_day[6].kzt == by_day[6].usd * 500
    # the same figures as the one-moment report at each day's end
    for d in series:
        report = await reserve_report(
            register, fund, datetime.combine(d.day, datetime.max.time(), tzinfo=UTC), with_lots=False
        )
        assert report.total_usd == d.usd


async def fresh_lots(register: Register, settings, at: datetime) -> list[tuple]:
    """The reserve's lots replayed from scratch, in memory: nothing kept is used."""
    book = await fifo.replayed(register, PricePolicy.from_settings(settings), at)
    return [lot.facts() for lot in book.held()]


async def kept_lots(register: Register, settings, at: datetime) -> list[tuple]:
    return [lot.facts() for lot in await fifo.held(register, PricePolicy.from_settings(settings), at)]


async def test_lots_are_continued_not_replayed_and_equal_a_full_replay(register, fund) -> None:
    policy = PricePolicy.from_settings(fund)
    first = await fifo.advance(register, policy)
    assert first.replayed == 5 and first.rewound_from is None
    assert await kept_lots(register, fund, FRI) == await fresh_lots(register, fund, FRI)
    # a later inflow: continued from the lots kept, only the new entry replayed
    await post(
        register,
        moved("seizure", FRI + timedelta(hours=1), ("income:seized:case-17", "-1"), ("assets:reserve:custody", "1")),
    )
    later = FRI + timedelta(hours=2)
    continued = await fifo.advance(register, policy)
    assert (continued.replayed, continued.rewound_from) == (1, None)
    assert len(await kept_lots(register, fund, later)) == 4
    assert await kept_lots(register, fund, later) == await fresh_lots(register, fund, later)
    # entries dated in the past change FIFO order: rewound to the earlier one, the rest replayed
    await post(register, moved("fee", T2 + timedelta(hours=3), ("assets:wallet:ops", "-0.2"), ("expenses:fees", "0.2")))
    await post(
        register, moved("payout", T1 + timedelta(hours=1), ("assets:pool:f2main", "-0.5"), ("assets:wallet:ops", "0.5"))
    )
    rewound = await fifo.advance(register, policy)
    assert rewound.rewound_from is not None and rewound.rewound_from[0].startswith("2026-11-02T09:00")
    assert rewound.replayed == 7  # the payout, then every entry dated after it
    assert await kept_lots(register, fund, later) == await fresh_lots(register, fund, later)
    # a valuation corrected after the replay reaches the lots it costs
    (fixed,) = await revalue(register, 5, policy, reason="seizure valued at the wrong hour", at=T1)
    lots = await fifo.held(register, policy, later)
    assert [lot.facts() for lot in lots] == await fresh_lots(register, fund, later)
    assert [lot.cost_usd for lot in lots if lot.entry_seq == 5] == [fixed.usd]
    # and at a moment in the past, from the rows kept
    assert await kept_lots(register, fund, T2 + timedelta(hours=2)) == await fresh_lots(
        register, fund, T2 + timedelta(hours=2)
    )
    assert await fifo.check(register, policy) == []


async def test_usdt_priced_dollars_are_labelled_in_the_total(register, fund) -> None:
    bnb = NewEntry(
        kind="opening",
        ts=T3,
        memo="opening BNB",
        postings=(Posting("equity:opening", -Amount(BNB, "10")), Posting("assets:reserve:cold", Amount(BNB, "10"))),
    )
    await post(register, bnb)
    await register.record_quotes([quote("BNB", "USDT", "600", "binance", FRI - timedelta(minutes=1))])
    report = await reserve_report(register, fund, FRI)
    assert (report.total_usd, report.total_usdt) == (Decimal(230_000), Decimal(6_000))
    assert [f.message for f in report.flags if f.kind == "usdt"] == [
        "BNB is priced in USDT (binance BNB/USDT): dollars here are USDT"
    ]


async def test_a_purchase_is_a_purchased_lot_at_what_was_paid(register, fund) -> None:
    opening = NewEntry(
        kind="opening",
        ts=T1,
        memo="exchange float",
        postings=(
            Posting("equity:opening", -Amount(USDT, "70000")),
            Posting("assets:exchange:aix", Amount(USDT, "70000")),
        ),
    )
    await post(register, opening)
    purchase = NewEntry(
        kind="purchase",
        ts=T3 + timedelta(hours=1),
        memo="1 BTC for the reserve",
        price=Decimal(65_000),
        details={"exchange": "aix", "order_id": "o-1"},
        postings=(
            Posting("assets:exchange:aix", -Amount(USDT, "65000")),
            Posting("assets:reserve:cold", Amount(BTC, "1")),
        ),
    )
    draft = await register.draft(purchase)
    register.act_as("bek")
    await register.approve(draft)
    register.act_as("aliya")
    report = await reserve_report(register, fund, FRI, list_lots=True)
    assert [(s.label, s.percent) for s in report.by_source] == [
        ("mined", "28.57"),
        ("seized", "47.62"),
        ("purchased", "23.81"),
    ]
    (bought,) = [lot for lot in report.lots if lot.source == "purchased"]
    assert (bought.cost_usd, bought.cost_kzt, bought.usdt_priced) == (Decimal(65_000), Decimal(32_500_000), True)
    assert report.assets[0].cost_usd == Decimal(172_001 + 65_000)
