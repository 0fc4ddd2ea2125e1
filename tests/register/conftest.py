"""Real register files in tmp, built from a real configuration."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desk.config import DeskSettings, load_settings
from desk.money import Amount, Asset
from desk.register import NewEntry, Posting, Register

T0 = datetime(2026, 11, 1, tzinfo=UTC)
BTC = Asset("BTC", 8)
BNB = Asset("BNB", 18)
USDT = Asset("USDT", 6)

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
[pools.ocean]
kind = "ocean"
user = "bc1qocean"
[reserve]
accounts = ["cold"]
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
    async with Register.open(settings.register.path, operator="aliya", create=True) as reg:
        await reg.init_accounts(settings)
        yield reg


def earning(i: int, amount: str = "0.01", pool: str = "f2main", day: int = 0) -> NewEntry:
    return NewEntry(
        kind="earning",
        ts=T0 + timedelta(days=day, minutes=i),
        postings=(
            Posting(f"income:mining:{pool}", -Amount(BTC, amount)),
            Posting(f"assets:pool:{pool}", Amount(BTC, amount)),
        ),
        memo=f"{pool} earning {i}",
        source=f"pool:{pool}",
        external_id=f"earn-{day}-{i}",
    )


def payout(
    i: int, amount: str = "0.5", *, tx: str | None = None, status: str = "confirmed", pool: str = "f2main"
) -> NewEntry:
    return NewEntry(
        kind="payout",
        ts=T0 + timedelta(hours=12, minutes=i),
        postings=(
            Posting(f"assets:pool:{pool}", -Amount(BTC, amount)),
            Posting("assets:wallet:ops", Amount(BTC, amount)),
        ),
        memo=f"{pool} payout {i}",
        reference=tx,
        source=f"pool:{pool}",
        external_id=f"pay-{i}",
        status=status,
    )


def transfer(
    amount: str, *, source: str = "assets:wallet:ops", target: str = "assets:reserve:cold", asset: Asset = BTC
) -> NewEntry:
    return NewEntry(
        kind="transfer",
        ts=T0 + timedelta(days=1),
        postings=(Posting(source, -Amount(asset, amount)), Posting(target, Amount(asset, amount))),
        memo="into the reserve",
    )
