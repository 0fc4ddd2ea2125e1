"""`desk serve`: the desk's screen in a browser, through textual-serve.

textual-serve starts one process per browser session and relays its screen over a websocket.
That process is the very command the terminal runs (`desk`, or `desk demo --attach` on the
demo this command started), so the browser gets the same app and the same operator, and a
closed tab ends it as `q` does. The register's sync runs once, here, for every session
(desk.cli.serve_server). Whoever reaches the page acts as the operator who started
`desk serve`: it listens on loopback unless told otherwise with --public, and then says that
a reverse proxy with authentication belongs in front.
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
import tempfile
from pathlib import Path

from desk.cli.common import add_command, settings_from
from desk.cli.exit_codes import ExitCode
from desk.cli.serve_address import Bound, ServeError, bind_address, public_url
from desk.config import load_settings
from desk.operations.sync_process import SyncCommand, child_environment
from desk.operations.sync_relay import RELAY_ENV
from desk.register import Location, Register, RegisterUnavailable

DEFAULT_PORT = 8000


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    p = add_command(
        subparsers,
        "serve",
        description="Serve the desk's screen to a web browser (textual-serve): each browser tab runs its own "
        "`desk`, as the operator who started this command (the config's operator, as in the terminal), and "
        "the register's sync runs once, in this command, for all of them. It listens on 127.0.0.1 only; "
        "another address needs --public and a reverse proxy with authentication in front. Ctrl+C stops it "
        "and every session.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=f"port (default {DEFAULT_PORT}; 0: any free port, which the printed URL names)",
    )
    p.add_argument(
        "--public",
        action="store_true",
        help="allow a --host that is not loopback: anyone who reaches it acts as this desk's operator, so put a "
        "reverse proxy with authentication in front",
    )
    p.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use (behind a reverse proxy: its https URL); default http://HOST:PORT",
    )
    p.add_argument("--demo", action="store_true", help="serve `desk demo`: the simulator and a fresh demo register")
    p.add_argument("--seed", type=int, default=7, help="the demo simulator's seed (with --demo)")
    p.set_defaults(handler=serve)


def port_number(text: str) -> int:
    """--port: a TCP port, or 0 for any free one (the URL printed at start names it)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port (0-65535; 0: any free port)")
    return port


def serve(args: argparse.Namespace) -> int:
    """Check the address, then serve the configured desk or the demo until Ctrl+C."""
    if args.demo:
        from desk.cli.demo_cmds import DEMO_OPERATORS

        who = DEMO_OPERATORS[0]
        how = f"`o` on the approvals screen switches to {DEMO_OPERATORS[1]}"
    else:
        settings = settings_from(args)
        try:
            asyncio.run(register_ready(settings.register))
        except RegisterUnavailable as exc:
            print(f"desk serve: {exc}", file=sys.stderr)
            return ExitCode.REGISTER
        who, how = settings.operator.name, "the config's operator, as in the terminal"
    try:
        bound = bind_address(args.host, args.port, public=args.public)
    except ServeError as exc:
        print(f"desk serve: {exc}", file=sys.stderr)
        return ExitCode.CONFIG
    with bound:
        if bound.wide:
            print(
                f"desk serve: WARNING: listening on {args.host} ({', '.join(bound.wide)}), beyond this machine: anyone "
                f"who reaches this port acts as {who}. A reverse proxy with authentication (and TLS) belongs in front "
                "of it.",
                file=sys.stderr,
            )
        banner = [f"every browser session acts as {who} ({how})", "Ctrl+C stops the server and every session"]
        if args.demo:
            return serve_demo(args, bound, banner)
        config = args.config.resolve() if getattr(args, "config", None) else None  # the sessions' cwd may differ
        argv = ["--config", str(config)] if config else []
        return run_server(args, bound, argv, config, settings.register, "desk", banner)


def serve_demo(args: argparse.Namespace, bound: Bound, banner: list[str]) -> int:
    """The demo's simulator and register, prepared once here, and one demo screen per browser
    session on them; the simulator stops and the register goes when the server stops."""
    from desk.cli.demo_blocks import BlockClock
    from desk.cli.demo_cmds import DEMO_OPERATORS, prepare_demo, simulator

    with tempfile.TemporaryDirectory(prefix="desk-serve-demo-") as tmp, simulator(args.seed) as started:
        try:
            overrides = started()
            config = prepare_demo(Path(tmp), overrides, None, DEMO_OPERATORS[0])
        except RuntimeError as exc:
            print(f"desk serve: {exc}", file=sys.stderr)
            return ExitCode.FAILED
        register = load_settings(config, env={}).register.path
        with BlockClock(overrides["chains"]["esplora"]["base_url"]):  # once for every session
            return run_server(args, bound, ["demo", "--attach", str(config)], config, register, "desk demo", banner)


def session_command(argv: list[str], relay: Path) -> str:
    """The shell command textual-serve runs per browser session: `desk ARGV` on this Python and
    this desk's code (as the sync child is started), exec'd so that no shell stands between,
    told where the server's sync takes "poll now" (`relay`)."""
    pythonpath = f"PYTHONPATH={child_environment()['PYTHONPATH']}"
    command = ["env", pythonpath, f"{RELAY_ENV}={relay}", sys.executable, "-m", "desk", *argv]
    return "exec " + shlex.join(command)


async def register_ready(register: Location) -> None:
    """Open the register (a file or a PostgreSQL database) and close it: RegisterUnavailable
    says why a browser would find no desk (none there yet, server down, wrong password)."""
    async with Register.open(register, operator="desk serve"):
        pass


def run_server(
    args: argparse.Namespace,
    bound: Bound,
    argv: list[str],
    config: Path | None,
    register: Location,
    title: str,
    banner: list[str],
) -> int:
    """Serve `desk ARGV` per browser session, and sync `register` (that of `config`) here, until
    SIGINT/SIGTERM; every session has ended (its app and sync child stopped) and the sync has
    finished its write when this returns."""
    from desk.cli.serve_server import DeskServer, local_page

    url = args.public_url or public_url(args.host, bound.port)
    with tempfile.TemporaryDirectory(prefix="desk-serve-page-") as page:
        relay = Path(page) / "sync.sock"
        server = DeskServer(
            session_command(argv, relay),
            host=args.host,
            port=bound.port,
            title=title,
            public_url=url,
            templates_path=local_page(Path(page)),
            banner=banner,
            sync=SyncCommand.for_config(config),
            register=register,
            relay=relay,
            sockets=bound.sockets,
        )
        server.serve()
    return ExitCode.OK
