"""What every subcommand shares: the global options, the way a settings file is loaded, the
register opened under the configured controls, register errors as one line and an exit code,
and the parsers of the dates and date-times a person types."""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from functools import wraps
from pathlib import Path
from typing import NoReturn

from desk.cli.catalogue import summary
from desk.cli.exit_codes import ExitCode
from desk.config import DeskSettings, load_settings
from desk.controls import Controls
from desk.register import EntryRejected, NotFound, Register, RegisterError, RegisterUnavailable, SelfApproval

Handler = Callable[[argparse.Namespace], Awaitable[ExitCode]]


def global_options() -> argparse.ArgumentParser:
    """Options accepted both before and after the subcommand (`desk --config X verify`
    and `desk verify --config X` mean the same)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="config file (default: $DESK_CONFIG, else the platform config dir)",
    )
    return common


class CommandParser(argparse.ArgumentParser):
    """A subcommand's parser whose usage errors are one line on stderr, like every other
    refusal, naming the command and how to get help; exit code 2 as argparse's."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def add_command(
    subparsers: argparse._SubParsersAction, name: str, *, help: str | None = None, description: str | None = None
) -> argparse.ArgumentParser:
    """A subcommand parser that also takes the global options. A top-level command's help is
    its summary in the catalogue (desk/cli/catalogue.py), which `desk --help` lists."""
    help = summary(name) if help is None else help
    parser = subparsers.add_parser(name, help=help, description=description or help, parents=[global_options()])
    # argparse builds subparsers of its own class; only the error report differs
    parser.__class__ = CommandParser
    return parser


def settings_from(args: argparse.Namespace) -> DeskSettings:
    return load_settings(getattr(args, "config", None))


@asynccontextmanager
async def opened(settings: DeskSettings, *, create: bool = False) -> AsyncIterator[Register]:
    """The configured register, judged by the configured controls (roles, limits, quorum)."""
    async with Register.open(
        settings.register,
        operator=settings.operator.name,
        create=create,
        controls=Controls.from_settings(settings),
    ) as register:
        yield register


def register_errors(command: str) -> Callable[[Handler], Handler]:
    """Turn register errors into one line for a person and the documented exit code."""

    def decorate(fn: Handler) -> Handler:
        @wraps(fn)
        async def run(args: argparse.Namespace) -> ExitCode:
            try:
                return await fn(args)
            except RegisterUnavailable as exc:
                print(f"desk {command}: {exc}", file=sys.stderr)
                return ExitCode.REGISTER
            except (EntryRejected, SelfApproval, NotFound) as exc:
                print(f"desk {command}: {exc}", file=sys.stderr)
                return ExitCode.REFUSED
            except RegisterError as exc:
                print(f"desk {command}: {exc}", file=sys.stderr)
                return ExitCode.FAILED

        return run

    return decorate


def day(text: str) -> date:
    """An argparse type: a calendar date as typed (YYYY-MM-DD)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-24") from None


def out_file(text: str) -> Path | None:
    """An argparse type for --out: a file to write, or `-` for standard output (the default),
    as every Unix tool reads it, never a file named "-"."""
    return None if text == "-" else Path(text)


def instant(text: str) -> datetime:
    """An argparse type: a date-time as typed, in UTC unless it names its offset (a trailing Z
    is UTC), returned in UTC. The one parser of a typed moment: `--at` of seize and purchase,
    `--as-of` of report, and (through `moment`) `--at` of value."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date-time like 2026-12-01T00:00:00Z") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def flag(name: str) -> str:
    """A field's name as the command line spells it: `case_reference` is `--case-reference`."""
    return "--" + name.replace("_", "-")
