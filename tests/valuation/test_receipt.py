"""Valuation at receipt: frozen in the register, with price provenance, incremental, corrected
only by new revisions, and recorded in the chained actions log."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from desk.money import BTC, Amount
from desk.register import NewEntry, Posting
from desk.register import valuations as store
from desk.valuation.prices import PricePolicy
from desk.valuation.receipt import revalue, value_inflows
from tests.valuation.conftest import FRI, earning, nbk, post, quote

POLICY = PricePolicy(rate_sources=("nbk",))


async def test_inflow_valued_at_the_price_in_force_then_from_its_source(register) -> None:
    earlier = FRI - timedelta(days=1)  # Thursday 5 Nov
    await register.record_quotes(
        [
            nbk(5, "480"),
            nbk(6, "490"),
            quote("BTC", "USD", "50000", "coinbase", earlier - timedelta(minutes=1)),
            quote("BTC", "USD", "70000", "kraken", FRI),
        ]
    )
    seq = await post(register, earning(1, "0.2", earlier))
    result = await value_inflows(register, POLICY)
    assert (result.valued, result.missing) == (1, 0)
    v = (await store.current(register))[(seq, "BTC")]
    assert (v.state, v.revision, v.cause) == ("valued", 1, "receipt")
    assert (v.price, v.price_currency, v.source) == (Decimal(50000), "USD", "coinbase BTC/USD")
    assert v.source_time == earlier - timedelta(minutes=1)
    assert v.usd == Decimal("10000.00000000")
    assert (v.kzt_rate, v.kzt_rate_date, v.kzt_rate_source) == (Decimal(480), date(2026, 11, 5), "nbk")
    assert v.kzt == v.usd * Decimal(480)


async def test_weekend_inflow_uses_fridays_rate(register) -> None:
    sunday = datetime(2026, 11, 8, 9, tzinfo=UTC)
    await register.record_quotes([nbk(6, "481.25"), quote("BTC", "USDT", "60000", "binance", sunday)])
    seq = await post(register, earning(1, "1", sunday))
    await value_inflows(register, POLICY)
    v = (await store.current(register))[(seq, "BTC")]
    assert v.kzt_rate_date == date(2026, 11, 6) and v.price_currency == "USDT"
    assert v.kzt == Decimal("28875000.00000000")


async def test_missing_price_flagged_then_filled_by_a_new_revision(register) -> None:
    seq = await post(register, earning(1, "0.5", FRI))
    result = await value_inflows(register, POLICY)
    assert (result.valued, result.missing) == (1, 1)
    v = (await store.current(register))[(seq, "BTC")]
    assert v.state == "missing" and v.usd is None and v.kzt is None and "no price for BTC" in v.reason
    # a later pass with still no price writes nothing new
    again = await value_inflows(register, POLICY)
    assert (again.valued, again.filled, again.missing) == (0, 0, 1)
    # a live quote after the inflow does not value it: the price in force then is still unknown
    await register.record_quotes([nbk(6, "490"), quote("BTC", "USD", "61000", "kraken", FRI + timedelta(hours=1))])
    live = await value_inflows(register, POLICY)
    assert (live.filled, live.missing) == (0, 1)
    assert len(await store.history(register, seq)) == 1
    await register.record_quotes([nbk(6, "490"), quote("BTC", "USD", "60000", "kraken", FRI - timedelta(minutes=2))])
    filled = await value_inflows(register, POLICY)
    assert (filled.filled, filled.missing) == (1, 0)
    revisions = await store.history(register, seq)
    assert [(r.revision, r.state, r.cause) for r in revisions] == [
        (1, "missing", "receipt"),
        (2, "valued", "late price"),
    ]
    assert revisions[1].usd == Decimal("30000.00000000")


async def test_correction_is_a_new_row_and_rows_cannot_be_edited(register, settings) -> None:
    await register.record_quotes([nbk(6, "490"), quote("BTC", "USD", "60000", "kraken", FRI - timedelta(minutes=2))])
    seq = await post(register, earning(1, "1", FRI))
    await value_inflows(register, POLICY)
    # the exchange corrects its print: a new quote is recorded, and the operator revalues
    await register.record_quotes([quote("BTC", "USD", "59000", "coinbase", FRI - timedelta(minutes=1))])
    (fixed,) = await revalue(register, seq, POLICY, reason="kraken print was off-market")
    assert (fixed.revision, fixed.cause, fixed.usd) == (2, "correction", Decimal("59000.00000000"))
    first, second = await store.history(register, seq)
    assert first.usd == Decimal("60000.00000000") and second.reason.startswith("kraken print")
    assert (await store.current(register))[(seq, "BTC")].revision == 2
    with sqlite3.connect(settings.register.path) as conn:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE valuations SET usd = '1'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM valuations")


async def test_each_valuation_is_in_the_chained_actions_log(register, settings) -> None:
    await register.record_quotes([nbk(6, "490"), quote("BTC", "USD", "60000", "kraken", FRI)])
    seq = await post(register, earning(1, "1", FRI))
    await value_inflows(register, POLICY)
    actions = await register.actions_named("valuation")
    assert len(actions) == 1 and actions[0]["entry_seq"] == seq
    assert (await register.verify()).ok
    # a quietly rewritten valuation detail breaks the chain
    with sqlite3.connect(settings.register.path) as conn:
        conn.execute("DROP TRIGGER actions_no_update")
        conn.execute("UPDATE actions SET detail = replace(detail, '60000', '90000') WHERE action = 'valuation'")
    assert not (await register.verify()).ok


async def test_only_inflows_are_valued_and_the_pass_is_incremental(register) -> None:
    await register.record_quotes([nbk(6, "490"), quote("BTC", "USD", "60000", "kraken", FRI - timedelta(hours=1))])
    await post(register, earning(1, "1", FRI))
    payout = NewEntry(
        kind="payout",
        ts=FRI,
        memo="payout",
        postings=(Posting("assets:pool:f2main", -Amount(BTC, "0.5")), Posting("assets:wallet:ops", Amount(BTC, "0.5"))),
    )
    await post(register, payout)
    seizure = NewEntry(
        kind="seizure",
        ts=FRI,
        memo="case 17",
        postings=(
            Posting("income:seized:case-17", -Amount(BTC, "3")),
            Posting("assets:reserve:custody", Amount(BTC, "3")),
        ),
    )
    seized = await post(register, seizure)
    first = await value_inflows(register, POLICY)
    assert (first.scanned, first.valued) == (3, 2)
    assert (await store.current(register))[(seized, "BTC")].usd == Decimal("180000.00000000")
    second = await value_inflows(register, POLICY)
    assert (second.scanned, second.valued) == (0, 0)
    await post(register, earning(2, "0.1", FRI))
    third = await value_inflows(register, POLICY)
    assert (third.scanned, third.valued) == (1, 1)
    assert await store.valued_through(register) == 4


async def test_chunks_give_the_same_result(register) -> None:
    await register.record_quotes([nbk(6, "490"), quote("BTC", "USD", "60000", "kraken", FRI - timedelta(hours=1))])
    for i in range(7):
        await post(register, earning(i, "0.01", FRI - timedelta(minutes=i)))
    result = await value_inflows(register, POLICY, chunk=3)
    assert result.valued == 7
    assert all(v.state == "valued" for v in (await store.current(register)).values())


async def test_an_action_written_while_valuations_are_hashed_keeps_the_chain(register, monkeypatch) -> None:
    await register.record_quotes([nbk(6, "490"), quote("BTC", "USD", "60000", "kraken", FRI - timedelta(minutes=1))])
    await post(register, earning(1, "1", FRI))
    real = store._prepare
    calls = []

    async def prepare_then_interleave(head, rows, now, operator):  # type: ignore[no-untyped-def]
        calls.append(head)
        prepared = await real(head, rows, now, operator)
        if len(calls) == 1:  # another writer appends to the actions log meanwhile
            await register.record_action("note", {"text": "meanwhile"})
        return prepared

    monkeypatch.setattr(store, "_prepare", prepare_then_interleave)
    await value_inflows(register, POLICY)
    assert len(calls) == 2 and calls[1][0] == calls[0][0] + 1  # hashed again from the new head
    assert (await register.verify()).ok
    assert len(await register.actions_named("valuation")) == 1


async def test_entries_written_after_the_pass_read_the_head_wait_for_the_next_pass(register, monkeypatch) -> None:
    """The sync values after each feed's write while other feeds keep writing: a pass must
    stop at the head it read, or the next pass values those entries a second time."""
    await register.record_quotes([nbk(6, "490"), quote("BTC", "USD", "60000", "kraken", FRI - timedelta(hours=1))])
    for i in range(4):
        await post(register, earning(i, "0.01", FRI - timedelta(minutes=i)))
    real_head = register.head
    seq2 = (await register.entry(2)).hash

    async def head_before_the_last_two_writes() -> tuple[int, str]:
        return 2, seq2

    monkeypatch.setattr(register, "head", head_before_the_last_two_writes)
    first = await value_inflows(register, POLICY)
    assert (first.scanned, first.valued) == (2, 2)
    monkeypatch.setattr(register, "head", real_head)
    second = await value_inflows(register, POLICY)
    assert (second.scanned, second.valued) == (2, 2)
    assert len(await store.current(register)) == 4
