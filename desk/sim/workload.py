"""A register as a year of mining leaves it, at any size: earnings and payouts from four pools,
one transfer into the reserve per day (drafted and approved), and the prices of the period,
all written through the real `Register.ingest`, `draft` and `approve`.

Benchmarks build their big registers with it (bench/valuation.py, bench/commands.py) and
scale tests their small ones, so both measure the same shape of book. Deterministic: the
same size and `now` give the same entries.

The pools are OCEAN pools (earnings per block, TIDES) and the feed entries are what the sync
writes of their records: `earning:block:<hash>` and `payout:tx:<txid>`, the tx id as the
payout's reference. So desk.sim.workload_pools can serve, for any window, the very records
the register holds, and a reconciliation of such a register is the normal case: no break.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from desk.config import DeskSettings, load_settings
from desk.money import BTC, Amount
from desk.register import NewEntry, Posting, Quote, Register

POOLS = ("f2main", "braiins", "foundry", "ocean")
#: One feed entry every 30 s: a million entries span about a year.
STEP = timedelta(seconds=30)
#: Entries per `ingest` call while building.
BATCH = 100_000
#: The National Bank publishes its rate for the Almaty business day.
ALMATY = timezone(timedelta(hours=5))
#: Where the reserve's daily transfer goes.
RESERVE = "assets:reserve:cold"
WALLET = "assets:wallet:ops"


def payout_address(pool: str) -> str:
    """Where `pool` pays: its OCEAN user, a bech32-shaped address (42 characters) naming it."""
    return ("bc1q" + pool).ljust(42, "0")


def settings_for(path: Path, **overrides: object) -> DeskSettings:
    """Settings with the four pools (and `overrides`, e.g. a simulator's URLs) and the register at `path`."""
    pools = {name: {"kind": "ocean", "user": payout_address(name)} for name in POOLS}
    merged: dict[str, object] = {"pools": pools, **overrides, "register": {"path": str(path)}}
    return load_settings(None, env={}, overrides=merged)


def pool_of(i: int) -> str:
    """The pool the `i`th feed entry comes from: ten entries each, in turn."""
    return POOLS[i // 10 % len(POOLS)]


def is_payout(i: int) -> bool:
    """Nine earnings, then a payout of what they brought: a pool's balance comes back to zero."""
    return i % 10 == 9


def earning_sats(i: int) -> int:
    return 50_000 + i % 1_000


def payout_sats(i: int) -> int:
    """What the payout at `i` pays: the nine earnings before it, of the same pool."""
    return sum(earning_sats(j) for j in range(i - 9, i))


def record_hash(i: int) -> str:
    """The block hash of the `i`th entry's earning, or its payout's tx id: 64 hex digits."""
    return hashlib.sha256(f"desk-workload:{i}".encode()).hexdigest()


def feed_entry(i: int, t0: datetime) -> NewEntry:
    """The `i`th feed entry after `t0`, as the sync writes the OCEAN record it stands for."""
    pool = pool_of(i)
    ts = t0 + STEP * i
    if is_payout(i):
        amount = Amount.from_units(BTC, payout_sats(i))
        txid = record_hash(i)
        return NewEntry(
            kind="payout",
            ts=ts,
            memo=f"{pool} payout to {payout_address(pool)}",
            reference=txid,
            source=f"pool:{pool}",
            external_id=f"payout:tx:{txid}",
            status="confirmed",
            postings=(Posting(f"assets:pool:{pool}", -amount), Posting(WALLET, amount)),
        )
    amount = Amount.from_units(BTC, earning_sats(i))
    return NewEntry(
        kind="earning",
        ts=ts,
        memo=f"{pool} earnings for {ts.date().isoformat()}",
        source=f"pool:{pool}",
        external_id=f"earning:block:{record_hash(i)}",
        postings=(Posting(f"income:mining:{pool}", -amount), Posting(f"assets:pool:{pool}", amount)),
    )


def quotes_for(t0: datetime, t1: datetime) -> list[Quote]:
    """BTC/USD (coinbase) and BTC/USDT (binance) every 10 minutes, NBK USD/KZT each weekday."""
    quotes = []
    at, n = t0 - timedelta(hours=1), 0
    while at <= t1 + timedelta(days=1):
        price = Decimal(60_000 + (n * 37) % 20_000)
        quotes.append(Quote("BTC", "USD", price, "coinbase", at, at))
        quotes.append(Quote("BTC", "USDT", price + 25, "binance", at, at))
        at, n = at + timedelta(minutes=10), n + 1
    day = t0.astimezone(ALMATY).date() - timedelta(days=3)
    while day <= t1.date() + timedelta(days=1):
        if day.weekday() < 5:
            stamp = datetime.combine(day, time(0), tzinfo=ALMATY)
            quotes.append(Quote("USD", "KZT", Decimal(470) + Decimal(day.toordinal() % 40), "nbk", stamp, stamp))
        day += timedelta(days=1)
    return quotes


def start_of(n: int, now: datetime) -> datetime:
    """When the first feed entry of a register of `n` entries ending at `now` is dated."""
    return now - STEP * (n - days_of(n))


def days_of(n: int) -> int:
    """Days a register of `n` entries spans: one transfer into the reserve for each."""
    return max(1, n * 30 // 86_400)


async def build(
    path: Path,
    n: int,
    now: datetime,
    *,
    settings: DeskSettings | None = None,
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> datetime:
    """Write a register of `n` entries ending at `now` to `path`: feed entries, then one
    transfer into the reserve per day, each drafted by `maker` and approved by `checker`.
    Returns when the first feed entry is dated. `progress` is told the entries ingested so far."""
    days = days_of(n)
    feed = n - days
    t0 = start_of(n, now)
    settings = settings or settings_for(path)
    async with Register.open(path, operator="maker", create=True) as reg:
        await reg.init_accounts(settings)
        await reg.record_quotes(quotes_for(t0, now))
        for first in range(0, feed, batch):
            await reg.ingest([feed_entry(i, t0) for i in range(first, min(feed, first + batch))])
            if progress is not None:
                progress(min(feed, first + batch))
        wallet = await reg.balance(WALLET, "BTC")
        share = Amount.from_units(BTC, wallet.units // (days + 1))
        for d in range(days):
            reg.act_as("maker")
            entry = NewEntry(
                kind="transfer",
                ts=end_of_day(t0 + timedelta(days=d)) - timedelta(minutes=5),
                memo="into the reserve",
                postings=(Posting(WALLET, -share), Posting(RESERVE, share)),
            )
            draft = await reg.draft(entry)
            reg.act_as("checker")
            await reg.approve(draft)
    return t0


def end_of_day(at: datetime) -> datetime:
    """The last instant of `at`'s UTC day."""
    return datetime.combine(at.astimezone(UTC).date() + timedelta(days=1), time(0), tzinfo=UTC) - timedelta(
        microseconds=1
    )
