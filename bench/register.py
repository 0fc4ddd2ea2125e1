"""Register benchmark: ingest, balance reads, deep pages, verify, bytes per entry.

    .venv/bin/python bench/register.py [--entries 1000000] [--batch 100000] [--valuations N] [--quotes N]
                                       [--url postgresql://user@host:port/db | --postgres]

Prints a table; every figure that has a goal is shown with its ratio to the baseline
measured in the same run (plain sqlite3 executemany of the same rows into a bare table,
batch by batch alternating with the ingest; the same page on a 1k register). The ingest
row starts both clocks from the same payout records, as a feed hands them over (desk: dedupe,
validate, chain, write entries, postings and balances; the baseline: turn each record into a
row and executemany it); the row under it leaves making the records out of both, which shows
what the register's own writing costs beside a bare insert.

`desk verify` is shown beside the figures it had before it covered every table (15 s at 1M
on the machine issue 12 was filed from, 8.7 s in the last note) and beside a baseline run
here: the entry hash chain alone, recomputed bare. Each step of verify is timed so what each
check costs can be read off; the register gets a valuation (a chained action and a row, as
the valuation pass writes them) per entry and a price history of chained quotes first, so
those checks run at size too.

With `--url` (an empty PostgreSQL database; the password from DESK_REGISTER__PASSWORD or
PGPASSWORD) or `--postgres` (a throwaway cluster started in a temp dir, as the tests do), the
same payouts are ingested into the register on the server too, and its ingest rate, balance
read, deep page and search are shown beside SQLite's from the same run (issue 16's goal: page
and balance within 3x of SQLite).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.pgserver, for --postgres

from common import print_table

from desk.config import load_settings
from desk.money import BTC, Amount
from desk.register import NewEntry, PageFilter, Posting, Quote, Register
from desk.register import valuations as store
from desk.register.canonical import GENESIS, details_from_text, entry_body, hash_body
from desk.register.units import from_db

T0 = datetime(2024, 1, 1, tzinfo=UTC)
POOLS = ["f2main", "braiins", "foundry", "ocean"]


def payout(i: int) -> NewEntry:
    pool = POOLS[i % len(POOLS)]
    amount = Amount.from_units(BTC, 100_000 + i % 9_000_000)
    return NewEntry(
        kind="payout",
        ts=T0 + timedelta(seconds=30 * i),
        postings=(Posting(f"assets:pool:{pool}", -amount), Posting("assets:wallet:ops", amount)),
        memo=f"{pool} payout",
        reference=f"{i * 2654435761 % 2**64:016x}{i:048x}",
        source=f"pool:{pool}",
        external_id=f"p{i}",
        status="confirmed",
    )


def settings_for(path: Path):
    pools = {name: {"kind": "ocean", "user": "bc1q" + name} for name in POOLS}
    return load_settings(None, env={}, overrides={"register": {"path": str(path)}, "pools": pools})


class Bare:
    """The baseline: plain sqlite3 executemany of the same rows (seq, ts, memo, reference,
    source, id, account, amount) into a bare table, same pragmas, one transaction a batch."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.execute(
            "CREATE TABLE t (seq INTEGER PRIMARY KEY, ts TEXT, memo TEXT, ref TEXT, source TEXT, id TEXT, "
            "account TEXT, units INTEGER)"
        )
        self.seq = 0

    def write(self, batch: list[NewEntry]) -> float:
        start = time.perf_counter()
        data = []
        for e in batch:
            self.seq += 1
            data.append(
                (
                    self.seq,
                    e.ts.isoformat(),
                    e.memo,
                    e.reference,
                    e.source,
                    e.external_id,
                    e.postings[1].account,
                    e.postings[1].amount.units,
                )
            )
        self.conn.execute("BEGIN")
        self.conn.executemany("INSERT INTO t VALUES (?,?,?,?,?,?,?,?)", data)
        self.conn.execute("COMMIT")
        return time.perf_counter() - start


async def fill(path: Path | str, rows: int, batch: int, bare: Bare | None = None) -> tuple[float, float, float]:
    """Ingest `rows` payouts in batches; with `bare`, write each batch to the baseline table
    right before, so both see the same machine (other load hits both alike). The payouts are
    made before either clock starts: neither figure includes making the test data.
    Returns (ingest seconds, baseline seconds, seconds spent making the payout records)."""
    settings = settings_for(Path("accounts-only") if isinstance(path, str) else path)
    ingest_s = bare_s = making_s = 0.0
    async with Register.open(path, operator="bench", create=True) as reg:
        await reg.init_accounts(settings)
        for first in range(0, rows, batch):
            start = time.perf_counter()
            entries = [payout(i) for i in range(first, min(rows, first + batch))]
            making_s += time.perf_counter() - start
            if bare is not None:
                bare_s += bare.write(entries)
            start = time.perf_counter()
            await reg.ingest(entries)
            ingest_s += time.perf_counter() - start
            print(f"  ingested {min(rows, first + batch):,}", file=sys.stderr, end="\r")
    return ingest_s, bare_s, making_s


