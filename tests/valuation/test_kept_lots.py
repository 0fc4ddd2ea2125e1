"""FIFO lots kept in the register: continued pass by pass in chunks, rewound when the past
changes (entries dated earlier, a corrected valuation), and always equal to a replay of the
whole register from scratch, lot by lot and in the totals read at any moment."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from desk.money import BTC, Amount
from desk.register import NewEntry, Posting, Register
from desk.register import lots as store
from desk.sim.workload import RESERVE, WALLET, feed_entry, quotes_for, settings_for
from desk.valuation import fifo
from desk.valuation.prices import PricePolicy
from desk.valuation.receipt import revalue, value_inflows

T0 = datetime(2026, 10, 1, tzinfo=UTC)
#: One feed entry every 45 minutes: 400 of them span twelve and a half days.
EVERY = timedelta(minutes=45)
ENTRIES = 400
ROUND = 25


def fed(i: int) -> NewEntry:
    return dataclasses.replace(feed_entry(i, T0), ts=T0 + EVERY * i)


def into_reserve(at: datetime, units: int) -> NewEntry:
    amount = Amount.from_units(BTC, units)
    return NewEntry(
        kind="transfer", ts=at, memo="into the reserve", postings=(Posting(WALLET, -amount), Posting(RESERVE, amount))
    )


async def transfer(reg: Register, at: datetime, units: int) -> None:
    reg.act_as("maker")
    draft = await reg.draft(into_reserve(at, units))
    reg.act_as("checker")
    await reg.approve(draft)


def summed(lots) -> dict:  # type: ignore[no-untyped-def]
    """Per asset (units of known cost, of unknown cost, cost USD, cost KZT): worked out here
    from the lots themselves, not from the kept day sums."""
    result: dict = defaultdict(lambda: [0, 0, Decimal(0), Decimal(0)])
    for lot in lots:
        figures = result[lot.asset]
        if lot.cost_usd is None or lot.cost_kzt is None:
            figures[1] += lot.units
        else:
            figures[0] += lot.units
            figures[2] += lot.cost_usd
            figures[3] += lot.cost_kzt
    return {asset: tuple(f) for asset, f in result.items()}


def as_summed(totals) -> dict:  # type: ignore[no-untyped-def]
    per_asset, _ = totals
    return {a: (t.known_units, t.unknown_units, t.cost_usd, t.cost_kzt) for a, t in per_asset.items()}


@pytest.fixture
async def reg(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "register.sqlite"
    async with Register.open(path, operator="maker", create=True) as register:
        await register.init_accounts(settings_for(path))
        await register.record_quotes(quotes_for(T0, T0 + EVERY * ENTRIES))
        yield register


async def test_many_small_passes_equal_one_replay_from_scratch(reg: Register, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Rounds of 25 entries, a pass of 7-entry chunks after each, fronts read 3 lots at a time;
    every third round also brings an earning and an approved transfer dated a day and a half
    back, and one round corrects an old valuation. Every pass ends where a replay from scratch
    does."""
    monkeypatch.setattr(store, "FRONT_BATCH", 3)
    policy = PricePolicy.from_settings(settings_for(reg.path))
    passes = []
    for n, first in enumerate(range(0, ENTRIES, ROUND)):
        batch = [fed(i) for i in range(first, first + ROUND)]
        await reg.ingest(batch)
        newest = batch[-1].ts
        await transfer(reg, newest, 500_000)
        late = n % 3 == 2
        if late:
            back = newest - timedelta(hours=36)
            await reg.ingest([dataclasses.replace(fed(first), ts=back, external_id=f"late-{first}")])
            await transfer(reg, back + timedelta(minutes=1), 200_000)
        await value_inflows(reg, policy)
        if n == 9:
            await revalue(reg, 3, policy, reason="valued at the wrong hour", at=T0 + timedelta(hours=7))
        done = await fifo.advance(reg, policy, chunk=7)
        passes.append(done)
        if late or n == 9:
            assert done.rewound_from is not None
        else:  # continued: only what is new was replayed
            assert (done.rewound_from, done.replayed) == (None, ROUND + 1)
        assert await fifo.check(reg, policy, chunk=11) == []
    assert sum(p.replayed for p in passes) > await reg.count()  # the rewinds replayed some twice
    now = T0 + EVERY * ENTRIES
    for at in (T0 + timedelta(days=2, hours=5), T0 + timedelta(days=6), T0 + timedelta(days=9, hours=23), now):
        fresh = (await fifo.replayed(reg, policy, at, chunk=13)).held()
        kept = await fifo.held(reg, policy, at)
        assert [lot.facts() for lot in kept] == [lot.facts() for lot in fresh]
        assert fresh and as_summed(await fifo.totals(reg, policy, at)) == summed(fresh)
        wallet = (await fifo.replayed(reg, policy, at)).held(WALLET)
        assert as_summed(await fifo.totals(reg, policy, at, WALLET)) == summed(wallet)


async def test_a_new_process_continues_what_is_kept(reg: Register) -> None:
    policy = PricePolicy.from_settings(settings_for(reg.path))
    await reg.ingest([fed(i) for i in range(60)])
    await value_inflows(reg, policy)
    assert (await fifo.advance(reg, policy)).replayed == 60
    async with Register.open(reg.path, operator="other") as other:
        assert (await fifo.advance(other, policy)).replayed == 0
        await other.ingest([fed(i) for i in range(60, 70)])
        assert (await fifo.advance(other, policy)).replayed == 10
    assert (await fifo.advance(reg, policy)).replayed == 0
    assert await fifo.check(reg, policy) == []


async def test_a_pass_that_loses_the_race_starts_again_from_the_winners_lots(reg: Register, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    policy = PricePolicy.from_settings(settings_for(reg.path))
    await reg.ingest([fed(i) for i in range(40)])
    async with Register.open(reg.path, operator="other") as other:
        write = store.write
        raced = []

        async def other_writes_first(register, *args, **kwargs):  # type: ignore[no-untyped-def]
            if register is reg and not raced:
                raced.append(await fifo.advance(other, policy))
            return await write(register, *args, **kwargs)

        monkeypatch.setattr(store, "write", other_writes_first)
        done = await fifo.advance(reg, policy, chunk=15)
    assert raced[0].replayed == 40 and done.replayed == 0
    assert await fifo.check(reg, policy) == []


async def test_check_names_a_lot_or_a_day_changed_behind_its_back(reg: Register) -> None:
    policy = PricePolicy.from_settings(settings_for(reg.path))
    await reg.ingest([fed(i) for i in range(9)])  # nine earnings, no payout yet: every lot open in the pool
    await value_inflows(reg, policy)
    await fifo.advance(reg, policy)
    conn = sqlite3.connect(reg.path)
    conn.execute("UPDATE lots SET cost_usd = '1' WHERE id = (SELECT MIN(id) FROM lots WHERE taken_seq IS NULL)")
    conn.execute("UPDATE lot_days SET units = units + 1 WHERE day = (SELECT MAX(day) FROM lot_days)")
    conn.commit()
    conn.close()
    problems = await fifo.check(reg, policy)
    assert any(p.startswith("lots of BTC in assets:pool:") and "first difference at lot 1" in p for p in problems)
    assert any(p.startswith("lot sums of (") for p in problems)
