"""value_of: the price in force at the time, from the recorded source; KZT through the official
rate of that business date; USDT labelled; stale flagged; missing raises, never zero."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from desk.money import BNB, BTC, KZTE, USDT, Amount
from desk.valuation.prices import PriceBook, PriceMissing, PricePolicy, value_in, value_of
from tests.valuation.conftest import FRI, nbk, quote


async def test_usd_market_preferred_over_usdt_and_named(register) -> None:
    await register.record_quotes(
        [
            quote("BTC", "USDT", "60100", "binance", FRI - timedelta(minutes=1)),
            quote("BTC", "USD", "60000", "coinbase", FRI - timedelta(minutes=5)),
        ]
    )
    v = await value_of(register, Amount(BTC, "0.5"), FRI, "USD")
    assert (v.currency, v.value, v.price, v.source) == (
        "USD",
        Decimal("30000.00000000"),
        Decimal(60000),
        "coinbase BTC/USD",
    )
    assert v.source_time == FRI - timedelta(minutes=5) and not v.stale


async def test_price_in_force_then_not_now(register) -> None:
    await register.record_quotes(
        [
            quote("BTC", "USD", "50000", "kraken", FRI - timedelta(days=1, minutes=2)),
            quote("BTC", "USD", "70000", "kraken", FRI),
        ]
    )
    then = await value_of(register, Amount(BTC, "1"), FRI - timedelta(days=1), "USD")
    assert then.price == Decimal(50000)
    now = await value_of(register, Amount(BTC, "1"), FRI, "USD")
    assert now.price == Decimal(70000)


async def test_only_usdt_market_is_labelled_usdt(register) -> None:
    await register.record_quotes([quote("BNB", "USDT", "600.5", "binance", FRI)])
    v = await value_of(register, Amount(BNB, "2"), FRI, "USD")
    assert v.currency == "USDT" and v.value == Decimal("1201.0") and v.source == "binance BNB/USDT"


async def test_kzt_is_usd_times_the_official_rate_of_that_business_date(register) -> None:
    await register.record_quotes(
        [
            nbk(5, "480.10"),
            nbk(6, "481.25"),
            quote("BTC", "USD", "60000", "coinbase", FRI - timedelta(minutes=1)),
        ]
    )
    v = await value_of(register, Amount(BTC, "0.1"), FRI, "KZT")
    assert v.kzt_rate == Decimal("481.25") and v.kzt_rate_date == date(2026, 11, 6)
    assert v.value == Decimal("0.1") * Decimal(60000) * Decimal("481.25")
    assert v.currency == "KZT" and "nbk" in v.source and not v.stale


async def test_weekend_uses_the_last_published_rate(register) -> None:
    saturday = datetime(2026, 11, 7, 12, tzinfo=UTC)
    await register.record_quotes([nbk(6, "481.25"), quote("BTC", "USD", "60000", "kraken", saturday)])
    v = await value_of(register, Amount(BTC, "1"), saturday, "KZT")
    assert v.kzt_rate_date == date(2026, 11, 6) and v.kzt_rate == Decimal("481.25")
    assert v.value == Decimal("28875000.00000000")


async def test_business_date_is_almaty_not_utc(register) -> None:
    # 20:00 UTC on the 5th is already the 6th in Almaty: the 6th's rate is in force
    await register.record_quotes([nbk(5, "480"), nbk(6, "490")])
    late = datetime(2026, 11, 5, 20, tzinfo=UTC)
    v = await value_of(register, Amount(USDT, "10"), late, "KZT")
    assert v.kzt_rate_date == date(2026, 11, 6) and v.value == Decimal("4900.000000")
    assert "USDT at par" in v.source


async def test_stale_price_flagged_not_hidden(register) -> None:
    await register.record_quotes([quote("BTC", "USD", "60000", "coinbase", FRI - timedelta(hours=3))])
    v = await value_of(register, Amount(BTC, "1"), FRI, "USD")
    assert v.stale and v.value == Decimal(60000)


async def test_fresh_usdt_beats_stale_usd(register) -> None:
    await register.record_quotes(
        [
            quote("BTC", "USD", "60000", "coinbase", FRI - timedelta(hours=3)),
            quote("BTC", "USDT", "61000", "binance", FRI - timedelta(minutes=1)),
        ]
    )
    v = await value_of(register, Amount(BTC, "1"), FRI, "USD")
    assert v.currency == "USDT" and not v.stale


async def test_missing_price_raises_naming_asset_currency_time(register) -> None:
    with pytest.raises(PriceMissing) as caught:
        await value_of(register, Amount(BTC, "1"), FRI, "USD")
    assert caught.value.asset == "BTC" and caught.value.currency == "USD" and caught.value.at == FRI
    assert "BTC" in str(caught.value) and "2026-11-06" in str(caught.value)
    await register.record_quotes([quote("BTC", "USD", "60000", "coinbase", FRI)])
    with pytest.raises(PriceMissing, match="USD/KZT"):
        await value_of(register, Amount(BTC, "1"), FRI, "KZT")


async def test_future_quote_is_not_used(register) -> None:
    await register.record_quotes([quote("BTC", "USD", "60000", "coinbase", FRI + timedelta(seconds=1))])
    with pytest.raises(PriceMissing):
        await value_of(register, Amount(BTC, "1"), FRI, "USD")


async def test_kzte_at_its_peg(register) -> None:
    await register.record_quotes([nbk(6, "500")])
    policy = PricePolicy(kzte_peg=Decimal("0.998"))
    kzt = await value_of(register, Amount(KZTE, "250000"), FRI, "KZT", policy=policy)
    assert kzt.value == Decimal("249500.00000") and kzt.source == "peg"
    usd = await value_of(register, Amount(KZTE, "250000"), FRI, "USD", policy=policy)
    assert usd.currency == "USD" and usd.value == Decimal("499.000000000000000000")


def test_price_book_answers_as_the_register_does() -> None:
    book = PriceBook(
        [
            quote("BTC", "USD", "1", "a", FRI - timedelta(hours=2)),
            quote("BTC", "USD", "2", "a", FRI),
            quote("BTC", "USD", "3", "b", FRI - timedelta(minutes=1)),
        ]
    )
    assert [q.price for q in book.latest("BTC", "USD", FRI - timedelta(seconds=30))] == [Decimal(1), Decimal(3)]
    v = value_in(book, Amount(BTC, "1"), FRI, "USD", PricePolicy())
    assert v.price == Decimal(2) and v.source == "a BTC/USD"
    assert book.latest("BTC", "USD", FRI - timedelta(days=1)) == []
