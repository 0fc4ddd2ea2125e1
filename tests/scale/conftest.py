"""Registers around every page boundary, and one of twenty thousand entries built by the real
ingest, for readers that must see every entry whatever the size.

Every reader walks the register through `Register.walk`, whose page size is
`desk.register.walk.PAGE_SIZE`: `tiny_pages` sets it to PAGE entries, so a register of a few
entries already spans several pages."""

from __future__ import annotations

import asyncio
import fcntl
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from desk.config import DeskSettings
from desk.money import BTC, USDT, Amount
from desk.register import NewEntry, Posting, Register, walk
from desk.sim.sales import EXCHANGE, add_sales, settings_with_venue
from desk.sim.workload import RESERVE, WALLET, build, feed_entry, start_of
from desk.valuation.prices import PricePolicy
from desk.valuation.receipt import value_inflows
from tests.builders import NOW

#: The end of every register here: the 24th of November 2026, noon.
#: The walk's page size in the boundary tests.
PAGE = 3
#: Sizes around every page boundary: none, one, a page less one, a page, a page and one, several.
SIZES = (0, 1, PAGE - 1, PAGE, PAGE + 1, 3 * PAGE + 1)
#: The big register: twenty thousand feed and transfer entries (six days of them) ...
BIG = 20_000
#: ... and a hundred sales a day: six hundred in the month, more than a 500-entry page.
SALES_PER_DAY = 100
#: The small registers' entries are dated from here (inside November).
T0 = datetime(2026, 11, 2, tzinfo=UTC)


@pytest.fixture
def tiny_pages(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(walk, "PAGE_SIZE", PAGE)
    return PAGE


@pytest.fixture
def settings(tmp_path: Path) -> DeskSettings:
    return settings_with_venue(tmp_path / "register.sqlite")


@pytest.fixture
async def register(settings: DeskSettings) -> Register:
    async with Register.open(settings.register.path, operator="maker", create=True) as reg:
        await reg.init_accounts(settings)
        yield reg


async def feed_book(register: Register, n: int) -> None:
    """Exactly `n` entries: the workload's earnings and payouts, from T0 on."""
    if n:
        await register.ingest([feed_entry(i, T0) for i in range(n)])


async def approved(register: Register, entry: NewEntry) -> int:
    register.act_as("maker")
    draft = await register.draft(entry)
    register.act_as("checker")
    return await register.approve(draft)


@dataclass(frozen=True, slots=True)
class SalesBook:
    """What `sales_book` wrote: per sale the BTC given up, per transfer what reached the reserve."""

    mined: Amount
    sold: list[Amount]
    to_reserve: list[Amount]


async def sales_book(register: Register, n: int) -> SalesBook:
    """One earning of 1 BTC paid into the wallet and put on the exchange, then `n` sales of
    BTC for USDT and `n` transfers from the wallet into the reserve, all in November."""
    whole = Amount(BTC, "1")
    await register.ingest(
        [
            NewEntry(
                kind="earning",
                ts=T0,
                source="pool:ocean",
                external_id="e",
                postings=(Posting("income:mining:ocean", -whole), Posting("assets:pool:ocean", whole)),
            ),
            NewEntry(
                kind="payout",
                ts=T0 + timedelta(minutes=1),
                source="pool:ocean",
                external_id="p",
                postings=(Posting("assets:pool:ocean", -whole), Posting(WALLET, whole)),
            ),
        ]
    )
    half = Amount(BTC, "0.5")
    await approved(
        register,
        NewEntry(
            kind="transfer", ts=T0 + timedelta(hours=1), postings=(Posting(WALLET, -half), Posting(EXCHANGE, half))
        ),
    )
    sold, moved = [], []
    for i in range(n):
        lot = Amount.from_units(BTC, 1_000_000 + i)
        price = Decimal(90_000 + i)
        at = T0 + timedelta(days=1, minutes=i)
        await approved(
            register,
            NewEntry(
                kind="conversion",
                ts=at,
                price=price,
                postings=(Posting(EXCHANGE, -lot), Posting(EXCHANGE, lot.convert(price, USDT))),
            ),
        )
        sold.append(lot)
        share = Amount.from_units(BTC, 2_000_000 + i)
        await approved(
            register,
            NewEntry(kind="transfer", ts=at, postings=(Posting(WALLET, -share), Posting(RESERVE, share))),
        )
        moved.append(share)
    return SalesBook(whole, sold, moved)


@dataclass(frozen=True, slots=True)
class Big:
    """The twenty-thousand-entry register (plus its sales), valued by the valuation pass."""

    path: Path
    settings: DeskSettings
    t0: datetime


@pytest.fixture(scope="session")
def big(tmp_path_factory: pytest.TempPathFactory) -> Big:
    """Built once per test run: under xdist the workers share the session's temp root, and
    the first to take the lock builds while the others wait for it."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    path = root / "scale-big" / "register.sqlite"
    path.parent.mkdir(exist_ok=True)
    settings = settings_with_venue(path)
    with (path.parent / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (path.parent / "built").exists():
            asyncio.run(_make_big(path, settings))
            (path.parent / "built").touch()
    return Big(path, settings, start_of(BIG, NOW))


async def _make_big(path: Path, settings: DeskSettings) -> None:
    await build(path, BIG, NOW, settings=settings)
    await add_sales(path, BIG, NOW, per_day=SALES_PER_DAY, settings=settings)
    async with Register.open(path, operator="valuer") as reg:
        await value_inflows(reg, PricePolicy.from_settings(settings))
