"""`desk value`: what the reserve is worth, where every figure's price came from, and what is
missing, stale or inconsistent."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from desk.cli.common import add_command, day, instant, settings_from
from desk.cli.exit_codes import ExitCode
from desk.register import Register, RegisterUnavailable
from desk.valuation import fifo
from desk.valuation.prices import PricePolicy, Valued
from desk.valuation.receipt import value_inflows
from desk.valuation.worth import DayValue, ReserveReport, end_of, reserve_report, value_series


def _moment(text: str) -> datetime:
    """A date (the end of that UTC day) or a date-time (UTC unless it says otherwise)."""
    try:
        return end_of(day(text)) if len(text.strip()) == 10 else instant(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (2026-11-06) or a date-time") from None


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    p = add_command(
        subparsers,
        "value",
        description="Value the reserve now (or at --at) in USD and KZT (the National Bank's USD/KZT of that "
        "business day), by asset, custody and source (mined, seized, purchased, transferred in) with weights, "
        "the FIFO cost basis and unrealised gain, each price with its source and age. Missing, stale and "
        "inconsistent prices are flagged, never shown as zero. First values any inflow not yet valued at "
        "receipt (the sync does this too). Exit codes: 0 every holding priced, 1 a holding's price is missing "
        "(the rest still shown; inflows still unvalued at receipt are flagged but do not change the code), "
        "2 bad arguments or configuration, 3 register could not be opened.",
    )
    p.add_argument("--at", type=_moment, metavar="DATE", help="value at the end of this UTC day (or this date-time)")
    p.add_argument("--days", type=int, default=0, metavar="N", help="also the value at the end of each of N days")
    p.add_argument("--json", action="store_true", help="one JSON document instead of tables")
    p.add_argument(
        "--check",
        action="store_true",
        help="instead: replay the FIFO lots from scratch and compare them, lot by lot and day by day, with those kept "
        "in the register (exit 1 naming the first differences)",
    )
    p.set_defaults(handler=value)


async def value(args: argparse.Namespace) -> ExitCode:
    settings = settings_from(args)
    if args.days < 0 or args.days > 3650:
        print("desk value: --days must be between 0 and 3650", file=sys.stderr)
        return ExitCode.CONFIG
    at = args.at or datetime.now(UTC)
    try:
        async with Register.open(settings.register, operator=settings.operator.name) as register:
            policy = PricePolicy.from_settings(settings)
            await value_inflows(register, policy)
            if args.check:
                return await check_lots(register, policy)
            report = await reserve_report(register, settings, at, list_lots=args.json)
            days = [at.date() - timedelta(days=n) for n in range(args.days - 1, -1, -1)]
            series = await value_series(register, settings, days)
    except RegisterUnavailable as exc:
        print(f"desk value: {exc}", file=sys.stderr)
        return ExitCode.REGISTER
    if args.json:
        print(json.dumps(as_json(report, series), indent=2))
    else:
        show(report, series, settings.reserve.fund)
    return ExitCode.FAILED if report.missing else ExitCode.OK


async def check_lots(register: Register, policy: PricePolicy) -> ExitCode:
    problems = await fifo.check(register, policy)
    for problem in problems:
        print(f"FAILED {problem}")
    if problems:
        return ExitCode.FAILED
    print(f"OK the FIFO lots kept equal a replay of all {await register.count():,} entries from scratch")
    return ExitCode.OK


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _price(v: Valued | None, at: datetime) -> dict[str, Any] | None:
    if v is None:
        return None
    return {
        "currency": v.currency,
        "value": str(v.value),
        "price": str(v.price),
        "source": v.source,
        "source_time": v.source_time.isoformat(),
        "age_seconds": int((at - v.source_time).total_seconds()),
        "stale": v.stale,
        "kzt_rate": _s(v.kzt_rate),
        "kzt_rate_date": v.kzt_rate_date.isoformat() if v.kzt_rate_date else None,
    }


def as_json(report: ReserveReport, series: list[DayValue]) -> dict[str, Any]:
    """Every figure as exact decimal text, with its price's source and age."""

    def slices(items: list) -> list[dict[str, Any]]:
        return [
            {"label": s.label, "usd": _s(s.usd), "kzt": _s(s.kzt), "weight": _s(s.weight), "percent": s.percent}
            for s in items
        ]

    return {
        "at": report.at.isoformat(),
        "total": {"usd": str(report.total_usd), "kzt": str(report.total_kzt), "usdt_priced": str(report.total_usdt)},
        "cost_basis": {"usd": _s(report.cost_usd), "kzt": _s(report.cost_kzt)} if report.cost_known else None,
        "unrealised": {"usd": _s(report.unrealised_usd), "kzt": _s(report.unrealised_kzt)}
        if report.cost_known
        else None,
        "weight_basis": report.weight_basis,
        "assets": [
            {
                "asset": f.asset,
                "amount": str(f.amount.value),
                "usd": _price(f.usd, report.at),
                "kzt": _price(f.kzt, report.at),
                "cost_usd": _s(f.cost_usd),
                "cost_kzt": _s(f.cost_kzt),
                "unrealised_usd": _s(f.unrealised_usd),
                "unrealised_kzt": _s(f.unrealised_kzt),
                "unknown_cost": _s(f.unknown_cost.value) if f.unknown_cost else None,
            }
            for f in report.assets
        ],
        "by_asset": slices(report.by_asset),
        "by_custody": slices(report.by_custody),
        "by_source": slices(report.by_source),
        "lots": [
            {
                "asset": lot.asset,
                "account": lot.account,
                "amount": str(lot.units),
                "source": lot.source,
                "acquired": lot.acquired.isoformat(),
                "entry_seq": lot.entry_seq,
                "cost_usd": _s(lot.cost_usd),
                "cost_kzt": _s(lot.cost_kzt),
                "basis": lot.basis,
            }
            for lot in report.lots
        ],
        "series": [
            {
                "day": d.day.isoformat(),
                "usd": str(d.usd),
                "kzt": str(d.kzt),
                "missing": list(d.missing),
                "stale": d.stale,
            }
            for d in series
        ],
        "flags": [
            {
                "kind": f.kind,
                "asset": f.asset,
                "message": f.message,
                "prices": [{"source": s, "price": str(p), "time": t.isoformat()} for s, p, t in f.prices],
            }
            for f in report.flags
        ],
    }


