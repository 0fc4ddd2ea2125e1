"""Exact money: round trips, rejections, and refusal to mix assets or touch float."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.money import (
    BNB,
    BTC,
    MAX_WHOLE_UNITS,
    USDT,
    Amount,
    Asset,
    AssetMismatch,
    MoneyError,
    parse_amount,
    to_decimal,
)

KZT = Asset("KZT", 2)
ASSETS = [BTC, BNB, KZT, USDT, Asset("USD", 2)]


@st.composite
def amounts(draw: st.DrawFn) -> Amount:
    asset = draw(st.sampled_from(ASSETS))
    units = draw(
        st.integers(
            min_value=-(MAX_WHOLE_UNITS * 10**asset.precision) + 1, max_value=MAX_WHOLE_UNITS * 10**asset.precision - 1
        )
    )
    return Amount.from_units(asset, units)


@given(amounts())
def test_parse_of_format_is_identity(amount: Amount) -> None:
    """What desk writes without grouping reads back exactly; grouped text (as the screen
    shows it) is refused, naming the ungrouped form, rather than guessed at."""
    assert parse_amount(amount.format(grouping=False), amount.asset, allow_negative=True) == amount
    grouped = amount.format()
    if "," in grouped:
        with pytest.raises(MoneyError, match=re.escape(repr(amount.format(grouping=False)))):
            parse_amount(grouped, amount.asset, allow_negative=True)


@given(amounts())
def test_units_round_trip_exactly(amount: Amount) -> None:
    assert Amount.from_units(amount.asset, amount.units) == amount


@given(amounts())
def test_the_fast_path_from_units_builds_what_the_checked_path_builds(amount: Amount) -> None:
    checked = Amount(amount.asset, amount.value)
    assert (amount.value, amount.units) == (checked.value, checked.units)
    assert amount.value.as_tuple() == checked.value.as_tuple()  # same exponent: formats and hashes alike
    assert hash(amount) == hash(checked)


@pytest.mark.parametrize("asset", ASSETS)
def test_units_beyond_the_cap_are_refused_by_from_units_and_by_a_sum(asset: Asset) -> None:
    top = MAX_WHOLE_UNITS * 10**asset.precision
    with pytest.raises(MoneyError, match="sane cap"):
        Amount.from_units(asset, top)
    with pytest.raises(MoneyError, match="sane cap"):
        Amount.from_units(asset, -top)
    almost = Amount.from_units(asset, top - 1)
    with pytest.raises(MoneyError, match="sane cap"):
        almost + Amount.from_units(asset, 1)


@given(amounts(), amounts())
def test_addition_is_exact_and_subtraction_undoes_it(a: Amount, b: Amount) -> None:
    if a.asset != b.asset:
        with pytest.raises(AssetMismatch):
            a + b
        return
    try:
        total = a + b
    except MoneyError:
        assert abs(a.value + b.value) >= MAX_WHOLE_UNITS
        return
    assert total.units == a.units + b.units
    assert total - b == a


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_a_float_is_a_type_error_everywhere(value: float) -> None:
    with pytest.raises(TypeError):
        Amount(BTC, value)
    with pytest.raises(TypeError):
        to_decimal(value)


def test_bool_is_not_money() -> None:
    with pytest.raises(TypeError):
        Amount(BTC, True)


def test_satoshi_units_are_exact() -> None:
    assert Amount.from_units(BTC, 4276540).format() == "0.04276540"
    assert Amount(BTC, "0.04410021").units == 4410021


def test_eighteen_decimals_beyond_64_bits_stay_exact() -> None:
    big = Amount(BNB, "8000.000000000000000001")
    assert big.units == 8000 * 10**18 + 1
    assert (big + big).units == 2 * (8000 * 10**18 + 1)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("NaN", "not a finite number"),
        ("inf", "not a finite number"),
        ("-Infinity", "not a finite number"),
        ("1e400", "exponent out of range"),
        ("0.000000001", "more decimals than BTC allows (8)"),
        ("-1", "negative"),
        ("1,23", "has a comma"),
        ("12,34.5", "has a comma"),
        ("1,234,5", "has a comma"),
        ("1,000.5", "without grouping"),
        ("1" * 65, "at most 64"),
        ("0." + "1" * 85, "at most 64"),
        ("١٢٣", "ASCII"),
        ("１２", "ASCII"),
        ("abc", "not a number"),
        ("1.2.3", "not a number"),
        ("100000000000000000000", "sane cap"),
        ("1e25", "sane cap"),
    ],
)
def test_bad_text_is_refused_with_a_clear_reason(text: str, needle: str) -> None:
    with pytest.raises(MoneyError) as info:
        parse_amount(text, BTC)
    assert needle in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234567.5", "1234567.5"),
        ("0.5", "0.5"),
        (".5", "0.5"),
        ("5.", "5"),
        ("1e-8", "0.00000001"),
        ("  42 ", "42"),
        ("+3", "3"),
    ],
)
def test_good_text_parses_exactly(text: str, expected: str) -> None:
    assert parse_amount(text, BTC).value == Decimal(expected)


@pytest.mark.parametrize("value", [Decimal("0." + "1" * 100), Decimal("1" + "0" * 85)])
def test_a_decimal_with_more_digits_than_the_context_is_refused_not_trapped(value: Decimal) -> None:
    with pytest.raises(MoneyError):
        Amount(BTC, value)


def test_trailing_zeros_beyond_the_context_are_still_exact() -> None:
    assert Amount(BTC, Decimal("0.5" + "0" * 90)).value == Decimal("0.5")


def test_negative_allowed_only_when_the_context_says_so() -> None:
    assert parse_amount("-1.5", KZT, allow_negative=True).value == Decimal("-1.5")


def test_formatting_groups_and_fixes_precision() -> None:
    assert Amount(KZT, "1234567.5").format() == "1,234,567.50"
    assert str(Amount(BTC, "1")) == "1.00000000 BTC"


def test_comparison_refuses_other_assets() -> None:
    with pytest.raises(AssetMismatch):
        assert Amount(BTC, 1) < Amount(KZT, 1)


def test_convert_rounds_to_the_target_precision() -> None:
    usd = Asset("USD", 2)
    assert Amount(BTC, "0.00586194").convert(Decimal("97123.45"), usd).value == Decimal("569.33")


@pytest.mark.parametrize(("code", "precision"), [("btc", 8), ("BTC", -1), ("BTC", 19), ("BTC", "8")])
def test_bad_assets_are_refused(code: str, precision: object) -> None:
    with pytest.raises(MoneyError):
        Asset(code, precision)  # type: ignore[arg-type]
