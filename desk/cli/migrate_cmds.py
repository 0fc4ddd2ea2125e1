"""`desk migrate --from URL --to URL`: copy the register to another backend, verified on arrival."""

from __future__ import annotations

import argparse
import sys

from pydantic import SecretStr

from desk.cli.common import add_command, register_errors, settings_from
from desk.cli.exit_codes import ExitCode
from desk.cli.progress import CopyMeter
from desk.operations.migrate import migrate as migrate_register
from desk.register import TargetNotEmpty
from desk.register.copying import BATCH


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    p = add_command(
        subparsers,
        "migrate",
        description="Copy a whole register into a new, empty one — a SQLite file onto PostgreSQL for "
        "several desks, or back — with its chains byte for byte (entries, actions, drafts, proposals, "
        "quotes, valuations, lots, feed state, transfers), then verify the copy against the source's "
        "heads. A non-empty target is refused. The copy is one transaction: if it fails, the target is "
        "left empty and the same command can be run again. Exit codes: 0 copied and verified, 1 the copy "
        "does not verify, 3 a register could not be opened, 4 the target is not empty.",
    )
    p.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="URL",
        help="sqlite:///path, a path, or postgresql://user@host:port/db",
    )
    p.add_argument(
        "--to",
        dest="target",
        required=True,
        metavar="URL",
        help="a new sqlite:///path, or an empty postgresql://user@host:port/db",
    )
    p.add_argument(
        "--batch", type=int, default=BATCH, metavar="ROWS", help=f"rows read and written at a time (default {BATCH})"
    )
    p.set_defaults(handler=migrate)


def _password(args: argparse.Namespace) -> SecretStr | None:
    """The PostgreSQL server's password, when an end is on one: the configured register's
    (secrets dir file register__password, or DESK_REGISTER__PASSWORD), never a command-line
    argument (it would show in `ps` and the shell's history)."""
    if not any(url.startswith(("postgresql:", "postgres:")) for url in (args.source, args.target)):
        return None
    return settings_from(args).register.password


@register_errors("migrate")
async def migrate(args: argparse.Namespace) -> ExitCode:
    if args.batch < 1:
        print("desk migrate: --batch: at least one row at a time", file=sys.stderr)
        return ExitCode.CONFIG
    meter = CopyMeter(sys.stderr)
    try:
        done = await migrate_register(
            args.source,
            args.target,
            batch=args.batch,
            progress=meter.progress if sys.stderr.isatty() else None,
            password=_password(args),
        )
    except TargetNotEmpty as exc:
        print(f"desk migrate: {exc}", file=sys.stderr)
        return ExitCode.REFUSED
    report = done.report
    meter.done(sum(report.rows.values()))
    verified = report.verified
    heads = report.heads
    assert verified is not None and heads is not None
    if done.ok:
        print(
            f"OK {report.entries} entries, {report.rows.get('actions', 0)} actions, {report.rows.get('quotes', 0)} "
            f"quotes copied to {args.target}; verified, head {verified.head_hash} (the source's)"
        )
        return ExitCode.OK
    for problem in verified.problems:
        print(f"FAILED {problem}")
    source = done.source_verified
    if source is not None and not source.ok:
        print(f"the source {args.source} fails verify too: it was copied as it is; repair it, then copy again")
    else:
        print(f"the source {args.source} verifies: the copy is wrong; delete {args.target} and run desk migrate again")
    return ExitCode.FAILED
