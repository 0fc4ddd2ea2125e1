"""`desk sync` (headless: cron with --once, or a service) and `desk status`."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from desk.cli.common import add_command, settings_from
from desk.cli.exit_codes import ExitCode
from desk.config import DeskSettings
from desk.feeds.crash import crashed
from desk.operations.sync_service import SyncAlreadyRunning, claim_register, run_engine, stop_on_signals
from desk.register import Register, RegisterUnavailable
from desk.sync.crashlog import crash_log
from desk.sync.reporters import json_lines, terminal


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    p = add_command(
        subparsers,
        "sync",
        description="Poll every configured feed into the register. With --once, one round and exit "
        "(for cron); without, run until SIGINT/SIGTERM, finishing the write in flight (a service). "
        "On a terminal: a line per feed and a progress bar; otherwise one JSON line per event. "
        "Exit codes: 0 all feeds ok, 1 some feed failed (the rest still written), "
        "2 bad configuration, 3 register could not be opened or another sync runs.",
    )
    p.add_argument("--once", action="store_true", help="one round, then exit")
    p.add_argument("--json", action="store_true", help="JSON lines even on a terminal")
    p.add_argument(
        "--control",
        action="store_true",
        help="take commands on stdin (`poll NAME`) and stop when stdin ends: how the screen runs it",
    )
    p.add_argument(
        "--nice",
        type=int,
        default=0,
        metavar="N",
        help="lower this process's CPU priority by N (the screen runs its sync at 10, so that frames "
        "come first when both want the CPU)",
    )
    p.set_defaults(handler=sync)

    p = add_command(subparsers, "status")
    p.set_defaults(handler=status)


async def sync(args: argparse.Namespace) -> ExitCode:
    settings = settings_from(args)
    if args.nice:
        os.nice(args.nice)
    reporter = terminal() if sys.stderr.isatty() and not args.json else json_lines()
    try:
        lock = await claim_register(settings)
    except (SyncAlreadyRunning, RegisterUnavailable) as exc:
        print(f"desk sync: {exc}", file=sys.stderr)
        return ExitCode.REGISTER
    try:
        with crash_log(settings.register):
            ok = await run_engine(
                settings, once=args.once, reporter=reporter, stop=stop_on_signals(), control=args.control
            )
    except RegisterUnavailable as exc:
        print(f"desk sync: {exc}", file=sys.stderr)
        return ExitCode.REGISTER
    except Exception as exc:  # outside any one feed (the alerts, the register closing): said, not a traceback
        with crash_log(settings.register) as path:
            error = crashed("desk sync", exc, "ran")
        print(f"desk sync: {error.reason}; the traceback is in {path}", file=sys.stderr)
        return ExitCode.FAILED
    finally:
        await lock.release()
    if not args.once:
        return ExitCode.OK  # a service stopped by a signal exits 0
    return ExitCode.OK if ok else ExitCode.FAILED


def configured_feeds(settings: DeskSettings) -> list[tuple[str, str]]:
    """Every enabled feed as (name, kind): the pools, then the price sources, the stream
    included (the order `desk sync` builds them in)."""
    feeds = [(name, "pool") for name, pool in settings.pools.items() if pool.enabled]
    feeds += [
        (name, "stream" if source.kind == "binance_ws" else "price")
        for name, source in settings.prices.sources.items()
        if source.enabled
    ]
    return feeds


async def status(args: argparse.Namespace) -> ExitCode:
    """Every configured feed, synced or not yet, with what the register last recorded of it;
    then the refused rows still open."""
    settings = settings_from(args)
    try:
        async with Register.open(settings.register, operator=settings.operator.name) as register:
            states = await register.sync_state()
            count = await register.count()
            refused = await register.refusals()
    except RegisterUnavailable as exc:
        print(f"desk status: {exc}", file=sys.stderr)
        return ExitCode.REGISTER
    now = datetime.now(UTC)
    table = Table(title=f"{settings.register.path} — {count:,} entries")
    for column in ("feed", "kind", "health", "last successful sync", "age", "written", "reason"):
        table.add_column(column)
    configured = configured_feeds(settings)
    rows = [(name, kind, states.get(name)) for name, kind in configured]
    rows += [(name, "not configured", state) for name, state in states.items() if name not in dict(configured)]
    for feed, kind, state in rows:
        if state is None:
            never = "the stream runs in the `desk sync` service only" if kind == "stream" else "`desk sync` runs it"
            table.add_row(feed, kind, "waiting", "-", "never", "0", f"not synced yet ({never})")
            continue
        last_ok = state["last_ok"]
        age = f"{int((now - last_ok).total_seconds())} s" if last_ok else "never"
        table.add_row(
            feed,
            kind,
            state["state"],
            f"{last_ok:%Y-%m-%d %H:%M:%S}" if last_ok else "-",
            age,
            f"{state['written']:,}",
            escape(state["reason"] or ""),
        )
    console = Console(width=max(120, Console().width))
    if not states:
        console.print("no sync has run yet: `desk sync --once`", markup=False)
    console.print(table)
    if refused:
        console.print(
            f"{len(refused)} refused rows open (oldest {refused[0].day}): `desk feeds refused` lists them, "
            "`desk feeds acknowledge ID` or the feeds screen accepts one",
            markup=False,
        )
    return ExitCode.OK
