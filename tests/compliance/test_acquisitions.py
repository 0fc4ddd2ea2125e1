"""Seizures and purchases as first-class entries: their fields are validated, hashed and kept,
and entries without fields hash exactly as before fields existed."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.config import DeskSettings
from desk.money import BTC, USDT, Amount
from desk.register import EntryRejected, NewEntry, Posting, Register, reversal_of
from desk.register.canonical import canonical_json, chain_hash, entry_body, entry_payload
from tests.compliance.conftest import Book

T = datetime(2026, 11, 5, tzinfo=UTC)
SEIZED = {"case_reference": "2-1234/2026", "legal_basis": "court order of 1 Nov 2026", "authority": "AFM"}


def seizure(details: dict[str, str] | None = SEIZED) -> NewEntry:
    btc = Amount(BTC, "2")
    return NewEntry(
        kind="seizure",
        ts=T,
        postings=(Posting("income:seized:case-17", -btc), Posting("assets:reserve:cold", btc)),
        details=details,
    )


def purchase(details: dict[str, str] | None, venue: str = "aix", price: str = "97000") -> NewEntry:
    return NewEntry(
        kind="purchase",
        ts=T,
        price=Decimal(price),
        postings=(
            Posting(f"assets:exchange:{venue}", -Amount(USDT, "9700")),
            Posting("assets:reserve:cold", Amount(BTC, "0.1")),
        ),
        details=details,
    )


async def fund_aix(register: Register) -> None:
    usdt = Amount(USDT, "20000")
    await register.post(
        NewEntry(
            kind="opening", ts=T, postings=(Posting("equity:opening", -usdt), Posting("assets:exchange:aix", usdt))
        )
    )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (purchase(None), "a purchase needs its details: exchange and order_id"),
        (purchase({"exchange": "aix"}), "needs details.order_id"),
        (purchase({"exchange": "binx", "order_id": "1"}), "a purchase on binx pays from assets:exchange:binx"),
        (purchase({"exchange": "aix", "order_id": "1"}, price="96000"), "does not balance at price 96000"),
        (purchase({"exchange": "aix", "order_id": "1", "fee": "3"}), "details.fee is not a field of a purchase"),
        (seizure({"case_reference": "x", "legal_basis": "y"}), "a seizure needs details.authority"),
        (seizure({**SEIZED, "authority": "  "}), "details.authority must be non-empty text"),
        (
            NewEntry(
                kind="fee",
                ts=T,
                details={"a": "b"},
                postings=(
                    Posting("assets:wallet:ops", -Amount(BTC, "0.1")),
                    Posting("expenses:fees", Amount(BTC, "0.1")),
                ),
            ),
            "a fee carries no details",
        ),
    ],
)
async def test_fields_are_checked(register: Register, entry: NewEntry, message: str) -> None:
    with pytest.raises(EntryRejected, match=message):
        await register.draft(entry)


async def test_a_seizure_posts_with_its_fields_hashed_and_verifies(register: Register, settings: DeskSettings) -> None:
    seq = await register.post(seizure())
    entry = await register.entry(seq)
    assert entry.details == SEIZED
    assert (await register.verify()).ok
    conn = sqlite3.connect(settings.register.path, isolation_level=None)
    conn.execute("DROP TRIGGER entries_no_update")
    conn.execute("UPDATE entries SET details = ? WHERE seq = ?", (json.dumps({**SEIZED, "authority": "nobody"}), seq))
    conn.close()
    result = await register.verify()
    assert not result.ok and result.first_bad_seq == seq


async def test_a_purchase_needs_a_second_operator_and_keeps_its_fields(
    register: Register, settings: DeskSettings, book: Book
) -> None:
    await fund_aix(register)
    entry = purchase({"exchange": "aix", "order_id": "ord-77"})
    with pytest.raises(EntryRejected, match="needs a second operator"):
        await register.post(entry)
    draft = await register.draft(entry)
    assert (await register.draft_by_id(draft)).entry.details == {"exchange": "aix", "order_id": "ord-77"}
    async with Register.open(settings.register.path, operator="bek") as checker:
        seq = await checker.approve(draft)
    posted = await register.entry(seq)
    assert posted.details == {"exchange": "aix", "order_id": "ord-77"} and posted.price == Decimal("97000")
    back = await book.approved(reversal_of(posted, T))
    assert (await register.entry(back)).details == {"reverses_kind": "purchase"}
    assert await register.balance("assets:exchange:aix", "USDT") == Amount(USDT, "20000")
    assert await register.balance("assets:reserve:cold", "BTC") == Amount(BTC, "0")
    assert (await register.verify()).ok


def test_an_entry_without_details_hashes_as_it_always_did() -> None:
    fields = dict(
        seq=3,
        ts="2026-11-01T00:00:00.000000Z",
        kind="seizure",
        memo="m",
        reference=None,
        source=None,
        external_id=None,
        status=None,
        price=None,
        reverses=None,
        drafted_by="aliya",
        approved_by=None,
        approved_at=None,
        postings=[("income:seized:case-17", "BTC", -5), ("assets:reserve:cold", "BTC", 5)],
    )
    # the canonical text as written before entries had details (the released format)
    released = (
        '{"approved_at":null,"approved_by":null,"drafted_by":"aliya","external_id":null,"kind":"seizure",'
        '"memo":"m","postings":[["income:seized:case-17","BTC","-5"],["assets:reserve:cold","BTC","5"]],'
        '"price":null,"reference":null,"reverses":null,"seq":3,"source":null,"status":null,'
        '"ts":"2026-11-01T00:00:00.000000Z","v":1}'
    )
    assert entry_body(**fields) == released == canonical_json(entry_payload(**fields))
    with_details = entry_body(**fields, details={"authority": "AFM"})
    assert '"approved_by":null,"details":{"authority":"AFM"},"drafted_by"' in with_details
    assert chain_hash("0" * 64, entry_payload(**fields)) != chain_hash(
        "0" * 64, entry_payload(**fields, details={"authority": "AFM"})
    )


@given(st.dictionaries(st.text(), st.text(), max_size=4), st.text())
def test_the_fast_canonical_form_with_details_is_exactly_the_json_one(details: dict[str, str], memo: str) -> None:
    fields = dict(
        seq=7,
        ts="2026-11-01T00:00:00.000000Z",
        kind="purchase",
        memo=memo,
        reference='o\u00e9"1',
        source=None,
        external_id=None,
        status=None,
        price="97000.5",
        reverses=None,
        drafted_by="a",
        approved_by="b",
        approved_at="2026-11-01T00:00:00.000000Z",
        postings=[("x", "BTC", 1)],
        details=details,
    )
    assert entry_body(**fields) == canonical_json(entry_payload(**fields))