def _money(value: Decimal | None, none: str = "MISSING") -> str:
    return none if value is None else f"{value.quantize(Decimal('0.01')):,}"


def _cost_line(report: ReserveReport) -> str:
    if not report.cost_known:
        return "cost unknown (no lot of known cost)"
    return (
        f"cost {_money(report.cost_usd)} USD / {_money(report.cost_kzt)} KZT  "
        f"unrealised {_money(report.unrealised_usd)} USD / {_money(report.unrealised_kzt)} KZT"
    )


def show(report: ReserveReport, series: list[DayValue], fund: str) -> None:
    console = Console(width=max(160, Console().width))
    console.print(
        f"[b]{fund}[/b] reserve at {report.at:%Y-%m-%d %H:%M:%S} UTC: "
        f"[b]{_money(report.total_usd)} USD[/b]"
        + (f" (of which {_money(report.total_usdt)} priced in USDT)" if report.total_usdt else "")
        + f" / [b]{_money(report.total_kzt)} KZT[/b]  "
        + _cost_line(report)
    )
    table = Table(title="by asset")
    for column in ("asset", "amount", "USD", "KZT", "weight %", "price", "source", "age", "cost USD", "unrealised USD"):
        table.add_column(
            column, justify="right" if column not in ("asset", "source") else "left", no_wrap=column != "source"
        )
    for f, s in zip(report.assets, report.by_asset, strict=True):
        age = f"{int((report.at - f.usd.source_time).total_seconds())} s" if f.usd else "-"
        stale = " STALE" if f.usd and f.usd.stale else ""
        table.add_row(
            f.asset,
            f.amount.format(),
            _money(f.usd.value if f.usd else None) + ("" if not f.usd or f.usd.currency == "USD" else " USDT"),
            _money(f.kzt.value if f.kzt else None),
            s.percent,
            f"{f.usd.price:,}" if f.usd else "-",
            (f.usd.source if f.usd else "-")
            + (f"; USD/KZT {f.kzt.kzt_rate} of {f.kzt.kzt_rate_date}" if f.kzt and f.kzt.kzt_rate else ""),
            age + stale,
            _money(f.cost_usd, "unknown"),
            _money(f.unrealised_usd, "unknown" if f.cost_usd is None else "MISSING"),
        )
    console.print(table)
    for title, items in (("by custody", report.by_custody), ("by source", report.by_source)):
        part = Table(title=f"{title} (weights on {report.weight_basis})")
        for column in ("", "USD", "KZT", "weight %"):
            part.add_column(column, justify="left" if not column else "right")
        for s in items:
            part.add_row(s.label, _money(s.usd), _money(s.kzt), s.percent)
        console.print(part)
    if series:
        days = Table(title="value at the end of each day")
        for column in ("day", "USD", "KZT", "flags"):
            days.add_column(column, justify="left" if column in ("day", "flags") else "right")
        for d in series:
            note = ("missing " + ", ".join(d.missing) if d.missing else "") + (" stale" if d.stale else "")
            days.add_row(d.day.isoformat(), _money(d.usd), _money(d.kzt), note.strip())
        console.print(days)
    for flag in report.flags:
        style = "bold red" if flag.kind in ("missing", "inconsistent", "unvalued inflows") else "yellow"
        console.print(f"[{style}]{flag.kind.upper()}[/{style}] {flag.message}")
