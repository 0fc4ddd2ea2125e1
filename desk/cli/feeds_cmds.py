"""`desk feeds check` (poll every feed once, print their health) and `desk sim` (run the
simulated sources in the foreground)."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from datetime import UTC, datetime

import aiohttp
from rich.console import Console
from rich.table import Table

from desk.cli.catalogue import summary
from desk.cli.common import add_command, settings_from
from desk.cli.exit_codes import ExitCode
from desk.feeds.factory import build_feeds
from desk.feeds.feed import poll_all
from desk.feeds.http import HttpClient

STYLES = {"ok": "green", "stale": "yellow", "degraded": "yellow", "down": "red"}


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    feeds = subparsers.add_parser("feeds", help=summary("feeds"), description=summary("feeds"))
    feeds_sub = feeds.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)
    check = add_command(feeds_sub, "check", help="poll every configured feed once and print its health",
                        description="Poll every configured pool and price feed once, at the same time, and print "
                        "feed, status, latency, last datum and reason. Exits 1 if any feed is not ok.")
    check.set_defaults(handler=feeds_check)

    sim = add_command(subparsers, "sim",
                      description="Run desk's simulated sources on 127.0.0.1 until interrupted, and print the "
                      "configuration that points desk at them. Faults: POST {\"fault\": \"500\"} to "
                      "<source URL>/__sim/fault (500, 429, 418, drop, truncated, wrong_types, empty_number, 403).")
    sim.add_argument("--seed", type=int, default=7, help="the simulated history's seed (default 7)")
    sim.add_argument("--days", type=int, default=30, help="days of history before now (default 30)")
    sim.add_argument("--port", type=int, default=0, help="first port (default: any free ports)")
    sim.add_argument("--payouts-per-day", type=int, default=1, help="payouts per pool and day (bulk history)")
    sim.add_argument("--threshold-sats", type=int, default=1_000_000, help="pool payout threshold in sats")
    sim.add_argument("--json", action="store_true", help="print the config overrides as one JSON line")
    sim.set_defaults(handler=run_sim)


async def feeds_check(args: argparse.Namespace) -> ExitCode:
    settings = settings_from(args)
    async with aiohttp.ClientSession() as session:
        feeds = build_feeds(settings, HttpClient(session))
        results = await poll_all(feeds)
    now = datetime.now(UTC)
    table = Table(title="feeds")
    for column in ("feed", "status", "latency", "last datum", "reason"):
        table.add_column(column)
    for feed, result in zip(feeds, results, strict=True):
        state = feed.health.state(now)
        last = "-"
        if result.quotes:
            q = result.quotes[0]
            last = f"{q.base}/{q.quote} {q.price} at {q.source_time:%Y-%m-%d %H:%M} UTC"
        elif result.earnings or result.payouts:
            last = f"{len(result.earnings)} earnings, {len(result.payouts)} payouts"
        table.add_row(feed.name, f"[{STYLES[state]}]{state}[/]", f"{result.latency_s * 1000:.0f} ms", last,
                      feed.health.reason(now) or "")
    Console(width=max(120, Console().width)).print(table)
    return ExitCode.OK if all(r.ok for r in results) else ExitCode.FAILED


async def run_sim(args: argparse.Namespace) -> ExitCode:
    from desk.sim import SimCluster

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with SimCluster(seed=args.seed, days=args.days, port=args.port, payouts_per_day=args.payouts_per_day,
                          threshold_sats=args.threshold_sats) as sim:
        overrides = sim.settings_overrides()
        if args.json:
            print(json.dumps(overrides), flush=True)
            await stop.wait()
            return ExitCode.OK
        print("# desk.sim is running; point desk at it with this config (tokens are the sim's own):")
        for name, pool in overrides["pools"].items():
            print(f"\n[pools.{name}]")
            for key, value in pool.items():
                print(f'{key} = "{value}"')
        for name, source in overrides["prices"]["sources"].items():
            print(f"\n[prices.sources.{name}]")
            for key, value in source.items():
                print(f"{key} = {value!r}".replace("'", '"'))
        for name, chain in overrides["chains"].items():
            print(f"\n[chains.{name}]")
            for key, value in chain.items():
                print(f'{key} = "{value}"')
        for address in overrides["addresses"]:
            print("\n[[addresses]]")
            for key, value in address.items():
                print(f'{key} = "{value}"')
        print("\n# Ctrl+C stops it.", flush=True)
        await stop.wait()
    return ExitCode.OK
