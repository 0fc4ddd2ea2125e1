"""Sales on a licensed exchange, on top of a workload register (desk/sim/workload.py).

Sell-through, the monthly report's conversions and the ratio of sold to mined need sales to
read, and a reader that stops early (a page of 500 of a kind) shows only where a period holds
more than a page of them. So a scale register can also sell: each day, one deposit from the
ops wallet onto the exchange, then `per_day` conversions of BTC into USDT at that moment's
quote, each drafted by the maker and approved by the checker, as the desk does it.

    settings = settings_with_venue(path)
    t0 = await build(path, n, now, settings=settings)
    await add_sales(path, n, now, per_day=4, settings=settings)
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from desk.config import DeskSettings
from desk.money import BTC, USDT, Amount
from desk.register import NewEntry, Posting, Register
from desk.sim.workload import WALLET, days_of, end_of_day, settings_for, start_of

#: The licensed (eligible) exchange the sales go through.
VENUE = "aix"
EXCHANGE = f"assets:exchange:{VENUE}"


def settings_with_venue(path: Path, **overrides: object) -> DeskSettings:
    """The workload's settings with the licensed exchange: its account and its venue."""
    return settings_for(
        path,
        accounts={"exchanges": [VENUE]},
        venues={VENUE: {"eligible": True, "licence": "AFSA-SIM-0001"}},
        **overrides,
    )


def btc_usdt(at: datetime, t0: datetime) -> Decimal:
    """The BTC/USDT price the workload quotes at `at` (its 10-minute step at or before)."""
    step = (at - (t0 - timedelta(hours=1))) // timedelta(minutes=10)
    return Decimal(60_000 + (step * 37) % 20_000 + 25)


def sale_time(t0: datetime, day: int, k: int) -> datetime:
    """The k-th sale of a day (k = 0 is the deposit): after that day's transfer into the
    reserve, which the workload dates five minutes before the day ends."""
    return end_of_day(t0 + timedelta(days=day)) - timedelta(minutes=4) + timedelta(seconds=k)


async def add_sales(path: Path, n: int, now: datetime, *, per_day: int, settings: DeskSettings) -> int:
    """Sell what the workload of `n` entries ending at `now` left in the ops wallet, over its
    days: a deposit and `per_day` sales a day. Returns the number of entries written."""
    days = days_of(n)
    t0 = start_of(n, now)
    async with Register.open(path, operator="maker") as reg:
        await reg.init_accounts(settings)
        left = (await reg.balance(WALLET, "BTC")).units
        lot = Amount.from_units(BTC, left // (days * per_day))
        written = 0
        for day in range(days):
            deposit = Amount.from_units(BTC, lot.units * per_day)
            await _approved(
                reg,
                NewEntry(
                    kind="transfer",
                    ts=sale_time(t0, day, 0),
                    memo="to the exchange",
                    postings=(Posting(WALLET, -deposit), Posting(EXCHANGE, deposit)),
                ),
            )
            for k in range(1, per_day + 1):
                at = sale_time(t0, day, k)
                price = btc_usdt(at, t0)
                await _approved(
                    reg,
                    NewEntry(
                        kind="conversion",
                        ts=at,
                        memo="sale",
                        price=price,
                        postings=(Posting(EXCHANGE, -lot), Posting(EXCHANGE, lot.convert(price, USDT))),
                    ),
                )
            written += 1 + per_day
    return written


async def _approved(reg: Register, entry: NewEntry) -> int:
    reg.act_as("maker")
    draft = await reg.draft(entry)
    reg.act_as("checker")
    return await reg.approve(draft)
