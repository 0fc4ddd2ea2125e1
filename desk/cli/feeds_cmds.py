"""`desk feeds check` (poll every feed once, print their health), `desk feeds refused` and
`desk feeds acknowledge` (the rows the sync refused)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from desk.cli.catalogue import summary
from desk.cli.common import add_command, settings_from
from desk.cli.exit_codes import ExitCode
from desk.controls import Controls
from desk.feeds.factory import build_feeds
from desk.feeds.feed import poll_all
from desk.feeds.http import HttpClient, http_session
from desk.register import EntryRejected, NotFound, Register, RegisterUnavailable

STYLES = {"ok": "green", "stale": "yellow", "degraded": "yellow", "down": "red"}


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    feeds = subparsers.add_parser("feeds", help=summary("feeds"), description=summary("feeds"))
    feeds_sub = feeds.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)
    check = add_command(
        feeds_sub,
        "check",
        help="poll every configured feed once and print its health",
        description="Poll every configured pool and price feed once, at the same time, and print "
        "feed, status, latency, last datum and reason. Exits 1 if any feed is not ok.",
    )
    check.set_defaults(handler=feeds_check)

    refused = add_command(
        feeds_sub,
        "refused",
        help="rows of the feeds' answers refused, with the reason",
        description="List the rows the sync refused from the feeds' answers (a fee over its "
        "payout, garbled bytes, a field of the wrong type ...): open ones are asked for again on "
        "every poll until they parse or an operator acknowledges them. Exits 1 while any is open.",
    )
    refused.add_argument("--all", action="store_true", help="also the resolved and acknowledged ones")
    refused.add_argument("--json", action="store_true", help="one JSON object per row")
    refused.set_defaults(handler=feeds_refused)

    ack = add_command(
        feeds_sub,
        "acknowledge",
        help="accept a refused row as not to be written",
        description="Accept an open refused row (see `desk feeds refused`) as one the pool will not "
        "correct: it is no longer asked for or shown as open. Recorded in the chained actions log "
        "with your name and note. Exits 4 if it is not an open refused row.",
    )
    ack.add_argument("id", type=int, help="the refused row's id")
    ack.add_argument("--note", default="", help="why it may stay unwritten")
    ack.set_defaults(handler=feeds_acknowledge)


async def feeds_check(args: argparse.Namespace) -> ExitCode:
    settings = settings_from(args)
    async with http_session() as http:
        await honour_blocks(http, settings.register.path, settings.operator.name)
        feeds = build_feeds(settings, http)
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
        table.add_row(
            feed.name,
            f"[{STYLES[state]}]{state}[/]",
            f"{result.latency_s * 1000:.0f} ms",
            last,
            escape(feed.health.reason(now) or ""),
        )
    Console(width=max(120, Console().width)).print(table)
    return ExitCode.OK if all(r.ok for r in results) else ExitCode.FAILED


async def honour_blocks(http: HttpClient, path: Path, operator: str) -> None:
    """The bans and waits `desk sync` was told of, from the register when there is one: a
    check must not ask a banned host again and extend its ban."""
    try:
        async with Register.open(path, operator=operator) as register:
            blocks = await register.host_blocks(datetime.now(UTC))
    except RegisterUnavailable:
        return
    for block in blocks:
        http.restore_block(block.host, block.until, block.kind)


async def feeds_refused(args: argparse.Namespace) -> ExitCode:
    settings = settings_from(args)
    try:
        async with Register.open(settings.register, operator=settings.operator.name) as register:
            rows = await register.refusals()
            if args.all:
                rows += await register.refusals(state="acknowledged") + await register.refusals(state="resolved")
    except RegisterUnavailable as exc:
        print(f"desk feeds refused: {exc}", file=sys.stderr)
        return ExitCode.REGISTER
    if args.json:
        for row in rows:
            print(
                json.dumps(
                    {
                        "id": row.id,
                        "feed": row.feed,
                        "kind": row.kind,
                        "day": row.day.isoformat(),
                        "where": row.place,
                        "reason": row.reason,
                        "state": row.state,
                        "times": row.times,
                        "first_seen": row.first_seen.isoformat(),
                        "last_seen": row.last_seen.isoformat(),
                        "settled_by": row.settled_by,
                        "note": row.note,
                    }
                )
            )
    else:
        table = Table(title="refused rows" if args.all else "refused rows still open")
        for column in ("id", "feed", "day", "state", "seen", "reason"):
            table.add_column(column)
        for row in rows:
            table.add_row(str(row.id), row.feed, row.day.isoformat(), row.state, f"{row.times}x", escape(row.reason))
        Console(width=max(120, Console().width)).print(table)
    return ExitCode.FAILED if any(row.state == "open" for row in rows) else ExitCode.OK


async def feeds_acknowledge(args: argparse.Namespace) -> ExitCode:
    settings = settings_from(args)
    try:
        controls = Controls.from_settings(settings)  # acknowledging a refused row is a checker's act
        async with Register.open(settings.register, operator=settings.operator.name, controls=controls) as reg:
            seq = await reg.acknowledge_refusal(args.id, args.note)
    except RegisterUnavailable as exc:
        print(f"desk feeds acknowledge: {exc}", file=sys.stderr)
        return ExitCode.REGISTER
    except (EntryRejected, NotFound) as exc:
        print(f"desk feeds acknowledge: {exc}", file=sys.stderr)
        return ExitCode.REFUSED
    print(f"refused row {args.id} acknowledged (action #{seq})")
    return ExitCode.OK
