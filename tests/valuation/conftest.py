"""Real register files in tmp with a price history seeded through Register.record_quotes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from desk.money import BTC, Amount
from desk.register import NewEntry, Posting, Quote, Register
from tests.builders import desk_config, register_fixtures

ALMATY = timezone(timedelta(hours=5))
#: Friday 6 November 2026, 10:00 UTC
FRI = datetime(2026, 11, 6, 10, tzinfo=UTC)

CONFIG = desk_config(
    ocean=None,
    reserve=("cold", "custody"),
    extra="""
[prices]
kzte_peg = "1"
[valuation]
stale_after = 3600
rate_stale_days = 5
price_band = "2"
""",
)


config_file, settings, register = register_fixtures(CONFIG, clock=lambda: FRI)


def quote(base: str, quote_: str, price: str, source: str, at: datetime) -> Quote:
    return Quote(base, quote_, Decimal(price), source, at, at)


def nbk(day: int, rate: str) -> Quote:
    """The official USD/KZT rate of 2026-11-<day>, stamped at Almaty midnight as the NBK client does."""
    return quote("USD", "KZT", rate, "nbk", datetime(2026, 11, day, tzinfo=ALMATY))


def earning(seq_hint: int, amount: str, at: datetime, pool: str = "f2main") -> NewEntry:
    return NewEntry(
        kind="earning",
        ts=at,
        postings=(
            Posting(f"income:mining:{pool}", -Amount(BTC, amount)),
            Posting(f"assets:pool:{pool}", Amount(BTC, amount)),
        ),
        memo=f"earning {seq_hint}",
        source=f"pool:{pool}",
        external_id=f"earn-{seq_hint}",
    )


async def post(register: Register, entry: NewEntry) -> int:
    """Post `entry` and return its seq (read back from the head)."""
    await register.post(entry)
    seq, _ = await register.head()
    return seq
