"""Sync benchmark: backfill 100k simulated payouts into an empty register, end to end, where
the time goes (HTTP, parsing, mapping to entries, SQLite), and the longest stall of the event
loop meanwhile (what a screen on the same loop would feel). The simulator runs in its own
process so that its work is not counted against the engine.

    .venv/bin/python bench/sync.py [--payouts 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import aiohttp
from common import print_table

from desk.config import load_settings
from desk.feeds.http import HttpClient
from desk.register import Register
from desk.sync import SyncEngine
from desk.sync.mapping import map_records

spent: dict[str, float] = defaultdict(float)  # float-ok: seconds


stall = [0.0]  # float-ok: seconds


async def loop_stalls() -> None:
    """Tick every 5 ms and record the longest overshoot: how long the loop was blocked."""
    while True:
        before = time.perf_counter()
        await asyncio.sleep(0.005)
        stall[0] = max(stall[0], time.perf_counter() - before - 0.005)


def timed(name: str, fn):  # type: ignore[no-untyped-def]
    async def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return await fn(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - start

    return wrapper


def timed_call(name: str, fn):  # type: ignore[no-untyped-def]
    """`fn` (a plain function, perhaps run in a worker thread) with its time added to `spent`."""

    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - start

    return wrapper


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--payouts", type=int, default=100_000)
    args = parser.parse_args()
    days = 20
    per_day = -(-args.payouts // (4 * days))
    sim = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "desk",
        "sim",
        "--json",
        "--days",
        str(days),
        "--payouts-per-day",
        str(per_day),
        "--threshold-sats",
        "1",
        stdout=asyncio.subprocess.PIPE,
    )
    assert sim.stdout is not None
    sim_overrides = json.loads(await sim.stdout.readline())
    with tempfile.TemporaryDirectory() as tmp:
        try:
            path = Path(tmp) / "bench.sqlite"
            overrides = {**sim_overrides, "register": {"path": str(path)}, "sync": {"backfill_days": days + 5}}
            settings = load_settings(None, env={}, overrides=overrides)
            async with (
                Register.open(path, operator="bench", create=True) as register,
                aiohttp.ClientSession() as session,
            ):
                await register.init_accounts(settings)
                http = HttpClient(session, pacing=False)
                http.request = timed("http", http.request)  # type: ignore[method-assign]
                register.ingest = timed("sqlite", register.ingest)  # type: ignore[method-assign]
                engine = SyncEngine(settings, register, http, mapper=timed_call("mapping", map_records))
                for feed in engine.feeds:
                    feed.poll = timed("poll", feed.poll)  # type: ignore[method-assign]
                watcher = asyncio.create_task(loop_stalls())
                start = time.perf_counter()
                summary = await engine.run_once()
                total = time.perf_counter() - start
                watcher.cancel()
                assert not summary.failed, summary.failed
                payouts = await register.count()  # entries: the payouts and ~84 daily earnings
        finally:
            sim.terminate()
            await sim.wait()
    # pools are polled concurrently: shares are of the summed per-feed time, not of wall time
    parse = spent["poll"] - spent["http"]
    busy = spent["poll"] + spent["mapping"] + spent["sqlite"]
    rows = [
        ("longest event-loop stall", f"{stall[0] * 1000:.0f} ms", "a frame at 60 fps is 17 ms", "<= 50 ms"),
        ("backfill end to end", f"{payouts / total:,.0f} payouts/s", f"{payouts:,} payouts in {total:.1f} s", ""),
        ("  HTTP (request + transfer)", f"{spent['http']:.2f} s", f"{spent['http'] / busy:.0%} of feed time", ""),
        ("  parsing into records", f"{parse:.2f} s", f"{parse / busy:.0%}", ""),
        ("  mapping to entries", f"{spent['mapping']:.2f} s", f"{spent['mapping'] / busy:.0%}", ""),
        ("  SQLite (ingest)", f"{spent['sqlite']:.2f} s", f"{spent['sqlite'] / busy:.0%}", ""),
    ]
    print_table(f"sync benchmark, backfill of {payouts:,} payouts from desk.sim", rows)


if __name__ == "__main__":
    asyncio.run(main())
