"""`desk demo` (the screen on the simulator, or headless with --rounds) and `desk sim` (the
simulated sources alone): the demo's wiring, in one module. It is the only module of desk
that imports desk.sim (the import-linter contract "sim" in pyproject names it); everything
else reaches the simulator, as the real sources, over a socket."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from desk.cli.common import add_command
from desk.cli.demo_blocks import BlockClock
from desk.cli.exit_codes import ExitCode
from desk.config import DeskSettings, load_settings
from desk.operations.sync_process import SYNC_NICENESS, SyncCommand
from desk.operations.sync_service import run_engine, stop_on_signals
from desk.private_files import write_private
from desk.register import Register
from desk.sync.reporters import terminal

#: the demo's two operators: one drafts, the other approves (maker-checker, tried alone)
DEMO_OPERATORS = ("demo-maker", "demo-checker")
#: the demo syncs often so that a newcomer sees the register fill
DEMO_SYNC = {"backfill_days": 30, "pools_interval": 10, "prices_interval": 5}
#: the demo's chain watch reads often, so an approved transfer is seen moving at once; the
#: simulated custodian (`[custody] url`, in the simulator's config) broadcasts it
DEMO_TRANSFERS = {"watch_interval": 3}


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    sim = add_command(
        subparsers,
        "sim",
        description="Run desk's simulated sources on 127.0.0.1 until interrupted, and print the "
        'configuration that points desk at them. Faults: POST {"fault": "500"} to '
        "<source URL>/__sim/fault (500, 429, 418, drop, truncated, wrong_types, empty_number, 403; "
        "in one row of a pool's answer: zero_row, fee_over, garbled, bad_row, tiny_amount).",
    )
    sim.add_argument("--seed", type=int, default=7, help="the simulated history's seed (default 7)")
    sim.add_argument("--days", type=int, default=30, help="days of history before now (default 30)")
    sim.add_argument("--port", type=int, default=0, help="first port (default: any free ports)")
    sim.add_argument("--payouts-per-day", type=int, default=1, help="payouts per pool and day (bulk history)")
    sim.add_argument("--threshold-sats", type=int, default=1_000_000, help="pool payout threshold in sats")
    sim.add_argument("--json", action="store_true", help="print the config overrides as one JSON line")
    sim.set_defaults(handler=run_sim)

    p = add_command(
        subparsers,
        "demo",
        description="Start the simulated pools, exchanges and National Bank, a fresh demo register and "
        "the sync, and open the screen on them: the register fills as the sync writes. Two demo "
        "operators (demo-maker, demo-checker; `o` on the approvals screen switches) let one person try "
        "maker-checker alone. q or Ctrl+C stops it all.",
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=0,
        help="headless: no screen; print the register after each sync round, stop after this many",
    )
    p.add_argument("--register", type=Path, help="demo register file (default: a new temporary one)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--operator",
        metavar="NAME",
        help="act as NAME first (the demo only; elsewhere the operator is the OS login, as config maps it)",
    )
    p.add_argument(
        "--attach",
        type=Path,
        metavar="CONFIG",
        help="open the screen on a demo another process runs, given its config (`desk serve --demo` "
        "opens one per browser session this way); its simulator and register stay when the screen closes",
    )
    p.set_defaults(handler=demo)


async def run_sim(args: argparse.Namespace) -> ExitCode:
    """`desk sim`: the simulated sources until SIGINT/SIGTERM, and the config that points at them."""
    from desk.sim import SimCluster

    stop = stop_on_signals()
    async with SimCluster(
        seed=args.seed,
        days=args.days,
        port=args.port,
        payouts_per_day=args.payouts_per_day,
        threshold_sats=args.threshold_sats,
    ) as sim:
        overrides = sim.settings_overrides()
        if args.json:
            print(json.dumps(overrides), flush=True)
            await stop.wait()
            return ExitCode.OK
        print("# desk.sim is running; point desk at it with this config (tokens are the sim's own):")
        for name, pool in overrides["pools"].items():
            print(f"\n[pools.{name}]")
            for key, value in pool.items():
                print(f'{key} = "{value}"')
        for name, source in overrides["prices"]["sources"].items():
            print(f"\n[prices.sources.{name}]")
            for key, value in source.items():
                print(f"{key} = {value!r}".replace("'", '"'))
        for name, chain in overrides["chains"].items():
            print(f"\n[chains.{name}]")
            for key, value in chain.items():
                print(f'{key} = "{value}"')
        for address in overrides["addresses"]:
            print("\n[[addresses]]")
            for key, value in address.items():
                print(f'{key} = "{value}"')
        print("\n# Ctrl+C stops it.", flush=True)
        await stop.wait()
    return ExitCode.OK


def demo(args: argparse.Namespace) -> int:
    """The screen on the simulator, or with --rounds the headless demo."""
    if args.rounds:
        return asyncio.run(headless_demo(args))
    if args.attach:
        return demo_screen(args.attach, args.operator)
    return open_demo(args)


async def headless_demo(args: argparse.Namespace) -> ExitCode:
    """The simulator, a fresh register and the sync engine together, with no screen: the
    register's state is printed after each round, for `--rounds` rounds."""
    from desk.sim import SimCluster
    from desk.sim.demo_reserve import open_demo_reserve

    stop = stop_on_signals()
    with tempfile.TemporaryDirectory(prefix="desk-demo-") as tmp:
        path = args.register or Path(tmp) / "demo.sqlite"
        async with SimCluster(seed=args.seed) as sim:
            overrides = {
                **sim.settings_overrides(),
                "register": {"path": str(path)},
                "operator": {"name": DEMO_OPERATORS[0]},
                "sync": DEMO_SYNC,
            }
            settings = load_settings(None, env={}, overrides=overrides)
            async with Register.open(path, operator=DEMO_OPERATORS[0], create=True) as register:
                await register.init_accounts(settings)
                await open_demo_reserve(register, settings)  # the reserve the simulated chains hold
            console = Console()
            console.print(f"[bold]desk demo[/] — simulator running, register at {path}")
            rounds = 0
            while not stop.is_set():
                await run_engine(settings, once=True, reporter=terminal(), stop=stop, pacing=False)
                rounds += 1
                await _print_state(console, settings)
                if args.rounds and rounds >= args.rounds:
                    break
                with contextlib.suppress(TimeoutError):  # the simulator's clock moves on meanwhile
                    await asyncio.wait_for(stop.wait(), timeout=settings.sync.pools_interval)
    return ExitCode.OK


