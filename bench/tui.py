"""Screen benchmark: first paint of the register screen, 50 page-downs, peak RSS, cold start.

    .venv/bin/python bench/tui.py [--sizes 1000 1000000] [--workdir DIR]

Registers are built once per size (through Register.ingest, in batches) and reused.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desk.money import Amount
from desk.register import NewEntry, Posting, Register
from desk.tui.seeddata import BTC, NOW, T0, write_settings


async def build(workdir: Path, n: int) -> tuple[object, Path]:
    workdir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240
    settings = write_settings(workdir)
    path = Path(settings.register.path)
    if path.exists():  # noqa: ASYNC240 - a one-off check in a bench script
        return settings, path
    async with Register.open(path, operator="aliya", create=True) as reg:
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


async def measure(settings: object, path: Path) -> dict[str, float]:  # float-ok: durations
    from desk.tui.app import create_app
    from desk.tui.widgets.register_view import RegisterView

    app = create_app(settings, path, now=lambda: NOW)
    out: dict[str, float] = {}  # float-ok
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        start = time.perf_counter()
        await pilot.press("r")
        while not app.screen.query(RegisterView) or not app.screen.query_one(RegisterView).rows:  # noqa: ASYNC110
            await asyncio.sleep(0.001)
        await pilot.pause()
        out["first_paint_s"] = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(50):
            await pilot.press("pagedown")
            await app.workers.wait_for_complete()
        await pilot.pause()
        out["pagedown50_s"] = time.perf_counter() - start
        out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        await pilot.press("q")
    return out


def cold_start(path_settings_dir: Path) -> float:  # float-ok: a duration
    code = "\n".join(
        [
            "import asyncio, sys, time",
            "t = time.perf_counter()",
            "sys.path.insert(0, '.')",
            "from pathlib import Path",
            "from desk.tui.seeddata import write_settings",
            "from desk.tui.app import create_app",
            f"s = write_settings(Path({str(path_settings_dir)!r}))",
            "app = create_app(s, s.register.path)",
            "async def m():",
            "    async with app.run_test(size=(120, 40)) as p:",
            "        await p.pause()",
            "asyncio.run(m())",
            "print(time.perf_counter() - t)",
        ]
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(res.stdout.strip().splitlines()[-1])  # float-ok


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 1_000_000])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "desk-bench-tui")
    args = parser.parse_args()
    rows = []
    for n in args.sizes:
        d = args.workdir / str(n)
        t = time.perf_counter()
        settings, path = asyncio.run(build(d, n))
        print(f"built {n} in {time.perf_counter() - t:.1f}s", file=sys.stderr)
        m = asyncio.run(measure(settings, path))
        m["cold_start_s"] = cold_start(d)
        rows.append((n, m))
    base = rows[0][1]
    print(
        f"{'entries':>10} {'first paint s':>14} {'50 pgdn s':>10} {'ratio':>6} {'peak RSS MB':>12} {'cold start s':>13}"
    )
    for n, m in rows:
        ratio = m["pagedown50_s"] / base["pagedown50_s"]
        print(
            f"{n:>10} {m['first_paint_s']:>14.3f} {m['pagedown50_s']:>10.3f} {ratio:>6.2f} "
            f"{m['rss_mb']:>12.1f} {m['cold_start_s']:>13.2f}"
        )


if __name__ == "__main__":
    main()
