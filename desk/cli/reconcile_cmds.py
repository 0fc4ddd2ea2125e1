"""`desk reconcile`: pools vs register vs chain per pool and UTC day, every break to the
satoshi, classified; `desk reconcile resolve ID --note TEXT` records an operator's word on
an unexplained break.

Exit codes: 0 no unexplained break is open; 1 (FAILED) open breaks remain, or a side (a
pool, the chain) could not be read; 2 bad configuration or arguments; 3 the register could
not be opened; 4 (REFUSED) a resolution refused (unknown id, already resolved, no note).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from rich.console import Console
from rich.table import Table

from desk.cli.common import add_command, day, settings_from
from desk.cli.exit_codes import ExitCode
from desk.config import DeskSettings
from desk.controls import Controls
from desk.feeds.http import http_session
from desk.money import Amount, amount_text
from desk.operations.breaks import find_break, resolve_break
from desk.reconcile import Break, Report, reconcile, report_json
from desk.reconcile.engine import chain_for
from desk.reconcile.movements import with_movements
from desk.reconcile.view import view_of
from desk.register import EntryRejected, Register, RegisterUnavailable
from desk.register.text import check_text

STATE_STYLE = {"open": "bold red", "explained": "yellow", "resolved": "cyan", "clean": "green"}


def _window_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--pool",
        action="append",
        metavar="NAME",
        help="only this pool (repeatable); receipts no pool accounts for are checked only without it",
    )
    p.add_argument("--from", dest="since", type=day, metavar="DATE", help="first UTC day (default: reconcile.days ago)")
    p.add_argument("--to", dest="until", type=day, metavar="DATE", help="last UTC day (default: today)")


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    p = add_command(
        subparsers,
        "reconcile",
        description="Compare what each pool reports (earnings, payouts), what the register holds, and what "
        "the chain shows at the wallet each pool pays into, per pool and UTC day. Mismatches are listed "
        "first, then clean days. Exit codes: 0 no unexplained break open, 1 open breaks remain or a pool "
        "or the chain could not be read, 2 bad configuration, 3 no register, 4 a resolution refused.",
    )
    _window_options(p)
    p.add_argument("--json", action="store_true", help="the report as JSON (amounts as exact strings)")
    p.add_argument(
        "--limit",
        type=int,
        default=SHOWN,
        metavar="N",
        help=f"list at most N breaks, open ones first (default {SHOWN}; 0: every one); the counts are always whole",
    )
    p.set_defaults(handler=run_report)
    actions = p.add_subparsers(dest="reconcile_action", metavar="ACTION")
    r = add_command(
        actions,
        "resolve",
        help="resolve an open break with a note (a recorded, chained action)",
        description="Record your resolution of an unexplained break. The break is looked up in a fresh "
        "reconciliation of the window (give --from/--to if its day is older than the default window).",
    )
    r.add_argument("break_id", metavar="ID", help="the break's id, as `desk reconcile` lists it (rb-...)")
    r.add_argument("--note", required=True, help="what the break was and what was done about it")
    _window_options(r)
    r.set_defaults(handler=run_resolve)


def _window(args: argparse.Namespace, settings: DeskSettings) -> tuple[date, date]:
    until = args.until or datetime.now(UTC).date()
    since = args.since or until - timedelta(days=settings.reconcile.days - 1)
    return since, until


async def _report(args: argparse.Namespace, settings: DeskSettings, register: Register) -> Report:
    since, until = _window(args, settings)
    async with http_session() as http:
        chain = chain_for(settings, http)
        report = await reconcile(settings, register, http, since=since, until=until, pools=args.pool, chain=chain)
        return await with_movements(settings, register, http, report)  # unrecorded movements: breaks too


async def run_report(args: argparse.Namespace) -> ExitCode:
    settings = settings_from(args)
    try:
        async with _open(settings) as register:
            report = await _report(args, settings, register)
    except RegisterUnavailable as exc:
        print(f"desk reconcile: {exc}", file=sys.stderr)
        return ExitCode.REGISTER
    except ValueError as exc:
        print(f"desk reconcile: {exc}", file=sys.stderr)
        return ExitCode.CONFIG
    if args.json:
        print(json.dumps(report_json(report), indent=2))
    else:
        _print(report, args.limit)
    for problem in report.problems:
        print(f"desk reconcile: {problem}", file=sys.stderr)
    return ExitCode.FAILED if report.open_breaks or report.problems else ExitCode.OK


async def run_resolve(args: argparse.Namespace) -> ExitCode:
    settings = settings_from(args)
    try:
        # the note is judged before pools and chains are asked: a bad one costs nothing
        args.note = check_text(args.note, "note", required=True)
        async with _open(settings) as register:
            found = find_break(view_of(await _report(args, settings, register)), args.break_id)
            if found is None:
                since, until = _window(args, settings)
                raise EntryRejected(
                    f"no break {args.break_id} between {since} and {until}; `desk reconcile` lists them "
                    "(give --from/--to to reach an older day)",
                    field="break",
                )
            seq = await resolve_break(register, found, args.note)
    except RegisterUnavailable as exc:
        print(f"desk reconcile: {exc}", file=sys.stderr)
        return ExitCode.REGISTER
    except EntryRejected as exc:
        print(f"desk reconcile resolve: {exc}", file=sys.stderr)
        return ExitCode.REFUSED
    except ValueError as exc:
        print(f"desk reconcile: {exc}", file=sys.stderr)
        return ExitCode.CONFIG
    print(f"resolved {found.id} ({found.kind}, {found.scope} {found.day}) as action #{seq}")
    return ExitCode.OK


def _open(settings: DeskSettings):  # type: ignore[no-untyped-def]
    controls = Controls.from_settings(settings)  # resolving a break is a checker's act
    return Register.open(settings.register, operator=settings.operator.name, controls=controls)


def _fmt(value: Amount | None) -> str:
    return "-" if value is None else amount_text(value, code=False)


#: Breaks listed by default: a register at odds with its pools has tens of thousands, and a
#: person reads the first ones and the counts; `--limit 0` or `--json` gives every one.
SHOWN = 50
#: Beyond this many breaks the list is printed as plain columns: a boxed table of tens of
#: thousands of rows took rich half a minute to lay out, and nobody reads its borders.
LONG = 500
BREAK_COLUMNS = ("id", "state", "scope", "day", "kind", "difference", "why")


def _break_cells(b: Break) -> tuple[str, ...]:
    why = b.why if b.resolution is None else f"{b.why} — resolved by {b.resolution.by}: {b.resolution.note}"
    return (b.id, b.state, b.scope, b.day.isoformat(), b.kind.value, amount_text(b.difference, code=False), why)


def _plain_columns(title: str, header: tuple[str, ...], rows: list[tuple[str, ...]], right: int) -> None:
    """`rows` under `header` in aligned columns, column `right` right-aligned, one write."""
    widths = [max([len(header[i]), *(len(r[i]) for r in rows)]) for i in range(len(header))]

    # one format string for every line: tens of thousands of rows, each padded in C
    layout = "  ".join(f"{{:{'>' if i == right else '<'}{w}}}" for i, w in enumerate(widths))
    lines = [layout.format(*cells).rstrip() for cells in [header, *rows]]
    sys.stdout.write("\n".join([title, *lines]) + "\n")


def _by_kind(breaks: list[Break]) -> str:
    """`not_reported_by_pool 86,412 open, dust 120 explained`: the counts per kind and state."""
    counts = Counter((b.kind.value, b.state) for b in breaks)
    return ", ".join(f"{kind} {n:,} {state}" for (kind, state), n in counts.most_common())


def _print(report: Report, limit: int = SHOWN) -> None:
    console = Console(width=max(140, Console().width))
    order = {"open": 0, "resolved": 1, "explained": 2}
    every = sorted(report.breaks, key=lambda b: order[b.state])
    open_count = sum(1 for b in every if b.state == "open")
    breaks = every if limit <= 0 else every[:limit]
    title = f"breaks {report.since} .. {report.until} ({open_count:,} open)"
    if len(breaks) < len(every):
        title = f"{title}: the first {len(breaks):,} of {len(every):,}"
    if len(breaks) > LONG:
        _plain_columns(title, BREAK_COLUMNS, [_break_cells(b) for b in breaks], BREAK_COLUMNS.index("difference"))
    elif breaks:
        table = Table(title=title)
        for column in BREAK_COLUMNS:
            table.add_column(column, justify="right" if column == "difference" else "left")
        for b in breaks:
            cells = _break_cells(b)
            table.add_row(*cells[:1], f"[{STATE_STYLE[b.state]}]{b.state}[/]", *cells[2:])
        console.print(table)
    days = Table(title="per pool and day (mismatches first)")
    for column in (
        "scope",
        "day",
        "state",
        "earned (pool)",
        "earned (register)",
        "paid (pool)",
        "paid (register)",
        "received (chain)",
        "carried",
    ):
        days.add_column(column, justify="left" if column in ("scope", "day", "state") else "right")
    for d in report.ordered:
        days.add_row(
            d.scope,
            d.day.isoformat(),
            f"[{STATE_STYLE[d.state]}]{d.state}[/]",
            _fmt(d.earned_pool),
            _fmt(d.earned_register),
            _fmt(d.paid_pool),
            _fmt(d.paid_register),
            _fmt(d.received_chain),
            _fmt(d.carried),
        )
    console.print(days)
    if not report.chain_checked:
        console.print("[yellow]the chain was not read: payouts are not checked on chain[/]")
    if len(breaks) < len(every):
        console.print(
            f"{len(every):,} breaks by kind: {_by_kind(every)}; {len(every) - len(breaks):,} not listed: "
            "`desk reconcile --limit 0` lists every one, `--json` gives them all",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    console.print(f"{open_count:,} open break(s)" if open_count else "no open break")
