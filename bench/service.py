"""Service acceptance: `desk sync` runs as a service against the simulator for a while, and
every few seconds one feed is switched into a fault, a different kind each time (the
sources' failures and the odd rows: a zero, a fee over its payout, garbled bytes, a bad row,
1e-2000). Then the faults clear and it checks what issue 13 asks of the service:

- every feed was polled throughout: the longest gap between two reports of each feed;
- `desk status` lists every configured feed, the price stream included;
- nothing was written twice: each (source, external id) once, and once the faults are gone
  each pool's totals equal what the simulator reported;
- `desk verify` is OK, and nothing crashed (no traceback, no `feed_crashed` line).

    .venv/bin/python bench/service.py [--seconds 60] [--every 10]

It exits 1 when a check fails. The register starts from a first `desk sync --once` (the
backfill), so the service's polls are the steady ones; Braiins is paced to one request per
5 s as in production, so its reports are about 10 s apart.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

from common import print_table

from desk.config import load_settings
from desk.register import PageFilter, Register
from desk.sim import SimCluster

REPO = Path(__file__).resolve().parent.parent
#: (feed, fault) in the order they are injected, one per period; pools get the row faults
SCHEDULE = [
    ("braiins", "zero_row"),
    ("f2main", "fee_over"),
    ("foundry", "garbled"),
    ("ocean", "bad_row"),
    ("f2main", "tiny_amount"),
    ("kraken", "418"),
    ("foundry", "500"),
    ("ocean", "truncated"),
    ("coinbase", "429"),
    ("braiins", "wrong_types"),
    ("f2main", "empty_number"),
    ("nbk", "403"),
]
#: the longest a feed may go without a report: Braiins takes ~10 s a poll (three paced requests)
MAX_GAP_S = 25.0  # float-ok: seconds


def toml(overrides: dict[str, Any], register: Path) -> str:
    lines = [
        f'[register]\npath = "{register}"',
        '[operator]\nname = "service-check"',
        "[sync]\nbackfill_days = 30\npools_interval = 2\nprices_interval = 1",
    ]
    for name, pool in overrides["pools"].items():
        lines.append(f"[pools.{name}]\n" + "\n".join(f"{k} = {json.dumps(v)}" for k, v in pool.items()))
    for name, source in overrides["prices"]["sources"].items():
        lines.append(f"[prices.sources.{name}]\n" + "\n".join(f"{k} = {json.dumps(v)}" for k, v in source.items()))
    return "\n\n".join(lines) + "\n"


async def desk(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "desk",
        *args,
        env=env,
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


async def read_events(stream: asyncio.StreamReader, events: list[tuple[float, dict]]) -> None:
    while line := await stream.readline():
        events.append((time.monotonic(), json.loads(line)))


async def run(seconds: int, every: int) -> bool:
    async with SimCluster(seed=13, days=20) as sim:
        with tempfile.TemporaryDirectory(prefix="desk-service-") as tmp:
            register = Path(tmp) / "register.sqlite"
            config = Path(tmp) / "desk.toml"
            config.write_text(toml(sim.settings_overrides(), register))
            config.chmod(0o600)
            env = {**os.environ, "DESK_CONFIG": str(config), "PYTHONPATH": str(REPO)}
            assert (await desk(env, "init"))[0] == 0
            code, _, err = await desk(env, "sync", "--once")
            assert code == 0, err
            service = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "desk",
                "sync",
                "--json",
                env=env,
                cwd=REPO,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            assert service.stdout is not None and service.stderr is not None
            events: list[tuple[float, dict]] = []
            reader = asyncio.create_task(read_events(service.stdout, events))
            started = time.monotonic()
            injected = []
            for period in range(max(1, seconds // every)):
                feed, fault = SCHEDULE[period % len(SCHEDULE)]
                sim.faults.clear()
                sim.faults.set(feed, fault)
                injected.append(f"{feed}:{fault}")
                await asyncio.sleep(every)  # the service runs meanwhile: this is the run's length
            sim.faults.clear()
            cleared = time.monotonic()
            pools = ["braiins", "f2main", "foundry", "ocean"]
            settled = await settle(events, pools, cleared)
            finished = time.monotonic()
            service.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(service.wait(), 60)
            await reader
            stderr = (await service.stderr.read()).decode()
            status = (await desk(env, "status"))[1]
            verify_code, verify_out, _ = await desk(env, "verify")
            settings = load_settings(config, env={})
            twice, totals = await written_once(settings.register.path, sim, pools)
    return report(
        seconds,
        every,
        injected,
        events,
        started,
        finished,
        code,
        stderr,
        status,
        verify_code,
        verify_out,
        twice,
        totals,
        settled,
        settings,
    )


async def settle(events: list[tuple[float, dict]], pools: list[str], since: float) -> bool:
    """Once the faults are gone, every pool reports ok again (its refused rows parse)."""
    deadline = since + 90
    while time.monotonic() < deadline:
        ok = {e["feed"] for t, e in events if t > since and e.get("event") == "feed" and e["status"] == "ok"}
        if set(pools) <= ok:
            return True
        await asyncio.sleep(0.5)  # polling the list the reader task fills; bounded by the deadline
    return False


async def written_once(path: Path, sim: SimCluster, pools: list[str]) -> tuple[int, dict[str, bool]]:
    """How many (source, external id) are written more than once, and per pool whether the
    register's totals equal the simulator's."""
    seen: dict[tuple[str, str], int] = {}
    async with Register.open(path, operator="service-check") as register:
        before = None
        while page := await register.page(PageFilter(), before=before, limit=500):
            for entry in page:
                if entry.source is not None:
                    key = (entry.source, entry.external_id or "")
                    seen[key] = seen.get(key, 0) + 1
            before = page[-1].key
        totals = {}
        for pool in pools:
            earned = -(await register.balance(f"income:mining:{pool}", "BTC")).units
            paid = earned - (await register.balance(f"assets:pool:{pool}", "BTC")).units
            totals[pool] = (earned, paid) == sim.truth(pool)
    return sum(1 for n in seen.values() if n > 1), totals


def report(
    seconds: int,
    every: int,
    injected: list[str],
    events: list[tuple[float, dict]],
    started: float,
    finished: float,
    code: int,
    stderr: str,
    status: str,
    verify_code: int,
    verify_out: str,
    twice: int,
    totals: dict[str, bool],
    settled: bool,
    settings: Any,
) -> bool:
    names = [*settings.pools, *settings.prices.sources]
    rows = []
    ok = True
    for name in names:
        times = [t for t, e in events if e.get("event") == "feed" and e.get("feed") == name]
        marks = [started, *times, finished]
        gap = max(b - a for a, b in pairwise(marks))
        states = sorted({e["status"] for _t, e in events if e.get("event") == "feed" and e.get("feed") == name})
        good = bool(times) and gap <= MAX_GAP_S
        ok &= good
        rows.append(
            (
                f"{name}: reports, longest gap",
                f"{len(times)}, {gap:.1f} s",
                ", ".join(states),
                f"<= {MAX_GAP_S:.0f} s" + ("" if good else "  FAILED"),
            )
        )
    listed = all(f" {name} " in status for name in names)
    crashed = [e for _t, e in events if e.get("event") == "feed_crashed"]
    checks = [
        ("service exit code on SIGTERM", str(code), "", "0", code == 0),
        ("desk status lists every feed", "yes" if listed else "no", f"{len(names)} feeds", "all", listed),
        ("entries written twice", str(twice), "", "0", twice == 0),
        (
            "pools equal the simulator",
            ", ".join(p for p, good in totals.items() if good),
            "after the faults",
            "all 4",
            all(totals.values()),
        ),
        ("every pool ok again", "yes" if settled else "no", "after the faults clear", "yes", settled),
        ("desk verify", verify_out.strip().splitlines()[0] if verify_out.strip() else "-", "", "OK", verify_code == 0),
        (
            "crashes / tracebacks",
            f"{len(crashed)} / {stderr.count('Traceback')}",
            "",
            "0 / 0",
            not crashed and "Traceback" not in stderr,
        ),
    ]
    for what, figure, ratio, goal, good in checks:
        ok &= good
        rows.append((what, figure, ratio, goal + ("" if good else "  FAILED")))
    print_table(f"service acceptance: {seconds} s, a fault every {every} s: {', '.join(injected)}", rows)
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--every", type=int, default=10)
    args = parser.parse_args()
    sys.exit(0 if asyncio.run(run(args.seconds, args.every)) else 1)


if __name__ == "__main__":
    main()
