"""A real register with one licensed (aix) and one unlicensed (binx) exchange, and helpers that
post earnings, sales and transfers the way the desk does (drafts approved by a second operator)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from desk.config import DeskSettings
from desk.money import BTC, USDT, Amount
from desk.register import NewEntry, Posting, Quote, Register
from tests.builders import desk_config, register_fixtures

NOV = datetime(2026, 11, 1, tzinfo=UTC)

CONFIG = desk_config(
    exchanges=("aix", "binx"),
    extra="""
[venues.aix]
eligible = true
licence = "AFSA-A-LA-2023-0005"
[venues.binx]
eligible = false
""",
)


config_file, settings, register = register_fixtures(CONFIG)


class Book:
    """Posts what a month of operations leaves in the register."""

    def __init__(self, register: Register, settings: DeskSettings) -> None:
        self.register = register
        self.settings = settings
        self.n = 0

    async def earn(self, amount: str, at: datetime, pool: str = "f2main") -> None:
        """An earning into the pool and its payout into the ops wallet."""
        self.n += 1
        btc = Amount(BTC, amount)
        await self.register.ingest(
            [
                NewEntry(
                    kind="earning",
                    ts=at,
                    postings=(Posting(f"income:mining:{pool}", -btc), Posting(f"assets:pool:{pool}", btc)),
                    source=f"pool:{pool}",
                    external_id=f"earn-{self.n}",
                ),
                NewEntry(
                    kind="payout",
                    ts=at + timedelta(minutes=1),
                    postings=(Posting(f"assets:pool:{pool}", -btc), Posting("assets:wallet:ops", btc)),
                    source=f"pool:{pool}",
                    external_id=f"pay-{self.n}",
                    status="confirmed",
                ),
            ]
        )

    async def approved(self, entry: NewEntry) -> int:
        draft = await self.register.draft(entry)
        async with Register.open(self.settings.register.path, operator="bek") as checker:
            return await checker.approve(draft)

    async def move(self, amount: str, target: str, at: datetime, source: str = "assets:wallet:ops") -> int:
        btc = Amount(BTC, amount)
        return await self.approved(
            NewEntry(kind="transfer", ts=at, postings=(Posting(source, -btc), Posting(target, btc)))
        )

    async def sell(self, amount: str, venue: str, at: datetime, price: str = "97000") -> int:
        btc = Amount(BTC, amount)
        usdt = btc.convert(Decimal(price), USDT)
        account = f"assets:exchange:{venue}"
        return await self.approved(
            NewEntry(
                kind="conversion",
                ts=at,
                price=Decimal(price),
                postings=(Posting(account, -btc), Posting(account, usdt)),
            )
        )

    async def prices(self, at: datetime, btc_usd: str = "100000", usd_kzt: str = "500") -> None:
        """A BTC/USD quote at `at` and the official USD/KZT rate of its business date."""
        rate_time = datetime(at.year, at.month, at.day, tzinfo=UTC) - timedelta(hours=5)
        await self.register.record_quotes(
            [
                Quote("BTC", "USD", Decimal(btc_usd), "kraken", at, at),
                Quote("USD", "KZT", Decimal(usd_kzt), "nbk", rate_time, rate_time),
            ]
        )


@pytest.fixture
def book(register: Register, settings: DeskSettings) -> Book:
    return Book(register, settings)
