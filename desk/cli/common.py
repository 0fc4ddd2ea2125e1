"""What every subcommand shares: the global options and the way a settings file is loaded."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NoReturn

from desk.cli.catalogue import summary
from desk.config import DeskSettings, load_settings


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
