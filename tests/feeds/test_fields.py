"""The rules every recorded field keeps: tx ids, addresses in their chain's alphabet, ids of
printable ASCII, valid UTF-8 without control characters, and a payout's fee within it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from desk.feeds.errors import FeedError, Malformed
from desk.feeds.fields import address, external_id, tx_id
from desk.feeds.parsing import price
from desk.feeds.records import Payout
from desk.money import BTC, Amount
from tests.builders import NOW


def test_tx_ids_are_64_hex_digits_kept_in_lower_case() -> None:
    assert tx_id("AB" * 32, "x") == "ab" * 32
    for bad in ("ab" * 31, "zz" * 32, "ab" * 32 + " ", "ab" * 31 + "\udcff\udcfe", 12, None):
        with pytest.raises(Malformed, match=r"^x: "):
            tx_id(bad, "x")


def test_addresses_keep_their_chains_alphabet() -> None:
    for good in (
        "bc1qdeskdemo0hotwallet0000000000000000000000",
        "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ",
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
        "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
    ):
        assert address(good, "x") == good
    for bad in (
        "bc1qDESKdemo0hotwallet000",
        "bc1q desk",
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN0",
        "bc1\udcffqdeskdemo00",
        "ops@example.invalid",
    ):
        with pytest.raises(Malformed, match=r"^x: "):
            address(bad, "x")
    assert address("ops@example.invalid", "x", rail="lightning") == "ops@example.invalid"
    assert address("lnbc2500u1pdeskdemo", "x", rail="lightning") == "lnbc2500u1pdeskdemo"
    with pytest.raises(Malformed, match="not a Lightning destination"):
        address("ops @example.invalid", "x", rail="lightning")


def test_external_ids_are_printable_ascii_without_spaces() -> None:
    assert external_id("payout:2026-11-22T06:00:01+00:00", "x")
    for bad in ("tx:9 1", "tx:\x1b[31m", "tx:\u0418", "", "a" * 129, "tx:\udcff"):
        with pytest.raises(Malformed, match=r"^x: "):
            external_id(bad, "x")


def test_a_payout_refuses_to_exist_with_a_fee_over_its_amount() -> None:
    def payout(amount: int, fee: int) -> Payout:
        return Payout(
            "bp",
            "onchain:1",
            Amount.from_units(BTC, amount),
            Amount.from_units(BTC, fee),
            "bc1qdeskdemo0hotwallet0000000000000000000000",
            "ab" * 32,
            "confirmed",
            "onchain",
            NOW,
        )

    assert payout(1000, 1000).fee.units == 1000
    with pytest.raises(FeedError, match=r"payout fee: 0.00001001 BTC is more than the payout itself"):
        payout(1000, 1001)


def test_a_price_is_a_number_above_zero_named_by_its_field() -> None:
    """One rule for every exchange's quote (Binance, its stream, Coinbase, Kraken)."""
    assert price("65000.10", "x.price") == Decimal("65000.10") and price(3, "x") == 3
    for bad, why in (("0", "0 is not a positive price"), ("-3", "-3 is not a positive price"), ("", "missing number")):
        with pytest.raises(Malformed, match=rf"^x\.price: {why}"):
            price(bad, "x.price")