async def timed(fn, repeat: int = 20) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        await fn()
        best = min(best, time.perf_counter() - start)
    return best


async def reads(path: Path | str) -> dict[str, float]:
    async with Register.open(path, operator="bench") as reg:
        count = await reg.count()
        middle = (await reg.entry(count // 2)).key
        flt = PageFilter(account="assets:pool:ocean")
        return {
            "balance": await timed(lambda: reg.balance("assets:wallet:ops", "BTC")),
            "page": await timed(lambda: reg.page(flt, before=middle, limit=100)),
            "search": await timed(lambda: reg.page(PageFilter(text=f"{(count // 3) * 2654435761 % 2**64:016x}"[:10]))),
        }


async def add_history(path: Path, valuations: int, quotes: int, batch: int) -> None:
    """A valuation per entry (row and chained action, as the valuation pass writes them) and
    `quotes` chained quotes (BTC/USD every minute), then a checkpoint: what verify checks
    beside the entries."""
    async with Register.open(path, operator="bench") as reg:
        for first in range(1, valuations + 1, batch):
            rows = [
                store.Valuation(entry_seq=seq, asset="BTC", units=100_000 + seq, revision=1, state="valued",
                                cause="receipt", price=Decimal("97000.5"), price_currency="USD", source="kraken",
                                source_time=T0, usd=Decimal(seq) / 100, kzt=Decimal(seq) * 5,
                                kzt_rate=Decimal("481.25"), kzt_rate_date=T0.date(), kzt_rate_source="nbk")
                for seq in range(first, min(valuations, first + batch - 1) + 1)
            ]  # fmt: skip
            await store.write(reg, rows)
            print(f"  valued {rows[-1].entry_seq:,}", file=sys.stderr, end="\r")
        for first in range(0, quotes, batch):
            at = [T0 + timedelta(minutes=m) for m in range(first, min(quotes, first + batch))]
            await reg.record_quotes(Quote("BTC", "USD", Decimal(97_000) + m.minute, "kraken", m, m) for m in at)
        await reg.checkpoint()


def bare_chain(path: Path) -> float:
    """The baseline: the entry hash chain alone, recomputed from the file, nothing else."""
    start = time.perf_counter()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    accounts = dict(conn.execute("SELECT id, path FROM accounts"))
    entries = conn.execute(
        "SELECT seq, ts, kind, memo, reference, source, external_id, status, price, reverses, drafted_by, "
        "approved_by, approved_at, hash, details FROM entries ORDER BY seq"
    )
    postings = conn.execute("SELECT entry_seq, account_id, asset, units FROM postings ORDER BY entry_seq, idx")
    legs = iter(postings)
    pending = next(legs, None)
    prev = GENESIS
    for row in entries:
        triples = []
        while pending is not None and pending[0] == row[0]:
            triples.append((accounts[pending[1]], pending[2], from_db(pending[3])))
            pending = next(legs, None)
        body = entry_body(seq=row[0], ts=row[1], kind=row[2], memo=row[3], reference=row[4], source=row[5],
                          external_id=row[6], status=row[7], price=row[8], reverses=row[9], drafted_by=row[10],
                          approved_by=row[11], approved_at=row[12], postings=triples,
                          details=details_from_text(row[14]))  # fmt: skip
        prev = hash_body(prev, body)
        assert prev == row[13]
    conn.close()
    return time.perf_counter() - start


async def verify_time(path: Path) -> tuple[float, bool, dict[str, Decimal], tuple[int, int]]:
    async with Register.open(path, operator="bench") as reg:
        start = time.perf_counter()
        result = await reg.verify()
        return time.perf_counter() - start, result.ok, result.seconds, (result.actions, result.quotes)


def size_of(path: Path) -> int:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path.stat().st_size


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--valuations", type=int, default=None, help="valuations to add (default: one per entry)")
    parser.add_argument("--quotes", type=int, default=100_000, help="chained quotes to add (default 100,000)")
    server = parser.add_mutually_exclusive_group()
    server.add_argument("--url", help="also on this empty PostgreSQL database")
    server.add_argument("--postgres", action="store_true", help="also on a throwaway PostgreSQL cluster")
    args = parser.parse_args()
    n, batch = args.entries, min(args.batch, args.entries)
    on_server = await on_postgresql(args, n, batch) if args.url or args.postgres else None
    valuations = n if args.valuations is None else min(args.valuations, n)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        big, small = directory / "big.sqlite", directory / "small.sqlite"
        ingest, bare, making = await fill(big, n, batch, Bare(directory / "bare.sqlite"))
        await fill(small, 1_000, 1_000)
        big_reads, small_reads = await reads(big), await reads(small)
        size = size_of(big)
        bare_s = await asyncio.to_thread(bare_chain, big)
        await add_history(big, valuations, args.quotes, batch)
        verify_s, ok, steps, (actions, quotes) = await verify_time(big)
    rows = [
        (
            "ingest from payout records",
            f"{n / (making + ingest):,.0f} entries/s",
            f"{(making + bare) / (making + ingest):.2f} of the same records executemany'd into a bare table",
            ">= 0.33",
        ),
        (
            "  the writing alone",
            f"{n / ingest:,.0f} entries/s",
            f"{bare / ingest:.2f} of bare executemany alone ({n / bare:,.0f}/s)",
            "",
        ),
        (f"balance read at {n:,}", f"{big_reads['balance'] * 1e3:.3f} ms", "", "<= 5 ms"),
        (
            "filtered page of 100, deep",
            f"{big_reads['page'] * 1e3:.3f} ms",
            f"{big_reads['page'] / small_reads['page']:.2f} x the 1k register ({small_reads['page'] * 1e3:.3f} ms)",
            "<= 2",
        ),
        (
            "tx-hash prefix search",
            f"{big_reads['search'] * 1e3:.3f} ms",
            f"{big_reads['search'] / small_reads['search']:.2f} x the 1k register",
            "",
        ),
        (
            "desk verify, every table",
            f"{verify_s:.1f} s ({'OK' if ok else 'FAILED'})",
            f"{n / verify_s:,.0f} entries/s; {verify_s / bare_s:.2f} x the bare chain ({bare_s:.1f} s)",
            "was 15 s (issue 12), 8.7 s (last note)",
        ),
        (
            "  entries: chain, postings' dates, per-day sums, drafted bodies",
            f"{steps['entries']} s",
            f"{Decimal(steps['entries']) - Decimal(f'{bare_s:.3f}')} s more than the bare chain",
            "",
        ),
        ("  balances and per-day deltas against the postings", f"{steps['sums']} s", "", ""),
        (
            f"  actions: chain and {actions:,} actions against their tables",
            f"{steps['actions']} s",
            f"{actions / max(float(steps['actions']), 1e-6):,.0f} actions/s (valuations compared row by row)",
            "",
        ),
        ("  drafts, proposals, entry state, references", f"{steps['requests']} s", "", ""),
        (
            f"  quote chain ({quotes:,} quotes)",
            f"{steps['quotes']} s",
            f"{quotes / max(float(steps['quotes']), 1e-6):,.0f} quotes/s",
            "",
        ),
        ("  recorded checkpoints", f"{steps['checkpoints']} s", "", ""),
        ("bytes per entry", f"{size / n:,.0f}", "", ""),
    ]
    if on_server is not None:
        rows += server_rows(on_server, n, making, ingest, big_reads)
    print_table(f"register benchmark, {n:,} payouts, batches of {batch:,}", rows)


async def on_postgresql(args: argparse.Namespace, n: int, batch: int) -> tuple[float, float, dict[str, float]]:
    """The same payouts into a register on PostgreSQL, and the same reads of it: (ingest
    seconds, seconds making the records, reads)."""
    cluster = None
    url = args.url
    if args.postgres:
        from tests.pgserver import start_cluster  # the repository's root is on the path (above)

        cluster = start_cluster()
        url = cluster.url(cluster.fresh_database())
        os.environ["PGPASSWORD"] = cluster.password
    elif "DESK_REGISTER__PASSWORD" in os.environ:
        os.environ["PGPASSWORD"] = os.environ["DESK_REGISTER__PASSWORD"]
    try:
        ingest, _, making = await fill(url, n, batch)
        return ingest, making, await reads(url)
    finally:
        if cluster is not None:
            cluster.stop()


def server_rows(
    on_server: tuple[float, float, dict[str, float]], n: int, making: float, ingest: float, local: dict[str, float]
) -> list[tuple[str, str, str, str]]:
    """PostgreSQL's figures beside SQLite's from this run."""
    pg_ingest, pg_making, pg = on_server
    return [
        (
            "PostgreSQL: ingest from payout records",
            f"{n / (pg_making + pg_ingest):,.0f} entries/s",
            f"{(making + ingest) / (pg_making + pg_ingest):.2f} of SQLite's rate",
            "",
        ),
        (
            f"PostgreSQL: balance read at {n:,}",
            f"{pg['balance'] * 1e3:.3f} ms",
            f"{pg['balance'] / local['balance']:.2f} x SQLite",
            "<= 3 x",
        ),
        (
            "PostgreSQL: filtered page of 100, deep",
            f"{pg['page'] * 1e3:.3f} ms",
            f"{pg['page'] / local['page']:.2f} x SQLite",
            "<= 3 x",
        ),
        (
            "PostgreSQL: tx-hash prefix search",
            f"{pg['search'] * 1e3:.3f} ms",
            f"{pg['search'] / local['search']:.2f} x SQLite",
            "",
        ),
    ]


if __name__ == "__main__":
    asyncio.run(main())
