"""`desk report`: the monthly report in Markdown, HTML or CSV."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from desk.cli.common import add_command, instant, out_file, settings_from
from desk.cli.exit_codes import ExitCode
from desk.config import DeskSettings
from desk.private_files import write_private
from desk.register import Register, RegisterUnavailable
from desk.report import FORMATS, Month, build_report, render

if TYPE_CHECKING:
    from desk.reconcile import Report as Reconciliation


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


async def _reconcile(
    settings: DeskSettings, register: Register, month: Month, as_of: datetime | None
) -> Reconciliation:
    """The month's days up to today (or `as_of`), reconciled against the pools and the chain.
    Imported here: only --reconcile needs an HTTP client (aiohttp takes a while to load)."""
    from desk.feeds.http import http_session
    from desk.reconcile import reconcile
    from desk.reconcile.engine import chain_for

    today = (as_of or datetime.now(UTC)).date()
    last = min(month.next_first_day - timedelta(days=1), today)
    async with http_session() as http:
        return await reconcile(
            settings, register, http, since=month.first_day, until=last, chain=chain_for(settings, http), now=as_of
        )


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    p = add_command(
        subparsers,
        "report",
        description="The month's report from the register: inflows valued at receipt, hashprice realised, "
        "transfers into the reserve, conversions and sales, the reserve's composition and value, cost basis and "
        "unrealised, sell-through compliance, liquidation-to-production ratio, mining fee due, reconciliation, "
        "the approvals log and the chain head. The same register and arguments give the same bytes.",
    )
    p.add_argument("--month", required=True, type=_month, metavar="YYYY-MM", help="e.g. 2026-11")
    p.add_argument("--format", dest="fmt", choices=sorted(FORMATS), default="md", help="default: md")
    p.add_argument("--out", type=out_file, metavar="FILE", help="write here (default, or -: standard output)")
    p.add_argument("--detail", action="store_true", help="list the register entries behind every figure")
    p.add_argument(
        "--reconcile",
        action="store_true",
        help="also reconcile the month's days: pools vs register vs chain (reads the pools' and the chain's APIs)",
    )
    p.add_argument(
        "--as-of",
        type=instant,
        metavar="DATETIME",
        help="the report's date-time, printed in it; a month still running is cut here "
        "(default: now for a month still running, none printed for a past one)",
    )
    p.set_defaults(handler=report)


async def report(args: argparse.Namespace) -> ExitCode:
    settings = settings_from(args)
    try:
        async with Register.open(settings.register, operator=settings.operator.name) as register:
            run = await _reconcile(settings, register, args.month, args.as_of) if args.reconcile else None
            built = await build_report(
                register,
                settings,
                args.month,
                as_of=args.as_of,
                reconciliation=run,
                detail=args.detail,
                now=datetime.now(UTC),
            )
    except RegisterUnavailable as exc:
        print(f"desk report: {exc}", file=sys.stderr)
        return ExitCode.REGISTER
    except ValueError as exc:  # a month that has not begun, a pool the config does not name
        print(f"desk report --reconcile: {exc}", file=sys.stderr)
        return ExitCode.CONFIG
    text = render(built, args.fmt, detail=args.detail)
    if args.out is None:
        sys.stdout.write(text)
        return ExitCode.OK
    try:
        write_private(args.out, text)
    except OSError as exc:
        print(f"desk report: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return ExitCode.FAILED
    print(f"desk report: wrote {args.out}", file=sys.stderr)
    return ExitCode.OK
