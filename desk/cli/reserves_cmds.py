"""`desk reserves` (the register against the chain), `desk transparency` (the public
snapshot) and `desk hashprice` (expected against realised revenue per PH/s)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from desk.cli.common import add_command, settings_from
from desk.cli.exit_codes import ExitCode
from desk.config import DeskSettings
from desk.feeds.chains.esplora import EsploraClient, esplora_client
from desk.feeds.http import HttpClient, http_session
from desk.mining.hashprice import HashpriceReport, HashpriceUnavailable, hashprice_report
from desk.money import amount_text
from desk.proof.chains import ChainReader
from desk.proof.proof import NoReserveAddresses, ReserveReport, check_reserves
from desk.proof.transparency import ProofFailed, build_snapshot, write_snapshot
from desk.register import Register, RegisterUnavailable

SPARKS = "▁▂▃▄▅▆▇█"


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    p = add_command(
        subparsers,
        "reserves",
        description="Read the balance of every [[addresses]] entry of an assets:reserve:* account from its chain "
        "(BTC via Esplora, BNB via BSC JSON-RPC, KZTE via Solana JSON-RPC) and compare, per account and asset, with "
        "the register's balance, exactly. Exit codes: 0 every balance equal, 1 a difference or a chain that could "
        "not be read (named; the other chains are still reported), 2 bad configuration or no reserve address, "
        "3 register could not be opened.",
    )
    p.add_argument("--json", action="store_true", help="the report as JSON")
    p.set_defaults(handler=reserves)

    p = add_command(
        subparsers,
        "transparency",
        description="Check the reserves as `desk reserves` does and, when the register equals the chain, write "
        "reserve.json and index.html into DIR (mode 400, owner-only and read-only; a new DIR is made 700): fund, "
        "reserve addresses and balances, daily inflows by "
        "source (mined, seized, purchased, internal transfer), the proof at its block heights and the register's "
        "head hash. Nothing is written when the proof does not hold. Exit codes as for `desk reserves`.",
    )
    p.add_argument("--out", type=Path, default=Path("transparency"), metavar="DIR", help="default: ./transparency")
    p.set_defaults(handler=transparency)

    p = add_command(
        subparsers,
        "hashprice",
        description="Hashprice from difficulty and the last 144 blocks' fees (Esplora, or [mining] difficulty and "
        "fees_per_block_btc), in BTC, sats/TH/day, USD and KZT, beside the realised revenue per PH/s per day "
        "([mining] hashrate_ph) and their ratio. Each input shows its source and age. Exit codes: 0 ok, "
        "1 network figures unavailable, 2 bad configuration, 3 register could not be opened.",
    )
    p.add_argument("--json", action="store_true", help="the report as JSON")
    p.add_argument("--days", type=int, default=7, help="days of pool earnings for the realised figure (default 7)")
    p.set_defaults(handler=hashprice)


@asynccontextmanager
async def _open(settings: DeskSettings) -> AsyncIterator[tuple[Register, HttpClient]]:
    async with (
        Register.open(settings.register, operator=settings.operator.name) as register,
        http_session() as http,
    ):
        yield register, http


def _fail(command: str, message: str, code: ExitCode) -> ExitCode:
    print(f"desk {command}: {message}", file=sys.stderr)
    return code


async def reserves(args: argparse.Namespace) -> ExitCode:
    settings = settings_from(args)
    try:
        async with _open(settings) as (register, http):
            report = await check_reserves(settings, register, ChainReader(settings, http))
    except RegisterUnavailable as exc:
        return _fail("reserves", str(exc), ExitCode.REGISTER)
    except NoReserveAddresses as exc:
        return _fail("reserves", str(exc), ExitCode.CONFIG)
    if args.json:
        print(json.dumps(report.as_json(), indent=2))
    else:
        _print_report(report)
    for line in report.failures():
        print(f"desk reserves: {line}", file=sys.stderr)
    return ExitCode.OK if report.ok else ExitCode.FAILED


def _print_report(report: ReserveReport) -> None:
    """One section per reserve account. Cells fold rather than end in an ellipsis: an address
    or an amount is never cut short. The reasons for a failure follow on stderr."""
    table = Table(
        title=f"proof of reserves, read {report.checked_at:%Y-%m-%d %H:%M:%S} UTC; register head "
        f"#{report.register_head[0]} {report.register_head[1][:16]}…"
    )
    for column in ("address", "chain", "asset", "on chain", "in flight", "register", "difference", "as of"):
        figure = column in ("on chain", "in flight", "register", "difference")
        table.add_column(column, justify="right" if figure else "left", overflow="fold")
    for account in dict.fromkeys(c.account for c in report.checks):
        table.add_row(f"[bold]{account}[/]")
        for check in (c for c in report.checks if c.account == account):
            single = len(check.readings) == 1
            for reading in check.readings:
                balance = reading.balance
                as_of = ""
                if balance is not None and balance.block_height is not None:
                    as_of = f"{'slot' if reading.entry.chain == 'solana' else 'block'} {balance.block_height:,}"
                on_chain = "[red]unreadable[/]"
                if reading.on_chain is not None:
                    on_chain = amount_text(reading.on_chain, code=False)
                figures = _figures(check) if single else ("", "", "")
                table.add_row(reading.entry.address, reading.entry.chain, check.asset, on_chain, *figures, as_of)
            if not single:
                total = amount_text(check.on_chain, code=False) if check.on_chain is not None else "[red]unknown[/]"
                table.add_row("  all addresses", "", check.asset, total, *_figures(check), "")
    Console().print(table)
    flying = any(c.in_flight is not None for c in report.checks)
    if report.ok:
        rest = ", with the transfers in flight explaining the rest" if flying else ""
        print("OK: the register equals the chain" + rest)
    else:
        print("FAILED: see the lines below")


def _figures(check) -> tuple[str, str, str]:
    register = amount_text(check.register, code=False) if check.register is not None else "[red]not in register[/]"
    flight = amount_text(check.in_flight, code=False) if check.in_flight is not None else ""
    diff = check.difference
    if diff is None:
        shown = "[red]not proven[/]"
    elif diff and check.explained:
        shown = f"[yellow]{diff.format()}[/] in flight"  # a proof's difference to the last wei
    elif diff:
        shown = f"[red]{diff.format()}[/]"
    else:
        shown = "[green]0[/]"
    return flight, register, shown


async def transparency(args: argparse.Namespace) -> ExitCode:
    settings = settings_from(args)
    try:
        async with _open(settings) as (register, http):
            snapshot = await build_snapshot(settings, register, ChainReader(settings, http))
    except RegisterUnavailable as exc:
        return _fail("transparency", str(exc), ExitCode.REGISTER)
    except NoReserveAddresses as exc:
        return _fail("transparency", str(exc), ExitCode.CONFIG)
    except ProofFailed as exc:
        for line in exc.report.failures():
            print(f"desk transparency: {line}", file=sys.stderr)
        return _fail("transparency", "the register does not equal the chain; nothing written", ExitCode.FAILED)
    try:
        paths = await asyncio.to_thread(write_snapshot, snapshot, args.out)
    except OSError as exc:
        return _fail("transparency", f"{args.out}: cannot write: {exc.strerror}", ExitCode.FAILED)
    head = snapshot["register"]
    print(
        f"wrote {', '.join(str(p) for p in paths)} (read-only): register head #{head['head_seq']} {head['head_hash']}"
    )
    return ExitCode.OK


async def hashprice(args: argparse.Namespace) -> ExitCode:
    settings = settings_from(args)
    if args.days < 1:
        return _fail("hashprice", "--days must be at least 1", ExitCode.CONFIG)
    try:
        async with _open(settings) as (register, http):
            esplora: EsploraClient = esplora_client(settings, http)
            report = await hashprice_report(settings, register, esplora, http.clock.now(), days=args.days)
    except RegisterUnavailable as exc:
        return _fail("hashprice", str(exc), ExitCode.REGISTER)
    except HashpriceUnavailable as exc:
        return _fail("hashprice", str(exc), ExitCode.FAILED)
    if args.json:
        print(json.dumps(report.as_json(), indent=2))
    else:
        _print_hashprice(report)
    return ExitCode.OK


def _age(report: HashpriceReport, figure) -> str:
    age = figure.age(report.at)
    if age is None:
        return "configured"
    minutes = int(age.total_seconds()) // 60
    return f"{minutes} min old" if minutes < 120 else f"{minutes // 60} h old"


def _print_hashprice(report: HashpriceReport) -> None:
    console = Console(width=max(100, Console().width))
    table = Table(
        title=f"hashprice at {report.at:%Y-%m-%d %H:%M} UTC, height {report.height:,} ({report.height_source})",
        show_header=False,
    )
    table.add_column("what")
    table.add_column("figure", justify="right")
    table.add_column("source")
    table.add_row(
        "difficulty", f"{report.difficulty.value:,}", f"{report.difficulty.source}, {_age(report, report.difficulty)}"
    )
    table.add_row("subsidy", amount_text(report.subsidy), f"height {report.height:,}")
    table.add_row(
        "fees per block",
        f"{report.fees_per_block.value} BTC",
        f"{report.fees_per_block.source}, {_age(report, report.fees_per_block)}",
    )
    table.add_row("expected per PH/s per day", amount_text(report.expected), "")
    table.add_row("expected per TH/s per day", f"{report.sats_per_th_day} sats", "")
    for priced in report.priced:
        if priced.value is None:
            table.add_row(f"expected in {priced.currency}", "[red]no price[/]", priced.missing or "")
        else:
            stale = " [yellow](stale)[/]" if priced.stale else ""
            table.add_row(
                f"expected in {priced.currency} per PH/s per day",
                f"{priced.value:,.2f}{stale}",
                f"{priced.source} {priced.source_time:%Y-%m-%d %H:%M}" if priced.source_time else "",
            )
    if report.realised is not None:
        table.add_row(
            f"realised per PH/s per day ({report.realised_days} d)",
            amount_text(report.realised),
            escape(f"pools' earnings / {report.hashrate_ph} PH/s ({report.hashrate_source})"),
        )
        table.add_row("hashrate realisation", f"{report.realisation * 100:.2f} %", "realised / expected")
    else:
        table.add_row("realised per PH/s per day", "-", report.realised_note or "")
    console.print(table)
    if report.daily_mined:
        top = max(a.units for _, a in report.daily_mined) or 1
        spark = "".join(SPARKS[a.units * (len(SPARKS) - 1) // top] for _, a in report.daily_mined)
        first, last = report.daily_mined[0][0], report.daily_mined[-1][0]
        console.print(f"BTC mined per day {first} .. {last}: {spark}  (last {report.daily_mined[-1][1]})")
