"""Valuation benchmark: a register of N entries (earnings, payouts, a daily transfer into the
reserve) with a year of prices, then

- the valuation-at-receipt pass over N unvalued entries, and again after 1k new entries
  (the ratio shows the pass is incremental: it costs what is new, not what is there);
- the same for the FIFO lots kept in the register: the first pass over N entries, then 1k
  new ones, then 1k with one dated a day back (rewound to it, not replayed from scratch);
- the reserve's value now, without and with the FIFO lots (cost basis, unrealised), and the
  kept lots checked against a replay of the whole register from scratch;
- the reserve's value on each of 365 past days, in one pass and as 365 separate reports.

    .venv/bin/python bench/valuation.py [--sizes 100000,1000000]

Building a million-entry register takes a minute or two; each size is built fresh.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import print_table

from desk.register import NewEntry, Register
from desk.sim.workload import build, feed_entry, settings_for
from desk.valuation import fifo
from desk.valuation.prices import PricePolicy
from desk.valuation.receipt import value_inflows
from desk.valuation.worth import end_of, reserve_report, value_series


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
        first_s, first = await seconds(fifo.advance(reg, policy))
        await reg.ingest(fresh(t0, n, now - timedelta(minutes=1), "new"))
        inc_s, inc = await seconds(value_inflows(reg, policy))
        inc_lots_s, inc_lots = await seconds(fifo.advance(reg, policy))
        idle_s, _ = await seconds(value_inflows(reg, policy))
        idle_lots_s, _ = await seconds(fifo.advance(reg, policy))
        now_s, report = await seconds(reserve_report(reg, settings, now, with_lots=False))
        lots_s, with_lots = await seconds(reserve_report(reg, settings, now))
        # 1k more entries, one of them dated a day back: the lots are rewound to it, not replayed
        later = now + timedelta(minutes=30)
        await reg.ingest([*fresh(t0, n, later, "later")[:-1], *fresh(t0, n, now - timedelta(days=1), "late")[-1:]])
        await value_inflows(reg, policy)
        late_s, late = await seconds(fifo.advance(reg, policy))
        list_s, listed = await seconds(fifo.held(reg, policy, later))
        days = [now.date() - timedelta(days=k) for k in range(365, 0, -1)]
        series_s, _ = await seconds(value_series(reg, settings, days))
        start = time.perf_counter()
        for day in days:
            await reserve_report(reg, settings, end_of(day), with_lots=False)
        naive_s = time.perf_counter() - start
        past_s, _ = await seconds(reserve_report(reg, settings, end_of(days[len(days) // 2])))
        check_s, problems = await seconds(fifo.check(reg, policy))
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
            f"FIFO lots, first pass over {n:,}",
            f"{first_s:.2f} s",
            f"{first.replayed / first_s:,.0f} entries/s, kept in the register",
            "",
        ),
        (
            "valuation pass, +1k new",
            f"{inc_s * 1e3:.1f} ms",
            f"{full_s / inc_s:,.0f}x faster than the full pass ({inc.valued:,} valued)",
            "incremental",
        ),
        (
            "FIFO lots, +1k new",
            f"{inc_lots_s * 1e3:.1f} ms",
            f"{first_s / inc_lots_s:,.0f}x faster than the first pass ({inc_lots.replayed:,} replayed)",
            "incremental",
        ),
        (
            "both passes, nothing new",
            f"{(idle_s + idle_lots_s) * 1e3:.1f} ms",
            f"valuations {idle_s * 1e3:.1f} ms, lots {idle_lots_s * 1e3:.1f} ms",
            "",
        ),
        (
            "FIFO lots, +1k new, one a day late",
            f"{late_s * 1e3:.1f} ms",
            f"rewound a day, {late.replayed:,} replayed",
            "",
        ),
        (
            "value now (balances x prices)",
            f"{now_s * 1e3:.1f} ms",
            f"{report.total_usd:,.0f} USD, {len(report.flags)} flags",
            "",
        ),
        (
            "value now with FIFO lots",
            f"{lots_s * 1e3:.1f} ms",
            f"{lots_s / now_s:.2f}x without; unrealised {with_lots.unrealised_usd:,.0f} USD",
            "<= 2x",
        ),
        (
            "value with FIFO lots, half a year back",
            f"{past_s * 1e3:.1f} ms",
            "from the day sums kept",
            "",
        ),
        ("list the reserve's lots", f"{list_s:.2f} s", f"{len(listed):,} lots", ""),
        (
            "value on 365 past days, one pass",
            f"{series_s * 1e3:.1f} ms",
            f"{naive_s / series_s:,.1f}x faster than 365 reports ({naive_s:.2f} s)",
            "",
        ),
        (
            "kept lots = replay from scratch",
            "OK" if not problems else "FAILED",
            f"{check_s:.1f} s; " + ("; ".join(problems) if problems else "every lot and every day"),
            "OK",
        ),
        ("chains verify after valuation", "OK" if ok else "FAILED", "", "OK"),
    ]


def fresh(t0: datetime, n: int, at: datetime, tag: str) -> list[NewEntry]:
    """1k more feed entries, dated at `at` (each a second before the next)."""
    return [
        dataclasses.replace(feed_entry(i, t0), ts=at - timedelta(seconds=1_000 - k), external_id=f"{tag}-{i}")
        for k, i in enumerate(range(n, n + 1_000))
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
