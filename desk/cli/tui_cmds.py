"""`desk` (no command) opens the screen on the configured register, with the configured feeds
syncing in a child process (`desk demo` opens it on the simulator: desk.cli.demo_cmds)."""

from __future__ import annotations

import argparse
import sys

from desk.cli.common import settings_from
from desk.cli.exit_codes import ExitCode
from desk.operations.sync_process import SyncCommand


def open_screen(args: argparse.Namespace) -> int:
    """Open the terminal screen on the configured register; returns an exit code."""
    from desk.tui.app import create_app  # textual stays out of the headless commands

    settings = settings_from(args)
    if settings.register.is_sqlite and not settings.register.path.exists():
        print(
            f"desk: no register at {settings.register.path}: run `desk init` first, or `desk demo` to try desk "
            "on its simulator",
            file=sys.stderr,
        )
        return ExitCode.REGISTER
    sync = SyncCommand.for_config(getattr(args, "config", None))
    app = create_app(settings, settings.register.path, sync=sync)
    app.run()
    return int(app.return_code or 0)
