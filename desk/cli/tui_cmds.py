"""`desk` (no command) opens the screen on the configured register, with the configured feeds
syncing in a child process; `desk demo` opens it on the simulator and a fresh demo register."""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from desk.cli.common import settings_from
from desk.cli.exit_codes import ExitCode
from desk.config import load_settings
from desk.private_files import write_private
from desk.register import Register
from desk.tui.live import SYNC_NICENESS, SyncCommand

#: the demo's two operators: one drafts, the other approves (maker-checker, tried alone)
DEMO_OPERATORS = ("demo-maker", "demo-checker")
#: the demo syncs often so that a newcomer sees the register fill
DEMO_SYNC = {"backfill_days": 30, "pools_interval": 10, "prices_interval": 5}


def open_screen(args: argparse.Namespace) -> int:
    """Open the terminal screen on the configured register; returns an exit code."""
    from desk.tui.app import create_app  # textual stays out of the headless commands

    settings = settings_from(args)
    if not settings.register.path.exists():
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


def open_demo(args: argparse.Namespace) -> int:
    """`desk demo`: the simulator in its own process, a demo register, the screen and its
    sync child pointed at the simulator. Everything stops when the screen closes."""
    with tempfile.TemporaryDirectory(prefix="desk-demo-") as tmp, simulator(args.seed) as started:
        from desk.tui.app import create_app  # imported while the simulator starts: a second off the wait

        try:
            overrides = started()
        except RuntimeError as exc:
            print(f"desk demo: {exc}", file=sys.stderr)
            return ExitCode.FAILED
        register = args.register or Path(tmp) / "demo.sqlite"
        operators = demo_operators(args.operator)
        config = write_config(
            Path(tmp) / "demo.toml",
            {
                **overrides,
                "register": {"path": str(register)},
                "operator": {"name": operators[0]},
                "sync": DEMO_SYNC,
            },
        )
        settings = load_settings(config, env={})
        asyncio.run(_init_register(settings))
        app = create_app(settings, register, operators=list(operators), sync=SyncCommand.for_config(config))
        app.title = "desk demo"
        app.run()
    return int(app.return_code or 0)


def demo_operators(chosen: str | None) -> tuple[str, str]:
    """The demo's two operators, `chosen` (the `--operator` override) first."""
    if not chosen:
        return DEMO_OPERATORS
    other = DEMO_OPERATORS[1] if chosen == DEMO_OPERATORS[0] else DEMO_OPERATORS[0]
    return chosen, other


async def _init_register(settings: Any) -> None:
    async with Register.open(settings.register.path, operator=settings.operator.name, create=True) as register:
        await register.init_accounts(settings)
        from desk.reserves.demo import open_demo_reserve

        await open_demo_reserve(register, settings)  # the reserve the simulated chains hold


@contextmanager
def simulator(seed: int, *extra: str) -> Iterator[Callable[[], dict[str, Any]]]:
    """`desk sim` in its own process (its work must not stall the screen's frames), stopped on
    the way out. Yields at once a function that waits until the simulator listens and returns
    the config tables that point desk at it, so the caller can get on with its own start."""
    env = SyncCommand.for_config(None).env
    process = subprocess.Popen(
        sim_argv("--seed", str(seed), *extra),
        stdout=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )

    def started() -> dict[str, Any]:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"the simulator did not start (exit {process.wait()})")
        return json.loads(line)

    try:
        yield started
    finally:
        process.terminate()
        process.wait()


def sim_argv(*args: str) -> list[str]:
    """`desk sim --json ARGS`, at a lower CPU priority where `nice` exists: the simulator stands
    in for servers elsewhere, and must not take a core from the screen."""
    argv = [sys.executable, "-m", "desk", "sim", "--json", *args]
    nice = shutil.which("nice")
    return [nice, "-n", str(SYNC_NICENESS), *argv] if nice else argv


def write_config(path: Path, data: dict[str, Any]) -> Path:
    """Write `data` as a TOML config file (tables, arrays of tables, strings, numbers, lists):
    the demo's sync child reads the same settings as the screen from it."""
    return write_private(path, "\n".join(_toml(data)) + "\n")


def _toml(data: dict[str, Any], prefix: str = "") -> list[str]:
    def is_tables(value: Any) -> bool:
        return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)

    scalars = {k: v for k, v in data.items() if v is not None and not isinstance(v, dict) and not is_tables(v)}
    lines = [f"[{prefix}]"] if prefix and scalars else []
    lines += [f"{key} = {json.dumps(value)}" for key, value in scalars.items()]
    for key, value in data.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            lines += _toml(value, name)
        elif is_tables(value):
            for table in value:
                lines.append(f"[[{name}]]")
                lines += [f"{k} = {json.dumps(v)}" for k, v in table.items() if v is not None]
    return lines
