"""A synthetic history of a mining operation, written through the register's real paths.

Benchmarks and the scale tests need registers of any size that look like a desk's own: pool
earnings and payouts ingested as a feed would (`Register.ingest`), a transfer into the reserve
every day and, optionally, sales on a licensed exchange, each drafted by one operator and
approved by another, over a price history that covers the whole span. Everything is
deterministic from the size and the end time, so a test can compute what the register must
say without asking it.

    t0 = await build(path, 20_000, now, sales_per_day=100)
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from desk.config import DeskSettings, load_settings
from desk.money import Amount, Asset
from desk.register import NewEntry, Posting, Quote, Register
from desk.valuation.prices import ALMATY

BTC = Asset("BTC", 8)
USDT = Asset("USDT", 6)
POOLS = ("f2main", "braiins", "foundry", "ocean")
#: The licensed exchange the sales go through.
VENUE = "aix"
#: One feed entry every STEP: nine earnings, then a payout of what they brought.
STEP = timedelta(seconds=30)
#: Feed entries ingested per transaction.
BATCH = 100_000
MAKER, CHECKER = "maker", "checker"


def settings_for(path: Path) -> DeskSettings:
    """The configuration of a built register: four pools, the ops wallet, the cold reserve
    and the licensed exchange the sales go through."""
    pools = {name: {"kind": "ocean", "user": "bc1q" + name} for name in POOLS}
    return load_settings(
        None,
        env={},
        overrides={
            "register": {"path": str(path)},
            "pools": pools,
            "accounts": {"exchanges": [VENUE]},
            "venues": {VENUE: {"eligible": True, "licence": "AFSA-SIM-0001"}},
        },
    )


def feed_entry(i: int, t0: datetime) -> NewEntry:
    """The i-th feed entry: nine earnings, then a payout of what they brought, pool by pool."""
    pool = POOLS[i % len(POOLS)]
    ts = t0 + STEP * i
    if i % 10 == 9:
        amount = Amount.from_units(BTC, 9 * 50_000)
        return NewEntry(
            kind="payout",
            ts=ts,
            memo="payout",
            source=f"pool:{pool}",
            external_id=f"p{i}",
            postings=(Posting(f"assets:pool:{pool}", -amount), Posting("assets:wallet:ops", amount)),
        )
    amount = Amount.from_units(BTC, 50_000 + i % 1_000)
    return NewEntry(
        kind="earning",
        ts=ts,
        memo="earning",
        source=f"pool:{pool}",
        external_id=f"e{i}",
        postings=(Posting(f"income:mining:{pool}", -amount), Posting(f"assets:pool:{pool}", amount)),
    )


def btc_usd(at: datetime, t0: datetime) -> Decimal:
    """The BTC/USD price `quotes_for` quotes at `at` (its 10-minute step at or before `at`)."""
    n = int((at - (t0 - timedelta(hours=1))) // timedelta(minutes=10))
    return Decimal(60_000 + (n * 37) % 20_000)


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
            stamp = datetime.combine(day, datetime.min.time(), tzinfo=ALMATY)
            quotes.append(Quote("USD", "KZT", Decimal(470) + Decimal(day.toordinal() % 40), "nbk", stamp, stamp))
        day += timedelta(days=1)
    return quotes


@dataclass(frozen=True, slots=True)
class Plan:
    """How `n` entries split: feed entries first in time, then per day one transfer into the
    reserve and, with sales, one deposit on the exchange and `sales_per_day` conversions."""

    n: int
    now: datetime
    sales_per_day: int = 0

    @property
    def days(self) -> int:
        return max(1, self.n * STEP.seconds // 86_400)

    @property
    def per_day(self) -> int:
        return 1 + (1 + self.sales_per_day if self.sales_per_day else 0)

    @property
    def feed(self) -> int:
        feed = self.n - self.days * self.per_day
        if feed < 0:
            raise ValueError(f"{self.n} entries cannot hold {self.days} day(s) of {self.per_day} drafted entries")
        return feed

    @property
    def t0(self) -> datetime:
        return self.now - STEP * self.feed

    def day_end(self, d: int) -> datetime:
        """The moment the d-th day's drafted entries are dated: five minutes before its end."""
        day = (self.t0 + timedelta(days=d)).date()
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC) - timedelta(minutes=5)


async def build(path: Path, n: int, now: datetime, *, sales_per_day: int = 0, quiet: bool = False) -> datetime:
    """Write a register of exactly `n` entries ending at `now` to `path`; return the time of
    its first feed entry. Half of what reaches the ops wallet goes into the reserve, a day at
    a time; with `sales_per_day`, the other half is sold for USDT on the licensed exchange."""
    plan = Plan(n, now, sales_per_day)
    t0 = plan.t0
    settings = settings_for(path)
    async with Register.open(path, operator=MAKER, create=True) as reg:
        await reg.init_accounts(settings)
        await reg.record_quotes(quotes_for(t0, now))
        for first in range(0, plan.feed, BATCH):
            await reg.ingest([feed_entry(i, t0) for i in range(first, min(plan.feed, first + BATCH))])
            if not quiet:
                print(f"  {n:,}: ingested {min(plan.feed, first + BATCH):,}", file=sys.stderr, end="\r")
        wallet = (await reg.balance("assets:wallet:ops", "BTC")).units
        share = Amount.from_units(BTC, wallet // (2 * plan.days + 2))
        lot = Amount.from_units(BTC, wallet // (2 * plan.days * sales_per_day + 2) if sales_per_day else 0)
        for d in range(plan.days):
            at = plan.day_end(d)
            await _approved(reg, _transfer("assets:reserve:cold", share, at, "into the reserve"))
            if sales_per_day:
                deposit = Amount.from_units(BTC, lot.units * sales_per_day)
                await _approved(reg, _transfer(f"assets:exchange:{VENUE}", deposit, at, "to the exchange"))
                for k in range(sales_per_day):
                    await _approved(reg, _sale(lot, at + timedelta(seconds=k + 1), btc_usd(at, t0) + 25))
        if not quiet:
            print(file=sys.stderr)
    return t0


def _transfer(target: str, amount: Amount, at: datetime, memo: str) -> NewEntry:
    return NewEntry(
        kind="transfer",
        ts=at,
        memo=memo,
        postings=(Posting("assets:wallet:ops", -amount), Posting(target, amount)),
    )


def _sale(lot: Amount, at: datetime, price: Decimal) -> NewEntry:
    account = f"assets:exchange:{VENUE}"
    return NewEntry(
        kind="conversion",
        ts=at,
        memo="sale",
        price=price,
        postings=(Posting(account, -lot), Posting(account, lot.convert(price, USDT))),
    )


async def _approved(reg: Register, entry: NewEntry) -> int:
    """Draft as the maker, approve as the checker (the maker-checker path of every transfer)."""
    reg.act_as(MAKER)
    draft = await reg.draft(entry)
    reg.act_as(CHECKER)
    return await reg.approve(draft)
