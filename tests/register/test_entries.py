"""Entries keep the rules, and a refused entry writes nothing."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desk.money import BNB, BTC, USDT, Amount, Asset
from desk.register import EntryRejected, NewEntry, Posting, Register
from tests.register.conftest import T0, earning


async def snapshot(reg: Register) -> tuple:
    return (await reg.count(), await reg.balances(), await reg.head())


@pytest.mark.parametrize(
    ("entry", "needle"),
    [
        (
            dataclasses.replace(
                earning(1),
                postings=(
                    Posting("income:mining:f2main", Amount(BTC, "-0.01")),
                    Posting("assets:pool:f2main", Amount(BTC, "0.02")),
                ),
            ),
            "do not sum to zero",
        ),
        (
            dataclasses.replace(
                earning(1),
                postings=(
                    Posting("income:mining:nowhere", Amount(BTC, "-0.01")),
                    Posting("assets:pool:f2main", Amount(BTC, "0.01")),
                ),
            ),
            "does not exist",
        ),
        (
            dataclasses.replace(
                earning(1),
                postings=(Posting("wallet", Amount(BTC, "-0.01")), Posting("assets:pool:f2main", Amount(BTC, "0.01"))),
            ),
            "not a valid account path",
        ),
        (
            dataclasses.replace(earning(1), postings=(Posting("assets:pool:f2main", Amount(BTC, "0.01")),)),
            "at least two postings",
        ),
        (dataclasses.replace(earning(1), kind="gift"), "kind 'gift'"),
        (dataclasses.replace(earning(1), ts=T0.replace(tzinfo=None)), "timezone-aware"),
        (
            dataclasses.replace(
                earning(1),
                postings=(
                    Posting("income:mining:f2main", Amount(Asset("BTC", 6), "-0.01")),
                    Posting("assets:pool:f2main", Amount(Asset("BTC", 6), "0.01")),
                ),
            ),
            "precision",
        ),
        (dataclasses.replace(earning(1), price=Decimal(1)), "only a conversion"),
        (dataclasses.replace(earning(1), status="pending"), "status"),
    ],
)
async def test_invalid_entries_are_refused_with_a_reason_and_nothing_is_written(
    register: Register, entry: NewEntry, needle: str
) -> None:
    before = await snapshot(register)
    with pytest.raises(EntryRejected, match=needle):
        await register.ingest([entry])
    assert await snapshot(register) == before


async def test_a_float_amount_never_becomes_a_posting() -> None:
    with pytest.raises(TypeError):
        Posting("assets:pool:f2main", Amount(BTC, 0.01))


async def test_one_bad_entry_refuses_the_whole_batch(register: Register) -> None:
    bad = dataclasses.replace(earning(2), postings=earning(2).postings[:1])
    with pytest.raises(EntryRejected):
        await register.ingest([earning(1), bad, earning(3)])
    assert await register.count() == 0


def conversion(btc: str, price: str, usdt: str) -> NewEntry:
    return NewEntry(
        kind="conversion",
        ts=T0,
        price=Decimal(price),
        postings=(
            Posting("assets:exchange:aix", -Amount(BTC, btc)),
            Posting("assets:exchange:aix", Amount(USDT, usdt)),
        ),
    )


async def test_a_conversion_balances_through_its_price(register: Register) -> None:
    await register.draft(conversion("0.5", "97000.123456", "48500.061728"))
    with pytest.raises(EntryRejected, match="does not balance at price"):
        await register.draft(conversion("0.5", "97000.123456", "48500.06"))


async def test_bnb_beyond_64_bits_is_exact(register: Register) -> None:
    big = Amount(BNB, "8000.000000000000000001")
    await register.post(
        NewEntry(
            kind="seizure",
            ts=T0,
            postings=(Posting("income:seized:case-17", -big), Posting("assets:reserve:cold", big)),
        )
    )
    assert await register.balance("assets:reserve:cold", "BNB") == big
    assert (await register.balance("assets:reserve:cold", "BNB")).units == 8000 * 10**18 + 1


async def test_transfers_cannot_be_posted_without_a_second_operator(register: Register) -> None:
    from tests.register.conftest import transfer

    with pytest.raises(EntryRejected, match="needs a second operator"):
        await register.post(transfer("1"))


invalid_amounts = st.one_of(
    st.floats(allow_nan=True).map(lambda f: ("float", f)),
    st.decimals(min_value=Decimal("0.000000001"), max_value=1, places=12)
    .filter(lambda d: d != d.quantize(Decimal("1e-8")))
    .map(lambda d: ("decimals", d)),
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(invalid_amounts)
async def test_random_invalid_amounts_are_refused_before_anything_is_written(register: Register, case: tuple) -> None:
    before = await snapshot(register)
    _kind, value = case
    with pytest.raises((TypeError, ValueError)):
        entry = NewEntry(
            kind="earning",
            ts=T0,
            source="pool:f2main",
            external_id="x",
            postings=(
                Posting("income:mining:f2main", -Amount(BTC, value)),
                Posting("assets:pool:f2main", Amount(BTC, value)),
            ),
        )
        await register.ingest([entry])
    assert await snapshot(register) == before
