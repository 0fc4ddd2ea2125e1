"""Acceptance of issue 16: two desks and a sync writing one register at once, on SQLite and on
PostgreSQL in the same run.

    .venv/bin/python bench/desks.py [--seconds 60] [--transfers 500] [--payouts 50000]
                                    [--url postgresql://user@host:port/db] [--sqlite-only]

Three processes share one register for about `--seconds`: desk A (operator aliya) and desk B
(operator bolat) each draft `--transfers` transfers from the ops wallet into the reserve, at an
even pace, and each approves every draft the other makes as soon as its register watch
(`Register.watch`: SQLite's change marker, PostgreSQL's notifications) says something changed;
a sync writer backfills `--payouts` pool payouts through `Register.ingest` in batches that
overlap the one before (a re-delivered page, as a feed gives it), at an even pace too.

Then it checks what the issue asks: every entry exactly once (one opening, each payout once,
each transfer once, drafted at one desk and approved at the other), every balance exact (the
expected ones summed here in integers), nothing left pending, `desk verify` OK, and no error
surfaced in any process. Exits 1 if a check fails. The table shows, per backend: the run's
wall time, the sync's ingest rate while the desks worked, the desks' drafts and approvals per
second, and how long a desk took to notice the other's draft (its commit to the approving
desk's read of it), beside SQLite's in the same run.

PostgreSQL: `--url` names an empty database (the password from DESK_REGISTER__PASSWORD or
PGPASSWORD); without it a throwaway cluster is started in a temp dir, as the tests do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import print_grid

from desk.money import BTC, Amount
from desk.register import NewEntry, PageFilter, Posting, Register
from desk.sim.workload import POOLS, RESERVE, WALLET, settings_for

T0 = datetime(2026, 1, 1, tzinfo=UTC)
OPENING = Amount(BTC, 1_000)
DESKS = (("aliya", "bolat"), ("bolat", "aliya"))
#: Payouts per ingest, and how many of the batch before each one repeats.
BATCH, OVERLAP = 500, 50


def transfer(operator: str, i: int) -> NewEntry:
    amount = Amount.from_units(BTC, 100_000 + i)
    return NewEntry(
        kind="transfer",
        ts=T0 + timedelta(days=30, seconds=i),
        postings=(Posting(WALLET, -amount), Posting(RESERVE, amount)),
        memo=f"{operator} sweep {i}",
    )


def payout_units(i: int) -> int:
    return 50_000 + i % 7_919


def payout(i: int) -> NewEntry:
    pool = POOLS[i % len(POOLS)]
    amount = Amount.from_units(BTC, payout_units(i))
    return NewEntry(
        kind="payout",
        ts=T0 + timedelta(seconds=30 * i),
        postings=(Posting(f"assets:pool:{pool}", -amount), Posting(WALLET, amount)),
        memo=f"{pool} payout",
        reference=f"{i:064x}",
        source=f"pool:{pool}",
        external_id=f"p{i}",
        status="confirmed",
    )


# ---------------------------------------------------------------- the three writers (child processes)


async def desk(url: str, operator: str, other: str, n: int, seconds: float) -> dict[str, Any]:
    """Draft `n` transfers at an even pace; approve each of `other`'s drafts once noticed."""
    pace = seconds / n if n else 0.0
    drafted: list[int] = []
    approved: set[int] = set()
    seen: set[int] = set()
    noticed: list[float] = []
    async with Register.open(url, operator=operator) as reg:
        started = time.perf_counter()

        async def drafting() -> None:
            for i in range(n):
                await asyncio.sleep(max(0.0, started + i * pace - time.perf_counter()))
                drafted.append(await reg.draft(transfer(operator, i)))

        async def approve_waiting() -> None:
            waiting = await reg.drafts("pending", limit=None)
            read_at = datetime.now(UTC)
            for draft in waiting:
                if draft.drafted_by == other and draft.id not in approved:
                    if draft.id not in seen:  # noticed now: its commit to this read
                        seen.add(draft.id)
                        noticed.append((read_at - draft.created_at).total_seconds())
                    await reg.approve(draft.id)
                    approved.add(draft.id)

        async def approving() -> None:
            await approve_waiting()
            async for _ in reg.watch():
                await approve_waiting()
                if len(approved) >= n:
                    return

        await asyncio.gather(drafting(), approving())
        elapsed = time.perf_counter() - started
    return {"drafted": len(drafted), "approved": len(approved), "seconds": elapsed, "noticed": noticed}


