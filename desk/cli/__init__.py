"""The `desk` command: one argparse tree, one module per group of subcommands, built lazily.

desk/cli/catalogue.py names every command, its module and its one-line summary. Only the
module of the command being run is imported (each exposes `add_commands(subparsers)`); the
other commands appear by their summary alone, which is all `desk --help` shows, so `--help`
and `--version` import no command at all. A subcommand sets `handler` (a function taking the
parsed args and returning an ExitCode, or a coroutine of one). Errors meant for people
(ConfigError and friends) are turned into exit codes here, in one place.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Collection, Coroutine, Sequence
from pathlib import Path

from desk.cli.catalogue import CATALOGUE
from desk.cli.exit_codes import ExitCode

#: the shells `desk --print-completion` writes a script for (desk.cli.completion)
COMPLETION_SHELLS = ("bash", "zsh")


class _Version(argparse.Action):
    """`--version`: the installed version, looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="show desk's version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        from desk import __version__

        print(f"desk {__version__}")
        parser.exit()


def build_parser(commands: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The `desk` parser. The modules of `commands` (default: every command) are imported and
    give their commands' full parsers; any other command is listed by its summary only."""
    parser = argparse.ArgumentParser(
        prog="desk",
        description="The operations desk and book of record of a mining-to-reserve operation.",
        epilog="Run `desk demo` to try it on the built-in simulator. `desk COMMAND --help` for more.",
    )
    parser.add_argument("--version", action=_Version)
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
    wanted = CATALOGUE.keys() if commands is None else commands
    modules = dict.fromkeys(entry.module for name, entry in CATALOGUE.items() if name in wanted)
    for module in modules:
        importlib.import_module(module).add_commands(subparsers)
    for name, entry in CATALOGUE.items():
        if name not in subparsers.choices:
            subparsers.add_parser(name, help=entry.summary, add_help=False)
    return parser


def command_in(argv: Sequence[str]) -> str | None:
    """The command `argv` runs (its first word that is neither an option nor --config's value)."""
    words = iter(argv)
    for word in words:
        if word == "--config":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = command_in(argv)
    parser = build_parser([command] if command else [])
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    from desk.config import ConfigError  # pydantic: past --help and --version, every command needs it

    try:
        if args.print_completion:
            from desk.cli.completion import print_completion

            return print_completion(args.print_completion)
        if handler is None:  # plain `desk`: the screen
            from desk.cli.tui_cmds import open_screen

            return open_screen(args)
        result = handler(args)
        if isinstance(result, Coroutine):
            import asyncio  # here: `--help` and `--version` do without its import

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
