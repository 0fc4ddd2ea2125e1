"""Windowed reads: keyset pages, newest first, with filters and search."""

from __future__ import annotations

from datetime import timedelta

from desk.register import PageFilter, Register
from tests.register.conftest import T0, earning, payout


async def test_paging_back_and_forth_walks_the_whole_book_once(register: Register) -> None:
    await register.ingest([earning(i, day=i % 5) for i in range(250)])
    seen, before = [], None
    while page := await register.page(before=before, limit=40):
        seen += [e.seq for e in page]
        before = page[-1].key
    assert len(seen) == 250 == len(set(seen))
    keys = [(await register.entry(s)).key for s in seen]
    assert keys == sorted(keys, reverse=True)
    newer = await register.page(after=keys[100], limit=10)
    assert [e.key for e in newer] == keys[90:100]


async def test_filters_by_account_asset_kind_and_dates(register: Register) -> None:
    await register.ingest([earning(i, pool="ocean") for i in range(5)] + [earning(i, day=3) for i in range(7)])
    await register.ingest([payout(1, "0.01", tx="ff" * 32)])
    assert len(await register.page(PageFilter(account="assets:pool:ocean"))) == 5
    assert len(await register.page(PageFilter(account="assets:wallet:ops", asset="BTC"))) == 1
    assert len(await register.page(PageFilter(asset="BNB"))) == 0
    assert len(await register.page(PageFilter(kind="payout"))) == 1
    since = PageFilter(since=T0 + timedelta(days=2), until=T0 + timedelta(days=4))
    assert {e.ts.date() for e in await register.page(since)} == {(T0 + timedelta(days=3)).date()}
    assert await register.page(PageFilter(account="assets:wallet:nowhere")) == []


async def test_search_finds_a_payout_by_tx_hash_prefix_and_by_memo(register: Register) -> None:
    tx = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    await register.ingest([earning(i) for i in range(50)] + [payout(3, "0.1", tx=tx)])
    (hit,) = await register.page(PageFilter(text="9F86D0"))
    assert hit.reference == tx
    assert len(await register.page(PageFilter(text="earning 4"))) == 1 + 10  # "earning 4", "earning 40".."49"
    assert await register.page(PageFilter(text="100%_")) == []


async def test_count_is_maintained(register: Register) -> None:
    await register.ingest([earning(i) for i in range(33)])
    assert await register.count() == 33
