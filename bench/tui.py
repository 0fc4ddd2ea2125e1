"""Screen benchmark, headless (App.run_test) except the cold start, which runs `desk demo` in
a real pseudo-terminal:

- first paint of the register screen and page moves on a 1k and a 1M register (50 page-downs
  pressed one at a time, as a person's, for the latency; 50 page-ups back held down for the
  throughput, which Textual's 60 frames a second caps), and the peak RSS with each open (each size measured in a fresh
  process, so RSS is that screen's);
- the longest gap between frames while a 100k-payout sync runs (the sync as the screen runs
  it: a child `desk sync` against `desk sim` in a process of its own), on the dashboard and
  on the register screen, against the same screen with no sync (the baseline) and against
  the engine run inside the app's process (the design the child replaced);
- cold start of `desk demo` (simulator, fresh register, sync child) and of plain `desk` on
  the 1k register, to the first frame on the terminal.

    .venv/bin/python bench/tui.py [--sizes 1000 1000000] [--payouts 100000] [--workdir DIR]
                                  [--url postgresql://user@host:port/db | --postgres] [--screen-only]

With `--url` (a PostgreSQL database, empty or filled by an earlier run with the same single
size; the password from PGPASSWORD) or `--postgres` (a throwaway cluster started in a temp
dir, as the tests do: a fresh database per size), the register screen's first paint and
page-downs are measured on PostgreSQL too, beside SQLite in the same run (goals from issue
16: first paint under 0.5 s, a page-down within 3x of SQLite). `--screen-only` skips the
frame-gap and cold-start cases (SQLite only) and measures the register screen alone.

Registers are built once per size (through Register.ingest, in batches) and kept in
--workdir (default: $TMPDIR/desk-bench-tui; never in the repository).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import select
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import print_table

from desk.config import load_settings
from desk.money import Amount
from desk.register import NewEntry, Posting, Register
from tests.builders import write_desk_config
from tests.offline import local_only
from tests.tui.seed import BTC, CONFIG, NOW, T0, write_settings

ROOT = Path(__file__).resolve().parents[1]
#: the frame-gap probe: an interval timer on the UI loop; a gap longer than this is a stall
TICK_S = 0.01  # float-ok: seconds


def screen_settings(workdir: Path, url: str | None) -> Any:
    """The bench desk's settings: its file register, or with `url` the PostgreSQL one (the
    password from PGPASSWORD, as a desk on a server reads it from its environment)."""
    if url is None:
        return write_settings(workdir)
    env = {"DESK_REGISTER__URL": url, "DESK_REGISTER__PASSWORD": os.environ.get("PGPASSWORD", "")}
    return load_settings(write_desk_config(workdir, CONFIG), env=env)


async def build(workdir: Path, n: int, url: str | None = None) -> tuple[Any, Path]:
    workdir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240
    settings = screen_settings(workdir, url)
    path = Path(settings.register.path)
    if url is None and path.exists():  # noqa: ASYNC240 - a one-off check in a bench script
        return settings, path
    async with Register.open(settings.register, operator="aliya", create=True) as reg:
        if await reg.count():  # a server register filled by an earlier run
            return settings, path
        await reg.init_accounts(settings)
        batch: list[NewEntry] = []
        for i in range(n):
            pool = "f2main" if i % 2 else "ocean"
            batch.append(
                NewEntry(
                    kind="earning",
                    ts=T0 + timedelta(seconds=20 * i),
                    postings=(
                        Posting(f"income:mining:{pool}", -Amount(BTC, "0.0001")),
                        Posting(f"assets:pool:{pool}", Amount(BTC, "0.0001")),
                    ),
                    memo=f"{pool} earning {i}",
                    source=f"pool:{pool}",
                    external_id=f"e{i}",
                )
            )
            if len(batch) == 5000:
                await reg.ingest(batch)
                batch = []
        if batch:
            await reg.ingest(batch)
    return settings, path


# ------------------------------------------------------------------ register screen, one size


class Paints:
    """When each screen was last drawn (its compositor refresh: what reaches the terminal),
    and when the register view last drew its cursor row: the bench's instruments, timed from
    the moment a key is handed to the app (no pilot waits between)."""

    def __init__(self) -> None:
        from textual.screen import Screen

        from desk.tui.widgets.register_view import RegisterView

        self.drawn: dict[str, float] = {}  # float-ok: perf_counter
        self.cursor_drawn = -1
        self.row_drawn = False
        paints = self
        refresh, render_line = Screen._compositor_refresh, RegisterView.render_line

        def counted_refresh(screen: Screen) -> None:  # type: ignore[type-arg]
            refresh(screen)
            if screen is screen.app.screen:
                paints.drawn[type(screen).__name__] = time.perf_counter()

        def counted_line(view: RegisterView, y: int) -> Any:
            strip = render_line(view, y)
            index = view.scroll_offset.y + y - 1
            if y and view.row(index) is not None and index >= 0:
                paints.row_drawn = True
                if index == view.cursor:
                    paints.cursor_drawn = index
            return strip

        Screen._compositor_refresh = counted_refresh  # type: ignore[method-assign]
        RegisterView.render_line = counted_line  # type: ignore[method-assign]


async def _key(app: Any, key: str) -> float:  # float-ok
    """Hand `key` to the app as the terminal would; the time it was handed over."""
    from textual import events

    start = time.perf_counter()
    app._driver.send_message(events.Key(key, key if len(key) == 1 else None))
    return start


async def _quiet(app: Any) -> None:
    """Until no worker runs (one cancelled by a newer read only means another look)."""
    from textual.worker import WorkerCancelled

    while True:
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue


async def _until(condition: Any) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("bench: waited 60 s for the screen")
        await asyncio.sleep(0.0005)


#: every screen's key, from the dashboard
SCREENS = {
    "r": "RegisterScreen",
    "p": "ApprovalsScreen",
    "P": "PolicyScreen",
    "f": "FeedsScreen",
    "V": "ValuationScreen",
    "b": "ReconcileScreen",
    "R": "ReservesScreen",
}


#: Textual's frame period (it draws at most 60 frames a second: textual.constants.MAX_FPS)
FRAME = 1 / 60  # float-ok: seconds


async def measure_register(workdir: Path, url: str | None = None) -> dict[str, float]:  # float-ok: durations
    """In a fresh process: first paint of the register screen (key to the first row drawn),
    page-downs (key to the cursor row drawn), peak RSS, `esc` out of the transfer form (key to
    the dashboard drawn), and each screen's first content (key to its first drawing)."""
    from desk.tui.app import create_app
    from desk.tui.widgets.register_view import RegisterView

    settings = screen_settings(workdir, url)
    app = create_app(settings, settings.register.path, now=lambda: NOW)
    paints = Paints()
    out: dict[str, float] = {}  # float-ok
    async with app.run_test(size=(120, 40)) as pilot:
        await _quiet(app)
        await pilot.pause()
        start = await _key(app, "r")
        await _until(lambda: paints.row_drawn)
        out["first_paint_s"] = time.perf_counter() - start
        await pilot.pause()
        await _quiet(app)
        view = app.screen.query_one(RegisterView)

        async def page(key: str) -> float:  # float-ok: seconds
            before = view.cursor
            start = await _key(app, key)
            await _until(lambda: view.cursor != before and paints.cursor_drawn == view.cursor)
            took = time.perf_counter() - start
            await _quiet(app)
            return took

        steps = []
        for i in range(50):  # pressed one at a time, as a person does: the latency of one
            await asyncio.sleep(FRAME * (1 + (i % 10) / 10))  # the key lands anywhere in a frame
            steps.append(await page("pagedown"))
        steps.sort()
        # then back up held down: each key the moment the last is drawn, so each waits for
        # Textual's next frame slot (60 a second): the throughput, capped at 1/60 s a page
        out["pagedown50_s"] = sum([await page("pageup") for _ in range(50)])
        out["pagedown_median_s"] = steps[len(steps) // 2]
        out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        await _quiet(app)
        paints.drawn.pop("DashboardScreen", None)
        start = await _key(app, "escape")
        await _until(lambda: "DashboardScreen" in paints.drawn)
        out["esc_form_s"] = paints.drawn["DashboardScreen"] - start
        for key, name in SCREENS.items():
            await pilot.press("d")
            await pilot.pause()
            paints.drawn.pop(name, None)
            start = await _key(app, key)
            await _until(lambda: name in paints.drawn)  # noqa: B023
            out[f"first_content_{key}_s"] = paints.drawn[name] - start
            await _quiet(app)
        await pilot.press("q")
    return out


# ------------------------------------------------------------------ frames during a sync


class Frames:
    """Longest gap between ticks of an interval timer on the app's loop (wall clock), the
    most CPU the UI thread spent within one gap (what the app itself did; the rest of a long
    gap is the process waiting for a core on a busy machine), and the number of screen
    updates Textual drew (its compositor refreshes)."""

    def __init__(self) -> None:
        self.reset()

    def tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        self.longest = max(self.longest, now - self.last)
        self.longest_cpu = max(self.longest_cpu, cpu - self.last_cpu)
        self.last, self.last_cpu = now, cpu

    def reset(self) -> None:
        self.last, self.last_cpu = time.perf_counter(), time.thread_time()
        self.longest = self.longest_cpu = 0.0  # float-ok: seconds
        self.updates = 0


async def start_sim(payouts: int, days: int = 20) -> tuple[asyncio.subprocess.Process, dict[str, Any]]:
    from desk.cli.demo_cmds import sim_argv
    from desk.operations.sync_process import SyncCommand

    per_day = -(-payouts // (4 * days))
    argv = sim_argv("--days", str(days), "--payouts-per-day", str(per_day), "--threshold-sats", "1")
    sim = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, env=SyncCommand.for_config(None).env
    )
    assert sim.stdout is not None
    return sim, json.loads(await sim.stdout.readline())


async def measure_frames(payouts: int, screen: str, mode: str, seconds: float) -> dict[str, float]:  # float-ok
    """Longest frame gap on `screen` ("dashboard" | "register") over `seconds` of a fresh
    backfill of `payouts` from desk.sim; `mode`: "child" (as the screen runs it), "inprocess"
    (the engine on the app's loop) or "idle" (no sync: the baseline)."""
    import aiohttp
    from textual.screen import Screen

    from desk.cli.demo_cmds import write_config
    from desk.config import load_settings
    from desk.feeds.http import HttpClient
    from desk.operations.sync_process import SyncCommand
    from desk.sync import SyncEngine
    from desk.tui.app import create_app

    frames = Frames()
    original = Screen._on_timer_update

    def counted(self: Screen) -> None:  # type: ignore[type-arg]
        frames.updates += 1
        original(self)

    Screen._on_timer_update = counted  # type: ignore[method-assign]
    sim, overrides = await start_sim(payouts)
    with tempfile.TemporaryDirectory() as tmp:
        register = Path(tmp) / "frames.sqlite"
        config = write_config(
            Path(tmp) / "frames.toml",
            {
                **overrides,
                "register": {"path": str(register)},
                "operator": {"name": "bench"},
                "sync": {"backfill_days": 25, "pools_interval": 3600, "prices_interval": 3600},
            },
        )
        settings = load_settings(config, env={})
        async with Register.open(register, operator="bench", create=True) as reg:
            await reg.init_accounts(settings)
        sync = SyncCommand.for_config(config) if mode == "child" else None
        app = create_app(settings, register, sync=sync)
        engine_task = None
        try:
            async with app.run_test(size=(120, 40)) as pilot, aiohttp.ClientSession() as session:
                if mode == "inprocess":
                    engine = SyncEngine(settings, app.register, HttpClient(session, pacing=False))
                    engine_task = asyncio.create_task(engine.run_once())
                if screen == "register":
                    await pilot.press("r")
                await pilot.pause()
                app.set_interval(TICK_S, frames.tick)
                await asyncio.sleep(0.5)  # the screens settle
                frames.reset()
                start = time.perf_counter()
                await asyncio.sleep(seconds)
                elapsed = time.perf_counter() - start
                longest, longest_cpu, updates = frames.longest, frames.longest_cpu, frames.updates
                written = await app.register.count()
                await pilot.press("q")
            if engine_task is not None:
                engine_task.cancel()
                await asyncio.gather(engine_task, return_exceptions=True)
        finally:
            sim.terminate()
            await sim.wait()
            Screen._on_timer_update = original  # type: ignore[method-assign]
    return {
        "longest_gap_ms": longest * 1000,
        "longest_cpu_ms": longest_cpu * 1000,
        "updates_per_s": updates / elapsed,
        "written": written,
    }


# ------------------------------------------------------------------ cold start in a terminal


def cold_start(argv: list[str], marker: bytes, env: dict[str, str] | None = None) -> float:  # float-ok
    """Seconds from exec to the first frame holding `marker`, in a 120x40 pseudo-terminal;
    then `q` and wait for a clean exit."""
    import fcntl
    import pty
    import struct
    import termios

    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: size the terminal, become the desk
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        os.chdir(ROOT)
        os.execvpe(argv[0], argv, env or dict(os.environ))
    seen = b""
    first = float("nan")  # float-ok
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if select.select([fd], [], [], 0.05)[0]:
            try:
                seen += os.read(fd, 1 << 16)
            except OSError:
                break
            if marker in seen:
                first = time.perf_counter() - start
                break
    os.write(fd, b"q")
    while select.select([fd], [], [], 5)[0]:
        try:
            if not os.read(fd, 1 << 16):
                break
        except OSError:
            break
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {os.waitstatus_to_exitcode(status)}")
    return first


# ------------------------------------------------------------------ the table


def goal(what: str, figure_ms: float, base_ms: float, most_ms: int) -> tuple[str, str, str, str]:  # float-ok
    """A row of the table with its goal and whether it is met."""
    verdict = "PASS" if figure_ms <= most_ms else "FAIL"
    return (what, f"{figure_ms:.1f} ms", f"{figure_ms / base_ms:.2f}", f"<= {most_ms} ms: {verdict}")


def on_postgresql(
    args: argparse.Namespace, sqlite: dict[int, dict[str, float]]
) -> list[tuple[str, str, str, str]]:  # float-ok
    """The register screen on PostgreSQL at each size, its ratios to SQLite's figures of this run."""
    cluster = None
    if args.postgres:
        from tests.pgserver import start_cluster

        cluster = start_cluster()
        os.environ["PGPASSWORD"] = cluster.password
    rows = []
    try:
        for n in args.sizes:
            url = args.url or cluster.url(cluster.fresh_database())  # type: ignore[union-attr]
            workdir = args.workdir / f"pg-{n}"
            t = time.perf_counter()
            asyncio.run(build(workdir, n, url))
            print(f"PostgreSQL register of {n:,} ready in {time.perf_counter() - t:.1f} s", file=sys.stderr)
            m = in_fresh_process("--register-screen", str(workdir), "--register-url", url)
            base = sqlite[n]
            paint, page = m["first_paint_s"] * 1000, m["pagedown_median_s"] * 1000
            rows.append(goal(f"PostgreSQL: first paint, {n:,} entries", paint, base["first_paint_s"] * 1000, 500))
            within = page <= 3 * base["pagedown_median_s"] * 1000
            rows.append(
                (
                    f"PostgreSQL: one page-down (median of 50), {n:,} entries",
                    f"{page:.1f} ms",
                    f"{page / (base['pagedown_median_s'] * 1000):.2f}",
                    f"<= 3x SQLite: {'PASS' if within else 'FAIL'}",
                )
            )
            rows.append(
                (
                    f"PostgreSQL: 50 page-downs, {n:,} entries",
                    f"{m['pagedown50_s'] * 1000:.0f} ms",
                    f"{m['pagedown50_s'] / base['pagedown50_s']:.2f}",
                    "ratio to SQLite",
                )
            )
    finally:
        if cluster is not None:
            cluster.stop()
    return rows


def in_fresh_process(*args: str) -> dict[str, float]:  # float-ok
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 1_000_000])
    parser.add_argument("--payouts", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=15.0, help="how long frames are watched per case")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "desk-bench-tui")
    parser.add_argument("--register-screen", type=Path, help=argparse.SUPPRESS)  # one size, in a fresh process
    parser.add_argument("--frames", nargs=2, metavar=("SCREEN", "MODE"), help=argparse.SUPPRESS)
    parser.add_argument("--register-url", help=argparse.SUPPRESS)  # with --register-screen: on this server
    server = parser.add_mutually_exclusive_group()
    server.add_argument("--url", help="also on this PostgreSQL database (one size)")
    server.add_argument("--postgres", action="store_true", help="also on a throwaway PostgreSQL cluster")
    parser.add_argument(
        "--screen-only", action="store_true", help="the register screen alone (no frames, no cold start)"
    )
    args = parser.parse_args()
    # the bench's desk is the TUI tests' (pools named without a base_url): as in the tests, the
    # screens it opens reach no real API's host (the reconciliation screen asked api.ocean.xyz)
    socket.getaddrinfo = local_only(socket.getaddrinfo)  # type: ignore[assignment]
    if args.register_screen:
        print(json.dumps(asyncio.run(measure_register(args.register_screen, args.register_url))))
        return
    if args.frames:
        print(json.dumps(asyncio.run(measure_frames(args.payouts, *args.frames, args.seconds))))
        return

    load_before = os.getloadavg()
    rows: list[tuple[str, str, str, str]] = []
    sizes = {}
    for n in args.sizes:
        t = time.perf_counter()
        asyncio.run(build(args.workdir / str(n), n))
        print(f"register of {n:,} ready in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        sizes[n] = in_fresh_process("--register-screen", str(args.workdir / str(n)))
    base = sizes[args.sizes[0]]
    for n, m in sizes.items():
        rows.append(
            goal(
                f"register screen first paint, {n:,} entries",
                m["first_paint_s"] * 1000,
                base["first_paint_s"] * 1000,
                100,
            )
        )
        rows.append(
            goal(
                f"one page-down, key to drawn (median of 50 presses), {n:,} entries",
                m["pagedown_median_s"] * 1000,
                base["pagedown_median_s"] * 1000,
                16,
            )
        )
        rows.append(
            (
                f"50 page-ups held down (60 frames/s cap: 833 ms), {n:,} entries",
                f"{m['pagedown50_s'] * 1000:.0f} ms",
                f"{m['pagedown50_s'] / base['pagedown50_s']:.2f}",
                "ratio 1M/1k <= 1.5",
            )
        )
        rows.append(
            (
                f"peak RSS, {n:,} entries open",
                f"{m['rss_mb']:.0f} MB",
                f"{m['rss_mb'] / base['rss_mb']:.2f}",
                "<= 150 MB at 1M",
            )
        )
    if args.url or args.postgres:
        rows += on_postgresql(args, sizes)
    small = sizes[args.sizes[0]]
    if args.screen_only:
        print_table(f"register screen benchmark ({os.cpu_count()} CPUs, shared)", rows)
        return
    rows.append(goal("`esc` out of the transfer form", small["esc_form_s"] * 1000, small["esc_form_s"] * 1000, 50))
    for key, name in SCREENS.items():
        figure = small[f"first_content_{key}_s"] * 1000
        rows.append(goal(f"first content of {name} (`{key}`)", figure, small["first_content_r_s"] * 1000, 300))

    for screen in ("dashboard", "register"):
        cases = {
            mode: in_fresh_process(
                "--frames", screen, mode, "--payouts", str(args.payouts), "--seconds", str(args.seconds)
            )
            for mode in ("idle", "child", "inprocess")
        }
        idle = cases["idle"]["longest_gap_ms"]
        for mode, label in (
            ("idle", "no sync (baseline)"),
            ("child", "sync child (as desk runs it)"),
            ("inprocess", "engine in the app's process"),
        ):
            m = cases[mode]
            rows.append(
                (
                    f"longest frame gap, {screen}, {label}",
                    f"{m['longest_gap_ms']:.0f} ms, UI CPU {m['longest_cpu_ms']:.0f} ms "
                    f"({m['updates_per_s']:.1f} draws/s, {m['written']:,} written)",
                    f"{m['longest_gap_ms'] / idle:.2f}",
                    (f"<= 50 ms: {'PASS' if m['longest_gap_ms'] <= 50 else 'FAIL'}") if mode == "child" else "",
                )
            )

    small = args.workdir / str(args.sizes[0]) / "desk.toml"
    desk = cold_start([sys.executable, "-m", "desk", "--config", str(small)], b"latest activity")
    demo = cold_start([sys.executable, "-m", "desk", "demo"], b"latest activity")
    rows.append((f"cold start `desk` ({args.sizes[0]:,} entries) to first frame", f"{desk:.2f} s", "1.00", ""))
    rows.append(("cold start `desk demo` to first frame", f"{demo:.2f} s", f"{demo / desk:.2f}", ""))
    load_after = os.getloadavg()
    print_table(
        f"screen benchmark ({os.cpu_count()} CPUs; load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after: the machine is shared)",
        rows,
    )


if __name__ == "__main__":
    main()
