"""Valuation benchmark: a register of N entries (earnings, payouts, a daily transfer into the
reserve) with a year of prices, then

- the valuation-at-receipt pass over N unvalued entries, and again after 1k new entries
  (the ratio shows the pass is incremental: it costs what is new, not what is there);
- the reserve's value now, without and with the FIFO lots (cost basis, unrealised);
- the reserve's value on each of 365 past days, in one pass and as 365 separate reports.

    .venv/bin/python bench/valuation.py [--sizes 100000,1000000]

Building a million-entry register takes a minute or two; each size is built fresh.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from common import print_table

from desk.config import load_settings
from desk.money import Amount, Asset
from desk.register import NewEntry, Posting, Quote, Register
from desk.valuation.prices import ALMATY, PricePolicy
from desk.valuation.receipt import value_inflows
from desk.valuation.reserve import end_of, reserve_report, value_series

BTC = Asset("BTC", 8)
POOLS = ["f2main", "braiins", "foundry", "ocean"]
STEP = timedelta(seconds=30)
BATCH = 100_000


def settings_for(path: Path):
    pools = {name: {"kind": "ocean", "user": "bc1q" + name} for name in POOLS}
    return load_settings(None, env={}, overrides={"register": {"path": str(path)}, "pools": pools})


def feed_entry(i: int, t0: datetime) -> NewEntry:
    """Nine earnings, then a payout of what they brought, per pool in turn."""
    pool = POOLS[i % len(POOLS)]
    ts = t0 + STEP * i
    if i % 10 == 9:
        amount = Amount.from_units(BTC, 9 * 50_000)
        return NewEntry(
            kind="payout",
            ts=ts,
            memo="payout",
            source=f"pool:{pool}",
            external_id=f"p{i}",
            postings=(Posting(f"assets:pool:{pool}", -amount), Posting("assets:wallet:ops", amount)),
        )
    amount = Amount.from_units(BTC, 50_000 + i % 1_000)
    return NewEntry(
        kind="earning",
        ts=ts,
        memo="earning",
        source=f"pool:{pool}",
        external_id=f"e{i}",
        postings=(Posting(f"income:mining:{pool}", -amount), Posting(f"assets:pool:{pool}", amount)),
    )


def quotes_for(t0: datetime, t1: datetime) -> list[Quote]:
    """BTC/USD (coinbase) and BTC/USDT (binance) every 10 minutes, NBK USD/KZT each weekday."""
    quotes = []
    at, n = t0 - timedelta(hours=1), 0
    while at <= t1 + timedelta(days=1):
        price = Decimal(60_000 + (n * 37) % 20_000)
        quotes.append(Quote("BTC", "USD", price, "coinbase", at, at))
        quotes.append(Quote("BTC", "USDT", price + 25, "binance", at, at))
        at, n = at + timedelta(minutes=10), n + 1
    day = t0.astimezone(ALMATY).date() - timedelta(days=3)
    while day <= t1.date() + timedelta(days=1):
        if day.weekday() < 5:
            stamp = datetime.combine(day, datetime.min.time(), tzinfo=ALMATY)
            quotes.append(Quote("USD", "KZT", Decimal(470) + Decimal(day.toordinal() % 40), "nbk", stamp, stamp))
        day += timedelta(days=1)
    return quotes


async def build(path: Path, n: int, now: datetime) -> datetime:
    """N entries ending at `now`: feed entries, then one transfer into the reserve per day."""
    days = max(1, n * 30 // 86_400)
    feed = n - days
    t0 = now - STEP * feed
    settings = settings_for(path)
    async with Register.open(path, operator="maker", create=True) as reg:
        await reg.init_accounts(settings)
        await reg.record_quotes(quotes_for(t0, now))
        for first in range(0, feed, BATCH):
            await reg.ingest([feed_entry(i, t0) for i in range(first, min(feed, first + BATCH))])
            print(f"  {n:,}: ingested {min(feed, first + BATCH):,}", file=sys.stderr, end="\r")
        wallet = await reg.balance("assets:wallet:ops", "BTC")
        share = Amount.from_units(BTC, wallet.units // (days + 1))
        for d in range(days):
            reg.act_as("maker")
            entry = NewEntry(
                kind="transfer",
                ts=end_of((t0 + timedelta(days=d)).date()) - timedelta(minutes=5),
                memo="into the reserve",
                postings=(Posting("assets:wallet:ops", -share), Posting("assets:reserve:cold", share)),
            )
            draft = await reg.draft(entry)
            reg.act_as("checker")
            await reg.approve(draft)
        print(file=sys.stderr)
    return t0


async def seconds(coro) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = await coro
    return time.perf_counter() - start, result


async def measure(n: int, directory: Path) -> list[tuple[str, str, str, str]]:
    now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    path = directory / f"valuation-{n}.sqlite"
    build_s, t0 = await seconds(build(path, n, now))
    settings = settings_for(path)
    policy = PricePolicy.from_settings(settings)
    async with Register.open(path, operator="bench", clock=lambda: now) as reg:
        full_s, full = await seconds(value_inflows(reg, policy))
        more = [feed_entry(i, t0) for i in range(n, n + 1_000)]
        more = [
            NewEntry(
                kind=e.kind,
                ts=now - timedelta(minutes=1),
                memo=e.memo,
                source=e.source,
                external_id=f"new-{e.external_id}",
                postings=e.postings,
            )
            for e in more
        ]
        await reg.ingest(more)
        inc_s, inc = await seconds(value_inflows(reg, policy))
        idle_s, _ = await seconds(value_inflows(reg, policy))
        now_s, report = await seconds(reserve_report(reg, settings, now, with_lots=False))
        lots_s, with_lots = await seconds(reserve_report(reg, settings, now))
        # 1k more entries, valued, then the lots again: continued, not replayed
        later = now + timedelta(minutes=30)
        await reg.ingest(
            [
                NewEntry(
                    kind=e.kind,
                    ts=later - timedelta(seconds=i),
                    memo=e.memo,
                    source=e.source,
                    external_id=f"later-{e.external_id}",
                    postings=e.postings,
                )
                for i, e in enumerate(feed_entry(j, t0) for j in range(n, n + 1_000))
            ]
        )
        await value_inflows(reg, policy)
        lots_inc_s, _ = await seconds(reserve_report(reg, settings, later))
        days = [now.date() - timedelta(days=k) for k in range(365, 0, -1)]
        series_s, _ = await seconds(value_series(reg, settings, days))
        start = time.perf_counter()
        for day in days:
            await reserve_report(reg, settings, end_of(day), with_lots=False)
        naive_s = time.perf_counter() - start
        ok = (await reg.verify()).ok
    return [
        (f"build {n:,} entries", f"{build_s:.1f} s", f"{n / build_s:,.0f} entries/s", ""),
        (
            f"valuation pass, {n:,} unvalued",
            f"{full_s:.2f} s",
            f"{full.valued:,} inflows valued, {full.valued / full_s:,.0f}/s",
            "",
        ),
        (
            "valuation pass, +1k new",
            f"{inc_s * 1e3:.1f} ms",
            f"{full_s / inc_s:,.0f}x faster than the full pass ({inc.valued:,} valued)",
            "incremental",
        ),
        ("valuation pass, nothing new", f"{idle_s * 1e3:.1f} ms", "", ""),
        (
            "value now (balances x prices)",
            f"{now_s * 1e3:.1f} ms",
            f"{report.total_usd:,.0f} USD, {len(report.flags)} flags",
            "",
        ),
        (
            "value now with FIFO lots",
            f"{lots_s:.2f} s",
            f"{len(with_lots.lots):,} reserve lots, unrealised {with_lots.unrealised_usd:,.0f} USD",
            "",
        ),
        (
            "value with FIFO lots, +1k new",
            f"{lots_inc_s * 1e3:.1f} ms",
            f"{lots_s / lots_inc_s:,.0f}x faster than the first replay",
            "incremental",
        ),
        (
            "value on 365 past days, one pass",
            f"{series_s * 1e3:.1f} ms",
            f"{naive_s / series_s:,.1f}x faster than 365 reports ({naive_s:.2f} s)",
            "",
        ),
        ("chains verify after valuation", "OK" if ok else "FAILED", "", "OK"),
    ]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000000", help="comma-separated register sizes (default: 1000000)")
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            print_table(f"valuation benchmark, {n:,} entries", await measure(n, Path(tmp)))


if __name__ == "__main__":
    asyncio.run(main())
