"""Compliance commands: `desk compliance` (sell-through standing), `desk fee` and
`desk fee record` (the digital-mining fee)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from decimal import Decimal

from rich.console import Console
from rich.table import Table

from desk.cli.common import add_command, global_options, opened, register_errors, settings_from
from desk.cli.exit_codes import ExitCode
from desk.compliance import (
    VERIFY_MARK,
    ComplianceError,
    ComplianceSnapshot,
    FeeError,
    PeriodError,
    compliance_snapshot,
    fee_statement,
    parse_period,
    record_kwh,
)
from desk.compliance.fee import kwh_text
from desk.compliance.periods import period_of
from desk.money import amount_text

STATUS_STYLE = {"ok": "green", "amber": "yellow", "red": "bold red"}


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    p = add_command(
        subparsers,
        "compliance",
        description="For each mined asset in a period: mined, sold on eligible (AIFC-licensed) venues, "
        "sold elsewhere, retained; the share against the required share of the schedule in force; the "
        "shortfall or surplus in coin and KZT; days left; status ok / amber (behind pace) / red (past "
        "due and short; exit 1). The shipped schedule is as reported: verify against the current law.",
    )
    p.add_argument("--period", metavar="PERIOD", help="2026-11, 2026-Q4 or 2026 (default: the current one)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=compliance)

    p = add_command(
        subparsers,
        "fee",
        description="The fee per kWh from the effective-dated rate table (highest applicable rate wins), "
        "due on the 20th of the month after the quarter. `desk fee record` enters kWh.",
    )
    p.add_argument("--period", metavar="PERIOD", help="a quarter (2026-Q4) or a month in it (default: now)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=fee)
    actions = p.add_subparsers(dest="fee_action", metavar="ACTION")
    r = actions.add_parser(
        "record", help="record kWh consumed in a month or quarter (chained, signed)", parents=[global_options()]
    )
    r.add_argument("--period", dest="record_period", required=True, metavar="PERIOD", help="2026-11 or 2026-Q4")
    r.add_argument("--kwh", required=True, help="kWh consumed (exact decimal; negative corrects an earlier record)")
    r.add_argument(
        "--source",
        dest="energy",
        action="append",
        required=True,
        metavar="ENERGY",
        help="renewable | own | unmetered (or a tag of the configured table); repeat when several apply",
    )
    r.add_argument("--memo", default="", help="free text, e.g. meter reading reference")
    r.set_defaults(handler=fee_record)


def _now() -> datetime:
    return datetime.now(UTC)


def _kwh(value: Decimal) -> str:
    return f"{Decimal(kwh_text(value)):,}"


def _pct(value: object) -> str:
    return "—" if value is None else f"{value * 100:.2f} %"  # type: ignore[operator]


@register_errors("compliance")
async def compliance(args: argparse.Namespace) -> ExitCode:
    settings = settings_from(args)
    now = _now()
    try:
        period = parse_period(args.period) if args.period else None
        async with opened(settings) as register:
            snapshot = await compliance_snapshot(register, settings, now=now, period=period)
    except (PeriodError, ComplianceError) as exc:
        print(f"desk compliance: {exc}", file=sys.stderr)
        return ExitCode.REFUSED
    if args.json:
        print(json.dumps(snapshot.as_dict()))
    else:
        _print_compliance(snapshot)
    # past due and short is a failed check, for cron like `desk reconcile`; behind pace is not
    return ExitCode.FAILED if snapshot.status == "red" else ExitCode.OK


def _print_compliance(snapshot: ComplianceSnapshot) -> None:
    """One column per asset, one line per measure: twelve measures side by side cut every
    amount at 120 columns (`0.2807…`); a few assets side by side never are."""
    label, rows = snapshot.period.label, snapshot.rows
    console = Console(width=max(120, Console().width))
    table = Table(title=f"sell-through {label}")
    table.add_column("measure", justify="left", no_wrap=True)
    for r in rows:
        table.add_column(r.asset, justify="right", no_wrap=True)
    measures: list[tuple[str, list[str]]] = [
        ("mined", [amount_text(r.mined) for r in rows]),
        ("sold eligible", [amount_text(r.sold_eligible) for r in rows]),
        ("sold elsewhere", [amount_text(r.sold_elsewhere) for r in rows]),
        ("to reserve", [amount_text(r.to_reserve) + (" (counts)" if r.reserve_counts else "") for r in rows]),
        ("retained", [amount_text(r.retained) for r in rows]),
        ("share", [_pct(r.share) for r in rows]),
        ("required", [_pct(r.required_share) for r in rows]),
        ("gap", [amount_text(r.gap) if r.gap is not None else "—" for r in rows]),
        ("gap KZT", [f"{r.gap_kzt:,.2f} KZT" if r.gap_kzt is not None else "no price" for r in rows]),
        ("days left", [str(r.days_left) for r in rows]),
        ("status", [f"[{STATUS_STYLE[r.status]}]{r.status}[/]" for r in rows]),
    ]
    for name, cells in measures:
        table.add_row(name, *cells)
    console.print(table)
    if not rows:
        console.print(f"nothing mined or sold in {label}")
    for rule in snapshot.rules:
        console.print(
            f"rule {rule.id} ({rule.effective_from} – {rule.effective_to or 'open'}): "
            f"{_pct(rule.required_share)} of {rule.basis.replace('_', ' ')} per {rule.period}; {rule.source}",
            highlight=False,
        )
    if not snapshot.rules:
        console.print(f"no sell-through rule is in force in {label}")
    for r in rows:
        if r.gap_kzt_note:
            console.print(f"{r.asset}: KZT value unavailable: {r.gap_kzt_note}", highlight=False)
    if snapshot.verify_mark:
        console.print(f"[bold yellow]{snapshot.verify_mark}[/]")


@register_errors("fee")
async def fee(args: argparse.Namespace) -> ExitCode:
    settings = settings_from(args)
    now = _now()
    period_text = args.period or period_of("quarter", now.date()).label
    try:
        async with opened(settings) as register:
            statement = await fee_statement(register, settings, period_text, now=now)
    except (PeriodError, FeeError) as exc:
        print(f"desk fee: {exc}", file=sys.stderr)
        return ExitCode.REFUSED
    if args.json:
        print(json.dumps(statement.as_dict()))
        return ExitCode.OK
    console = Console(width=max(100, Console().width))
    table = Table(title=f"digital-mining fee {statement.quarter.label}")
    for column in ("#", "period", "kWh", "energy", "KZT/kWh", "fee KZT", "by", "memo"):
        table.add_column(column)
    for line in statement.lines:
        table.add_row(
            str(line.action_seq),
            line.period,
            _kwh(line.kwh),
            ", ".join(line.energy),
            f"{line.rate} ({line.rate_energy})",
            f"{line.fee:,.2f}",
            line.operator,
            line.memo,
        )
    console.print(table)
    when = "overdue" if statement.overdue else f"in {statement.days_to_due} days"
    console.print(
        f"fee due {statement.fee:,.2f} KZT for {_kwh(statement.kwh)} kWh, due {statement.due} ({when})", highlight=False
    )
    for source in dict.fromkeys(line.source for line in statement.lines):
        console.print(f"rate: {source}", highlight=False)
    if statement.verify:
        console.print(f"[bold yellow]{VERIFY_MARK}[/]")
    return ExitCode.OK


@register_errors("fee record")
async def fee_record(args: argparse.Namespace) -> ExitCode:
    settings = settings_from(args)
    try:
        async with opened(settings) as register:
            seq = await record_kwh(register, settings, args.record_period, args.kwh, args.energy, args.memo)
    except (PeriodError, FeeError) as exc:
        print(f"desk fee record: {exc}", file=sys.stderr)
        return ExitCode.REFUSED
    print(f"recorded {args.kwh} kWh for {args.record_period} ({', '.join(sorted(set(args.energy)))}) as action #{seq}")
    return ExitCode.OK
