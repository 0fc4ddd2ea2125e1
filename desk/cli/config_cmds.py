"""`desk config check`: validate the configuration and print it with secrets masked."""

from __future__ import annotations

import argparse
import json
import os
import sys

from desk.cli.catalogue import summary
from desk.cli.common import add_command, settings_from
from desk.cli.exit_codes import ExitCode
from desk.config import masked, resolve_config_path, warnings_for


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    config = subparsers.add_parser("config", help=summary("config"), description=summary("config"))
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = add_command(
        config_sub,
        "check",
        help="validate the configuration and print it, secrets masked",
        description="Validate the configuration (file, environment, secrets) and print the "
        "effective values with every secret masked. Exits 2 naming every problem.",
    )
    check.add_argument("--json", action="store_true", help="print JSON instead of TOML-like text")
    check.set_defaults(handler=check_config)


def check_config(args: argparse.Namespace) -> ExitCode:
    settings = settings_from(args)
    data = masked(settings)
    source = resolve_config_path(args.config, os.environ)
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        print(f"# effective configuration (file: {source}; environment DESK_* overrides it)")
        _print_toml(data)
    for note in warnings_for(settings):
        print(f"desk: note: {note}", file=sys.stderr)
    return ExitCode.OK


def _print_toml(data: dict, prefix: str = "") -> None:
    scalars = {k: v for k, v in data.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    if prefix and scalars:
        print(f"\n[{prefix}]")
    for key, value in scalars.items():
        if value is not None:
            print(f"{key} = {json.dumps(value)}")
    for key, value in tables.items():
        _print_toml(value, f"{prefix}.{key}" if prefix else key)
