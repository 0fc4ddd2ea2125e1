"""`desk migrate` at size: a register copied file to file, file to PostgreSQL and back.

    .venv/bin/python bench/migrate.py [--entries 100000] [--batch 5000] [--url postgresql://... | --sqlite-only]

The register is built by desk/sim/workload.py (four pools' earnings and payouts, a daily
transfer drafted and approved, a year of prices). Each copy is timed with the verify that ends
it (the target verified against the source's heads). The baseline, measured in the same run, is
SQLite copying the same file by itself (`sqlite3` online backup: pages, no rows, no checks);
the PostgreSQL copies are shown beside the file-to-file one. PostgreSQL: `--url` names an empty
database (password from DESK_REGISTER__PASSWORD or PGPASSWORD), else a throwaway cluster.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.pgserver, without --url

from common import print_table

from desk.operations.migrate import migrate
from desk.sim import workload

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def backup(source: Path, target: Path) -> float:
    start = time.perf_counter()
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return time.perf_counter() - start


async def timed_migrate(source: str, target: str, batch: int) -> tuple[float, int]:
    start = time.perf_counter()
    done = await migrate(source, target, batch=batch)
    if not done.ok:
        raise SystemExit(f"{source} -> {target}: the copy does not verify: {done.report.verified}")
    return time.perf_counter() - start, sum(done.report.rows.values())


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--url", help="an empty PostgreSQL database (default: a throwaway cluster)")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "source.sqlite"
        await workload.build(source, args.entries, NOW)
        base = await asyncio.to_thread(backup, source, folder / "backup.sqlite")
        file_s, rows = await timed_migrate(str(source), str(folder / "copy.sqlite"), args.batch)
        table: list[tuple[str, str, str, str]] = [
            ("SQLite's own online backup (baseline)", f"{base:.1f} s", "", ""),
            (
                f"desk migrate file -> file, {rows:,} rows, verified",
                f"{file_s:.1f} s",
                f"{file_s / base:.1f} x the backup; {rows / file_s:,.0f} rows/s",
                "",
            ),
        ]
        if not args.sqlite_only:
            cluster, url = None, args.url
            if url is None:
                from tests.pgserver import start_cluster

                cluster = start_cluster()
                url = cluster.url(cluster.fresh_database())
                os.environ["PGPASSWORD"] = cluster.password
            elif "DESK_REGISTER__PASSWORD" in os.environ:
                os.environ["PGPASSWORD"] = os.environ["DESK_REGISTER__PASSWORD"]
            try:
                there, _ = await timed_migrate(str(source), url, args.batch)
                back, _ = await timed_migrate(url, str(folder / "back.sqlite"), args.batch)
            finally:
                if cluster is not None:
                    cluster.stop()
            table += [
                (
                    "desk migrate file -> PostgreSQL, verified",
                    f"{there:.1f} s",
                    f"{there / file_s:.2f} x file -> file",
                    "",
                ),
                (
                    "desk migrate PostgreSQL -> file, verified",
                    f"{back:.1f} s",
                    f"{back / file_s:.2f} x file -> file",
                    "",
                ),
            ]
    print_table(f"desk migrate, a register of {args.entries:,} entries, batches of {args.batch:,}", table)


if __name__ == "__main__":
    asyncio.run(main())
