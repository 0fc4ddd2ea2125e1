"""`desk` (no command) opens the screen on the configured register."""

from __future__ import annotations

import argparse
import sys

from desk.cli.common import settings_from
from desk.cli.exit_codes import ExitCode


def open_screen(args: argparse.Namespace, *, engine: object = None) -> int:
    """Open the terminal screen on the configured register; returns an exit code."""
    from desk.tui.app import create_app  # textual stays out of the headless commands

    settings = settings_from(args)
    if not settings.register.path.exists():
        print(f"desk: no register at {settings.register.path}: run `desk init` first, or `desk demo` to try desk "
              "on its simulator", file=sys.stderr)
        return ExitCode.REGISTER
    operators = getattr(args, "operators", None)
    app = create_app(settings, settings.register.path, engine=engine, operators=operators)
    app.run()
    return int(app.return_code or 0)
