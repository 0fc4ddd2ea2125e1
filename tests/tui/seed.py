"""Deterministic seeded register data for the screen's tests, the screenshots
(tests/tui/screenshots.py) and bench/tui.py; kept out of the shipped package.

Thirty days of earnings from two pools up to NOW, one payout into the ops wallet, an
opening reserve, a transfer into the reserve drafted by one operator and approved by
another, and a price history whose latest quotes have known ages (coinbase's is stale).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from desk.config import DeskSettings, load_settings
from desk.money import BNB, BTC, Amount
from desk.register import NewEntry, Posting, Quote, Register
from desk.tui.feed_states import FeedState
from tests.builders import desk_config, write_desk_config

T0 = datetime(2026, 11, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

CONFIG = desk_config(cases=())

#: (base, quote, source, price, age at NOW): the latest quote of each feed.
QUOTES = (
    ("BTC", "USDT", "binance", "97412.35", timedelta(seconds=8)),
    ("BNB", "USDT", "binance", "612.40", timedelta(seconds=8)),
    ("BTC", "USD", "kraken", "97398.10", timedelta(seconds=21)),
    ("BTC", "USD", "coinbase", "97405.00", timedelta(hours=2, minutes=14)),
    ("USD", "KZT", "nbk", "512.34", timedelta(hours=17)),
)


def demo_feeds(now: datetime = NOW) -> tuple[FeedState, ...]:
    """Feed health as a sync might report it: most ok, one pool down on a missing token, a
    price source banned for a while and one quote source gone stale."""
    minute = timedelta(minutes=1)
    return (
        FeedState(
            "f2main",
            "pool",
            "down",
            "HTTP 401: token missing or wrong",
            now - 95 * minute,
            now + timedelta(seconds=42),
            (
                (now - minute, "HTTP 401: token missing or wrong"),
                (now - 6 * minute, "HTTP 401: token missing or wrong"),
                (now - 11 * minute, "timeout after 10s"),
            ),
        ),
        FeedState("ocean", "pool", "ok", None, now - timedelta(seconds=31)),
        FeedState(
            "binance",
            "price",
            "degraded",
            "HTTP 429: backing off",
            now - timedelta(seconds=8),
            now + timedelta(seconds=17),
            ((now - timedelta(seconds=20), "HTTP 429: backing off"),),
        ),
        FeedState("kraken", "price", "ok", None, now - timedelta(seconds=21)),
        FeedState("coinbase", "price", "stale", "no new quote for 2h", now - timedelta(hours=2, minutes=14)),
        FeedState("nbk", "price", "ok", None, now - timedelta(hours=1)),
    )


def write_settings(tmp: Path) -> DeskSettings:
    return load_settings(write_desk_config(tmp, CONFIG), env={})


def earning_amount(i: int) -> Amount:
    """A deterministic, varying earning: 0.008 to 0.014 BTC."""
    return Amount(BTC, str(Decimal("0.008") + Decimal((i * 7) % 13) / 2000))


async def seed(settings: DeskSettings, n: int = 60) -> Path:
    path = settings.register.path
    async with Register.open(path, operator="aliya", create=True, clock=lambda: NOW) as reg:
        await reg.init_accounts(settings)
        await reg.post(
            NewEntry(
                kind="opening",
                ts=datetime(2026, 10, 1, tzinfo=UTC),
                postings=(
                    Posting("equity:opening", -Amount(BTC, "2.5")),
                    Posting("assets:reserve:cold", Amount(BTC, "2.5")),
                    Posting("equity:opening", -Amount(BNB, "40")),
                    Posting("assets:reserve:cold", Amount(BNB, "40")),
                ),
                memo="opening reserve",
            )
        )
        for i in range(n):
            pool = "f2main" if i % 2 else "ocean"
            amount = earning_amount(i)
            await reg.post(
                NewEntry(
                    kind="earning",
                    ts=NOW - timedelta(hours=12 * i + 3),
                    postings=(
                        Posting(f"income:mining:{pool}", -amount),
                        Posting(f"assets:pool:{pool}", amount),
                    ),
                    memo=f"{pool} earning {i}",
                    source=f"pool:{pool}",
                    external_id=f"earn-{i}",
                )
            )
        await reg.post(
            NewEntry(
                kind="payout",
                ts=T0 + timedelta(days=16),
                postings=(
                    Posting("assets:pool:f2main", -Amount(BTC, "0.2")),
                    Posting("assets:wallet:ops", Amount(BTC, "0.2")),
                ),
                memo="f2main payout",
                reference="deadbeefcafe0123456789",
                source="pool:f2main",
                external_id="pay-1",
                status="confirmed",
            )
        )
        draft = await reg.draft(
            NewEntry(
                kind="transfer",
                ts=NOW - timedelta(hours=2),
                postings=(
                    Posting("assets:wallet:ops", -Amount(BTC, "0.02")),
                    Posting("assets:reserve:cold", Amount(BTC, "0.02")),
                ),
                memo="weekly sweep to cold storage",
                reference="sweep-47",
            )
        )
        await reg.record_quotes(
            Quote(base, quote, Decimal(price), source, NOW - age, NOW - age)
            for base, quote, source, price, age in QUOTES
        )
    async with Register.open(path, operator="bolat", clock=lambda: NOW) as checker:
        await checker.approve(draft)
    return Path(path)