async def sync_writer(url: str, payouts: int, seconds: float) -> dict[str, Any]:
    """Ingest `payouts` payouts in overlapping batches at an even pace."""
    batches = range(0, payouts, BATCH)
    pace = seconds / len(batches) if payouts else 0.0
    new = unchanged = 0
    busy = 0.0
    async with Register.open(url, operator="sync") as reg:
        started = time.perf_counter()
        for k, first in enumerate(batches):
            await asyncio.sleep(max(0.0, started + k * pace - time.perf_counter()))
            entries = [payout(i) for i in range(max(0, first - OVERLAP), min(payouts, first + BATCH))]
            at = time.perf_counter()
            result = await reg.ingest(entries)
            busy += time.perf_counter() - at
            new, unchanged = new + result.new, unchanged + result.unchanged
        elapsed = time.perf_counter() - started
    return {"new": new, "unchanged": unchanged, "seconds": elapsed, "busy": busy}


def child(args: argparse.Namespace) -> None:
    if args.child == "desk":
        result = asyncio.run(desk(args.url, args.operator, args.other, args.transfers, args.seconds))
    else:
        result = asyncio.run(sync_writer(args.url, args.payouts, args.seconds))
    print(json.dumps(result))


# ---------------------------------------------------------------- the run and its checks


@dataclass
class Run:
    backend: str
    wall: float = 0.0
    desks: list[dict[str, Any]] = field(default_factory=list)
    sync: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


async def prepare(url: str, path: Path) -> None:
    """An empty register with the accounts and the opening balance of the ops wallet."""
    async with Register.open(url, operator="setup", create=True) as reg:
        if await reg.count() or reg.accounts():
            raise SystemExit(f"{url}: the register is not empty; the acceptance run needs an empty one")
        await reg.init_accounts(settings_for(path))
        await reg.post(
            NewEntry(
                kind="opening",
                ts=T0,
                memo="opening",
                postings=(Posting("equity:opening", -OPENING), Posting(WALLET, OPENING)),
            )
        )


async def spawn(*argv: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, __file__, *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env
    )


async def run(backend: str, url: str, path: Path, args: argparse.Namespace, env: dict[str, str]) -> Run:
    await prepare(url, path)
    common = ["--url", url, "--seconds", str(args.seconds), "--transfers", str(args.transfers)]
    started = time.perf_counter()
    processes = [
        *[await spawn("--child", "desk", "--operator", me, "--other", other, *common, env=env) for me, other in DESKS],
        await spawn("--child", "sync", "--payouts", str(args.payouts), *common, env=env),
    ]
    outputs = await asyncio.gather(*(p.communicate() for p in processes))
    done = Run(backend, wall=time.perf_counter() - started)
    for process, (out, err) in zip(processes, outputs, strict=True):
        if process.returncode != 0 or err.strip():
            done.errors.append(f"exit {process.returncode}: {err.decode(errors='replace').strip()[-1500:]}")
            continue
        result = json.loads(out)
        if "new" in result:
            done.sync = result
        else:
            done.desks.append(result)
    if not done.errors:
        done.failed = await check(url, args)
    return done


async def check(url: str, args: argparse.Namespace) -> list[str]:
    """What the issue asks of the run; each failure as a line."""
    failed: list[str] = []
    n, payouts = args.transfers, args.payouts
    async with Register.open(url, operator="auditor") as reg:
        count = await reg.count()
        if count != 1 + payouts + 2 * n:
            failed.append(f"{count} entries, expected {1 + payouts + 2 * n}")
        ids = Counter([e.external_id async for e in reg.walk(PageFilter(kind="payout"))])
        if len(ids) != payouts or any(c != 1 for c in ids.values()):
            failed.append(f"payouts: {len(ids)} distinct of {payouts}, {sum(c > 1 for c in ids.values())} twice")
        transfers = [e async for e in reg.walk(PageFilter(kind="transfer"))]
        memos = Counter(e.memo for e in transfers)
        if len(transfers) != 2 * n or any(c != 1 for c in memos.values()):
            failed.append(f"transfers: {len(transfers)} posted, {len(memos)} distinct, expected {2 * n}")
        crossed = sum(1 for e in transfers if {e.drafted_by, e.approved_by} == {"aliya", "bolat"})
        if crossed != len(transfers):
            failed.append(f"{len(transfers) - crossed} transfers not drafted at one desk and approved at the other")
        pending = await reg.drafts("pending", limit=None)
        if pending:
            failed.append(f"{len(pending)} drafts still pending")
        moved = 2 * sum(100_000 + i for i in range(n))
        paid = sum(payout_units(i) for i in range(payouts))
        expected = {
            WALLET: OPENING.units + paid - moved,
            RESERVE: moved,
            **{f"assets:pool:{p}": -sum(payout_units(i) for i in range(payouts) if POOLS[i % len(POOLS)] == p)
               for p in POOLS},
        }  # fmt: skip
        for account, units in expected.items():
            held = await reg.balance(account, "BTC")
            if held != Amount.from_units(BTC, units):
                failed.append(f"{account}: {held}, expected {Amount.from_units(BTC, units)}")
        verified = await reg.verify()
        if not verified.ok:
            failed.append(f"verify: {verified.problems[:3]}")
    return failed


