"""Sync benchmark: backfill 100k simulated payouts into an empty register, end to end, and
where the time goes (HTTP, parsing, mapping to entries, SQLite).

    .venv/bin/python bench/sync.py [--payouts 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from common import print_table

from desk.config import load_settings
from desk.feeds.http import HttpClient
from desk.register import Register
from desk.sim import SimCluster
from desk.sync import SyncEngine

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
spent: dict[str, float] = defaultdict(float)  # float-ok: seconds


def timed(name: str, fn):  # type: ignore[no-untyped-def]
    async def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return await fn(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - start

    return wrapper


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--payouts", type=int, default=100_000)
    args = parser.parse_args()
    days = 20
    per_day = -(-args.payouts // (4 * days))
    with tempfile.TemporaryDirectory() as tmp:
        async with SimCluster(seed=5, now=NOW, days=days + 1, payouts_per_day=per_day, threshold_sats=1) as sim:
            path = Path(tmp) / "bench.sqlite"
            overrides = {**sim.settings_overrides(), "register": {"path": str(path)},
                         "sync": {"backfill_days": days + 5}}
            settings = load_settings(None, env={}, overrides=overrides)
            payouts = sum(len(p.payouts_until(sim.now())) for p in sim.model.pools.values())
            async with Register.open(path, operator="bench", create=True) as register, \
                    aiohttp.ClientSession() as session:
                await register.init_accounts(settings)
                http = HttpClient(session, pacing=False)
                http.request = timed("http", http.request)  # type: ignore[method-assign]
                register.ingest = timed("sqlite", register.ingest)  # type: ignore[method-assign]
                engine = SyncEngine(settings, register, http)
                engine._entries = timed("mapping", engine._entries)  # type: ignore[method-assign]
                for feed in engine.feeds:
                    feed.poll = timed("poll", feed.poll)  # type: ignore[method-assign]
                start = time.perf_counter()
                summary = await engine.run_once()
                total = time.perf_counter() - start
                assert not summary.failed, summary.failed
    # pools are polled concurrently: shares are of the summed per-feed time, not of wall time
    parse = spent["poll"] - spent["http"]
    busy = spent["poll"] + spent["mapping"] + spent["sqlite"]
    rows = [
        ("backfill end to end", f"{payouts / total:,.0f} payouts/s", f"{payouts:,} payouts in {total:.1f} s", ""),
        ("  HTTP (request + transfer)", f"{spent['http']:.2f} s", f"{spent['http'] / busy:.0%} of feed time", ""),
        ("  parsing into records", f"{parse:.2f} s", f"{parse / busy:.0%}", ""),
        ("  mapping to entries", f"{spent['mapping']:.2f} s", f"{spent['mapping'] / busy:.0%}", ""),
        ("  SQLite (ingest)", f"{spent['sqlite']:.2f} s", f"{spent['sqlite'] / busy:.0%}", ""),
    ]
    print_table(f"sync benchmark, backfill of {payouts:,} payouts from desk.sim", rows)


if __name__ == "__main__":
    asyncio.run(main())
