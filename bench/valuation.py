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
from pathlib import Path

from common import print_table

from desk.register import NewEntry, Register
from desk.sim.workload import build, feed_entry, settings_for
from desk.valuation.prices import PricePolicy
from desk.valuation.receipt import value_inflows
from desk.valuation.reserve import end_of, reserve_report, value_series


async def seconds(coro) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = await coro
    return time.perf_counter() - start, result


async def measure(n: int, directory: Path) -> list[tuple[str, str, str, str]]:
    now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    path = directory / f"valuation-{n}.sqlite"

    def progress(done: int) -> None:
        print(f"  {n:,}: ingested {done:,}", file=sys.stderr, end="\r")

    build_s, t0 = await seconds(build(path, n, now, progress=progress))
    print(file=sys.stderr)
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
