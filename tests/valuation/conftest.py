"""Real register files in tmp with a price history seeded through Register.record_quotes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from desk.config import DeskSettings, load_settings
from desk.money import Amount, Asset
from desk.register import NewEntry, Posting, Quote, Register

BTC = Asset("BTC", 8)
BNB = Asset("BNB", 18)
USDT = Asset("USDT", 6)
KZTE = Asset("KZTE", 2)
ALMATY = timezone(timedelta(hours=5))
#: Friday 6 November 2026, 10:00 UTC
FRI = datetime(2026, 11, 6, 10, tzinfo=UTC)

CONFIG = """
[operator]
name = "aliya"
[accounts]
wallets = ["ops"]
exchanges = ["aix"]
seizure_cases = ["case-17"]
[pools.f2main]
kind = "f2pool"
user = "kz-01"
[reserve]
accounts = ["cold", "custody"]
[prices]
kzte_peg = "1"
[valuation]
stale_after = 3600
rate_stale_days = 5
price_band = "2"
"""


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "desk.toml"
    path.write_text(CONFIG + f'\n[register]\npath = "{tmp_path / "register.sqlite"}"\n')
    path.chmod(0o600)
    return path


@pytest.fixture
def settings(config_file: Path) -> DeskSettings:
    return load_settings(config_file, env={})


@pytest.fixture
async def register(settings: DeskSettings) -> AsyncIterator[Register]:
    async with Register.open(settings.register.path, operator="aliya", create=True, clock=lambda: FRI) as reg:
        await reg.init_accounts(settings)
        yield reg


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