# ---------------------------------------------------------------- the table


def figures(done: Run, args: argparse.Namespace) -> dict[str, str]:
    if done.errors:
        return {"wall": "errors", "ingest": "", "acts": "", "notice": "", "notice max": "", "checks": "FAILED"}
    noticed = sorted(x for d in done.desks for x in d["noticed"])
    p95 = noticed[int(len(noticed) * 0.95)] if noticed else 0.0
    acts = sum(d["drafted"] + d["approved"] for d in done.desks)
    desk_s = max(d["seconds"] for d in done.desks)
    return {
        "wall": f"{done.wall:.1f} s (desks {desk_s:.1f} s, sync {done.sync['seconds']:.1f} s)",
        "ingest": f"{args.payouts / done.sync['busy']:,.0f} entries/s ({done.sync['unchanged']:,} re-sent unchanged)",
        "acts": f"{acts / desk_s:,.1f}/s ({acts:,} drafts and approvals)",
        "notice": f"{statistics.median(noticed) * 1e3:.0f} ms median, {p95 * 1e3:.0f} ms p95" if noticed else "",
        "notice max": f"{noticed[-1] * 1e3:.0f} ms" if noticed else "",
        "checks": "OK" if not done.failed else "FAILED",
    }


def median_notice(done: Run) -> float:
    return statistics.median(x for d in done.desks for x in d["noticed"])


def print_runs(runs: list[Run], args: argparse.Namespace) -> None:
    shown = {r.backend: figures(r, args) for r in runs}
    labels = {
        "wall": "wall time, processes' start included",
        "ingest": f"sync ingest ({args.payouts:,} payouts, desks working)",
        "acts": "desks' drafts + approvals per second",
        "notice": "draft committed -> other desk read it",
        "notice max": "  slowest notice",
        "checks": "exactly once, balances exact, verify, no error",
    }
    ratios = {}
    if len(runs) == 2 and not any(r.errors for r in runs):
        sqlite, pg = runs
        ratios["ingest"] = f"{sqlite.sync['busy'] / pg.sync['busy']:.2f} x SQLite's rate"
        ratios["notice"] = f"{median_notice(pg) / median_notice(sqlite):.2f} x SQLite's median"
    rows = [[label, *(shown[r.backend][key] for r in runs), ratios.get(key, "")] for key, label in labels.items()]
    header = ["what", *(r.backend for r in runs), "ratio"]
    title = (
        f"two desks x {args.transfers} transfers each way + a sync of {args.payouts:,} payouts, "
        f"paced over {args.seconds:g} s"
    )
    print_grid(title, header, rows)
    for r in runs:
        for line in r.errors + r.failed:
            print(f"{r.backend}: {line}")


async def main(args: argparse.Namespace) -> int:
    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.chmod(folder, 0o700)
        env = {**os.environ}
        path = folder / "desks.sqlite"
        runs.append(await run("SQLite", str(path), path, args, env))
        if not args.sqlite_only:
            cluster = None
            url = args.url
            if url is None:
                from tests.pgserver import start_cluster

                cluster = start_cluster()
                url = cluster.url(cluster.fresh_database())
                env["PGPASSWORD"] = cluster.password
            elif "DESK_REGISTER__PASSWORD" in os.environ:
                env["PGPASSWORD"] = os.environ["DESK_REGISTER__PASSWORD"]
            os.environ.update({k: v for k, v in env.items() if k == "PGPASSWORD"})
            try:
                runs.append(await run("PostgreSQL", url, folder / "pg-place", args, env))
            finally:
                if cluster is not None:
                    cluster.stop()
    print_runs(runs, args)
    return 0 if all(not r.errors and not r.failed for r in runs) else 1


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the writers are paced over")
    parser.add_argument("--transfers", type=int, default=500, help="transfers each desk drafts")
    parser.add_argument("--payouts", type=int, default=50_000, help="payouts the sync backfills")
    parser.add_argument("--url", help="an empty PostgreSQL database (default: a throwaway cluster)")
    parser.add_argument("--sqlite-only", action="store_true", help="skip the PostgreSQL run")
    parser.add_argument("--child", choices=["desk", "sync"], help=argparse.SUPPRESS)
    parser.add_argument("--operator", help=argparse.SUPPRESS)
    parser.add_argument("--other", help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse()
    if arguments.child:
        child(arguments)
    else:
        sys.exit(asyncio.run(main(arguments)))
