"""The `desk` command: one argparse tree, one module per group of subcommands.

Each module in `COMMAND_MODULES` exposes `add_commands(subparsers)`; a subcommand sets
`handler` (a function taking the parsed args and returning an ExitCode, or a coroutine of
one). Errors meant for people (ConfigError and friends) are turned into exit codes here, in
one place.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import sys
from collections.abc import Sequence
from pathlib import Path

from desk import __version__
from desk.cli.exit_codes import ExitCode
from desk.config import ConfigError

COMMAND_MODULES = [
    "desk.cli.config_cmds",
    "desk.cli.register_cmds",
    "desk.cli.feeds_cmds",
    "desk.cli.sync_cmds",
    "desk.cli.policy_cmds",
    "desk.cli.compliance_cmds",
    "desk.cli.inflow_cmds",
    "desk.cli.report_cmds",
    "desk.cli.reconcile_cmds",
    "desk.cli.value_cmds",
    "desk.cli.reserves_cmds",
    "desk.cli.doctor_cmds",
]
#: the shells `desk --print-completion` writes a script for (desk.cli.completion)
COMPLETION_SHELLS = ("bash", "zsh")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="desk",
        description="The operations desk and book of record of a mining-to-reserve operation.",
        epilog="Run `desk demo` to try it on the built-in simulator. `desk COMMAND --help` for more.",
    )
    parser.add_argument("--version", action="version", version=f"desk {__version__}")
    parser.add_argument(
        "--print-completion",
        choices=COMPLETION_SHELLS,
        metavar="SHELL",
        help="print the completion script for bash or zsh and exit (README: Install)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        default=None,
        help="config file (default: $DESK_CONFIG, else the platform config dir)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_commands(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    try:
        if args.print_completion:
            from desk.cli.completion import print_completion

            return print_completion(args.print_completion)
        if handler is None:  # plain `desk`: the screen
            from desk.cli.tui_cmds import open_screen

            return open_screen(args)
        result = handler(args)
        if inspect.iscoroutine(result):
            result = asyncio.run(result)
    except ConfigError as exc:
        for line in exc.problems:
            print(f"desk: config: {line}", file=sys.stderr)
        return ExitCode.CONFIG
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # `desk log | head`: the reader left; not an error
        sys.stderr.close()
        return ExitCode.OK
    return int(result if result is not None else ExitCode.OK)
