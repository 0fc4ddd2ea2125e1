"""The one way to walk the register: every match exactly once, in (time, seq) order, both
directions, any filter, at every size around a page boundary."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from desk.money import BTC, Amount
from desk.register import Entry, NewEntry, PageFilter, Posting, Register, walk
from tests.register.conftest import T0

PAGE = 3
#: Register sizes around every page boundary of a PAGE-entry page.
SIZES = (0, 1, PAGE - 1, PAGE, PAGE + 1, 2 * PAGE, 3 * PAGE + 1)


def tx(i: int) -> str:
    return hashlib.sha256(str(i).encode()).hexdigest()


def mixed(n: int) -> list[NewEntry]:
    """Earnings and payouts of two pools, three entries to a timestamp (ties are ordered by
    seq), payouts carrying a tx id."""
    entries = []
    for i in range(n):
        pool = ("ocean", "f2main")[i % 2]
        amount = Amount(BTC, "0.01")
        ts = T0 + timedelta(minutes=i // 3)
        if i % 3 == 2:
            entries.append(
                NewEntry(
                    kind="payout",
                    ts=ts,
                    postings=(Posting(f"assets:pool:{pool}", -amount), Posting("assets:wallet:ops", amount)),
                    memo=f"{pool} payout {i}",
                    reference=tx(i),
                    source=f"pool:{pool}",
                    external_id=f"x{i}",
                    status="confirmed",
                )
            )
        else:
            entries.append(
                NewEntry(
                    kind="earning",
                    ts=ts,
                    postings=(Posting(f"income:mining:{pool}", -amount), Posting(f"assets:pool:{pool}", amount)),
                    memo=f"{pool} earning {i}",
                    source=f"pool:{pool}",
                    external_id=f"x{i}",
                )
            )
    return entries


def matches(entry: NewEntry, f: PageFilter) -> bool:
    """The filter's meaning, written out over what the test wrote."""
    if f.account and all(p.account != f.account for p in entry.postings):
        return False
    if f.kind and entry.kind != f.kind:
        return False
    if f.since and entry.ts < f.since:
        return False
    if f.until and entry.ts >= f.until:
        return False
    return not f.text or f.text.lower() in entry.memo.lower() or (entry.reference or "").startswith(f.text)


FILTERS = (
    PageFilter(),
    PageFilter(account="assets:pool:ocean"),
    PageFilter(account="assets:wallet:ops", asset="BTC"),
    PageFilter(kind="earning"),
    PageFilter(kind="payout", since=T0 + timedelta(minutes=1), until=T0 + timedelta(minutes=3)),
    PageFilter(text="f2main"),
    PageFilter(account="assets:pool:f2main", text="payout"),
)


def walk_order(entries: list[Entry]) -> list[tuple]:
    return [(e.ts, e.seq) for e in entries]


async def collect(register: Register, f: PageFilter, *, newest_first: bool, page_size: int) -> list[Entry]:
    return [e async for e in register.walk(f, newest_first=newest_first, page_size=page_size)]


@pytest.mark.parametrize("n", SIZES)
async def test_a_walk_yields_every_match_once_in_order_at_every_size(register: Register, n: int) -> None:
    written = mixed(n)
    await register.ingest(written)
    for f in FILTERS:
        expected = sorted(e.external_id for e in written if matches(e, f))
        for newest_first in (False, True):
            found = await collect(register, f, newest_first=newest_first, page_size=PAGE)
            assert sorted(e.external_id for e in found) == expected, (f, newest_first)
            assert walk_order(found) == sorted(walk_order(found), reverse=newest_first), (f, newest_first)


async def test_a_walk_reads_a_page_at_a_time_and_sees_what_is_appended_behind_it(register: Register) -> None:
    await register.ingest(mixed(2 * PAGE))
    late = mixed(3 * PAGE)[2 * PAGE :]
    seen = []
    async for entry in register.walk(page_size=PAGE):
        seen.append(entry.external_id)
        if len(seen) == 1:  # the walk has read one page: what sorts after it is still ahead
            await register.ingest(late)
    assert seen == [f"x{i}" for i in range(3 * PAGE)]


async def test_the_default_page_size_is_read_when_a_walk_starts(
    register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    await register.ingest(mixed(7))
    pages: list[int] = []
    by_keys, by_rows = walk.page_keys, walk.entries_query

    async def keys(*args, **kwargs):  # type: ignore[no-untyped-def]
        pages.append(kwargs["limit"])
        return await by_keys(*args, **kwargs)

    def rows(*args, **kwargs):  # type: ignore[no-untyped-def]
        pages.append(kwargs["limit"])
        return by_rows(*args, **kwargs)

    monkeypatch.setattr(walk, "PAGE_SIZE", 2)
    monkeypatch.setattr(walk, "page_keys", keys)
    monkeypatch.setattr(walk, "entries_query", rows)
    assert len([e async for e in register.walk()]) == 7  # on the entries alone: a query of rows a page
    assert pages == [2, 2, 2, 2]
    pages.clear()
    assert len([e async for e in register.walk(PageFilter(account="assets:wallet:ops"))]) == 2  # keys, then rows
    assert pages == [2, 2]


async def test_a_page_holds_at_least_one_entry(register: Register) -> None:
    with pytest.raises(ValueError, match="at least one entry"):
        [e async for e in register.walk(page_size=0)]


async def test_first_is_the_newest_or_oldest_match_or_none(register: Register) -> None:
    await register.ingest(mixed(10))
    newest = await register.first(PageFilter(kind="payout"))
    oldest = await register.first(PageFilter(kind="payout"), newest_first=False)
    assert (newest and newest.external_id, oldest and oldest.external_id) == ("x8", "x2")
    assert (await register.first(PageFilter(text=tx(5)[:12]))) is not None  # a payout's tx id, by prefix
    assert await register.first(PageFilter(text=tx(4)[:12])) is None  # an earning: no tx id
    assert await register.first(PageFilter(account="assets:wallet:nowhere")) is None