async def _print_state(console: Console, settings: DeskSettings) -> None:
    async with Register.open(settings.register, operator=settings.operator.name) as register:
        balances = await register.balances()
        count = await register.count()
        recent = await register.recent(5)
    table = Table(title=f"register: {count:,} entries")
    table.add_column("account")
    table.add_column("balance", justify="right")
    for (account, asset), amount in balances.items():
        table.add_row(account, f"{amount.format()} {asset}")
    console.print(table)
    for entry in recent:
        console.print(f"  #{entry.seq} {entry.ts:%Y-%m-%d %H:%M} {entry.kind:<8} {entry.memo}")


def open_demo(args: argparse.Namespace) -> int:
    """`desk demo`: the simulator in its own process, a demo register, the screen and its
    sync child pointed at the simulator. Everything stops when the screen closes."""
    with tempfile.TemporaryDirectory(prefix="desk-demo-") as tmp, simulator(args.seed) as started:
        import desk.tui.app  # noqa: F401  imported while the simulator starts: a second off the wait

        try:
            overrides = started()
            config = prepare_demo(Path(tmp), overrides, args.register, demo_operators(args.operator)[0])
        except RuntimeError as exc:
            print(f"desk demo: {exc}", file=sys.stderr)
            return ExitCode.FAILED
        with BlockClock(overrides["chains"]["esplora"]["base_url"]):
            return demo_screen(config, args.operator)


def prepare_demo(folder: Path, overrides: dict[str, Any], register: Path | None, operator: str) -> Path:
    """The demo's config in `folder` (pointing at the simulator of `overrides`) and its register,
    created with the reserve the simulated chains hold; returns the config's path, which every
    screen on this demo and its sync child read (`desk serve --demo` opens one per browser)."""
    config = write_config(
        folder / "demo.toml",
        {
            **overrides,
            "register": {"path": str(register or folder / "demo.sqlite")},
            "operator": {"name": operator},
            "sync": DEMO_SYNC,
            "transfers": DEMO_TRANSFERS,
        },
    )
    asyncio.run(_init_register(load_settings(config, env={})))
    return config


def demo_screen(config: Path, operator: str | None) -> int:
    """The screen on a prepared demo (`prepare_demo`), with its own sync child and the two demo
    operators, `operator` first; returns when it closes."""
    from desk.tui.app import create_app

    settings = load_settings(config, env={})
    operators = list(demo_operators(operator))
    app = create_app(settings, settings.register.path, operators=operators, sync=SyncCommand.for_config(config))
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
    async with Register.open(settings.register, operator=settings.operator.name, create=True) as register:
        await register.init_accounts(settings)
        from desk.sim.demo_reserve import open_demo_reserve

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
