"""A purchase drafted at a price far from the market is warned about, and its draft shows
both legs: what is bought and what is paid (it showed from = to = the exchange and hid the USDT)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from desk.config import DeskSettings
from desk.operations.acquisition import acquisition_entry, legs_text, purchase_price_warning
from desk.register import Quote, Register

AT = datetime(2026, 11, 20, 12, tzinfo=UTC)


def _purchase(register: Register, price: str) -> object:
    values = {
        "exchange": "aix",
        "order_id": "ord-7",
        "asset": "BTC",
        "amount": "0.25",
        "price": price,
        "pay": "USDT",
        "into": "",
        "memo": "",
    }
    return acquisition_entry(register, "purchase", values, AT)


async def test_a_price_14_percent_above_the_market_is_warned_about(register: Register, settings: DeskSettings) -> None:
    await register.record_quotes([Quote("BTC", "USDT", Decimal("97412.35"), "binance", AT, AT)])
    far = _purchase(register, "111050")  # 14 % above binance's 97,412.35
    warning = await purchase_price_warning(register, settings, far)
    assert warning is not None
    assert "14.0 % above the market" in str(warning) and "binance BTC/USDT" in str(warning)
    near = _purchase(register, "98000")
    assert await purchase_price_warning(register, settings, near) is None


async def test_the_band_is_the_configured_one(register: Register, settings: DeskSettings) -> None:
    await register.record_quotes([Quote("BTC", "USDT", Decimal("100000"), "binance", AT, AT)])
    three_below = _purchase(register, "97000")
    assert settings.valuation.purchase_band == Decimal(5)  # the default
    assert await purchase_price_warning(register, settings, three_below) is None
    tight = settings.model_copy(update={"valuation": settings.valuation.model_copy(update={"purchase_band": 2})})
    warning = await purchase_price_warning(register, tight, three_below)
    assert warning is not None and "3.0 % below the market" in str(warning)


async def test_no_market_for_the_pair_means_no_warning(register: Register, settings: DeskSettings) -> None:
    assert await purchase_price_warning(register, settings, _purchase(register, "1")) is None


def test_a_purchase_draft_shows_both_legs(register: Register) -> None:
    entry = _purchase(register, "97412.35")
    assert legs_text(entry) == "0.25000000 BTC for 24,353.087500 USDT"
