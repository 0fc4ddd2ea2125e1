"""Feeding the same batch twice changes nothing; a queued payout confirmed later is one payout."""

from __future__ import annotations

import dataclasses

import pytest

from desk.money import BTC, Amount
from desk.register import EntryRejected, PageFilter, Register
from tests.register.conftest import earning, payout


async def test_the_same_batch_twice_changes_nothing(register: Register) -> None:
    batch = [earning(i) for i in range(500)] + [payout(i, "0.001", tx=f"{i:064x}") for i in range(100)]
    first = await register.ingest(batch)
    head = await register.head()
    balances = await register.balances()
    second = await register.ingest(batch)
    assert (first.new, second.new, second.unchanged) == (600, 0, 600)
    assert await register.head() == head
    assert await register.balances() == balances
    assert await register.count() == 600


async def test_queued_payout_confirmed_later_is_one_payout(register: Register) -> None:
    await register.ingest([earning(1, "1")])
    queued = payout(7, "0.5", status="queued")
    await register.ingest([queued])
    result = await register.ingest([dataclasses.replace(queued, status="confirmed", reference="ab" * 32)])
    assert (result.new, result.updated) == (0, 1)
    assert await register.count() == 2
    assert await register.balance("assets:wallet:ops", "BTC") == Amount(BTC, "0.5")
    (found,) = await register.page(PageFilter(text="abab"))
    assert found.status == "confirmed" and found.reference == "ab" * 32
    detail = await register.entry(found.seq)
    assert detail.amendments[0]["status"] == "confirmed"
    actions = await register.actions()
    assert actions[0]["action"] == "amend"
    assert (await register.verify()).ok
    # seen again, queued or confirmed, nothing more happens
    again = await register.ingest([queued, dataclasses.replace(queued, status="confirmed", reference="ab" * 32)])
    assert again.unchanged == 1


async def test_a_batch_holding_queued_and_confirmed_keeps_the_confirmed(register: Register) -> None:
    queued = payout(3, status="queued")
    result = await register.ingest([queued, dataclasses.replace(queued, status="confirmed", reference="cd" * 32)])
    assert result.new == 1
    (entry,) = await register.recent(1)
    assert entry.status == "confirmed" and entry.reference == "cd" * 32


async def test_a_record_that_comes_back_with_another_amount_is_refused_and_nothing_is_written(
    register: Register,
) -> None:
    """A pool that rewrites history must not pass silently: the register holds what it was
    first told, and refuses the changed record naming the feed, the record and both figures."""
    await register.ingest([earning(1, "0.01")])
    head, balances = await register.head(), await register.balances()
    with pytest.raises(EntryRejected) as refused:
        await register.ingest([earning(2, "0.02"), earning(1, "0.008")])
    assert refused.value.field == "postings"
    message = str(refused.value)
    assert message.startswith("pool:f2main earn-0-1: the feed now reports postings")
    assert "assets:pool:f2main 0.00800000 BTC" in message and "assets:pool:f2main 0.01000000 BTC" in message
    assert await register.head() == head and await register.balances() == balances
    assert await register.count() == 1  # the new earning in the same batch is not written either
    # another account for the same amount is a change too; the same record again is not
    moved = dataclasses.replace(earning(1, "0.01", pool="ocean"), source="pool:f2main")
    with pytest.raises(EntryRejected, match="income:mining:ocean"):
        await register.ingest([moved])
    assert (await register.ingest([earning(1, "0.01")])).unchanged == 1
