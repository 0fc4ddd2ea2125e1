"""Deterministic seeded register data for tests, screenshots and the benchmark."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from desk.config import DeskSettings, load_settings
from desk.money import Amount, Asset
from desk.register import NewEntry, Posting, Register

T0 = datetime(2026, 11, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
BTC = Asset("BTC", 8)

CONFIG = """
[operator]
name = "aliya"
[accounts]
wallets = ["ops"]
exchanges = ["aix"]
[pools.f2main]
kind = "f2pool"
user = "kz-01"
[pools.ocean]
kind = "ocean"
user = "bc1qocean"
[reserve]
accounts = ["cold"]
"""


def write_settings(tmp: Path) -> DeskSettings:
    path = tmp / "desk.toml"
    path.write_text(CONFIG + f'\n[register]\npath = "{tmp / "register.sqlite"}"\n')
    path.chmod(0o600)
    return load_settings(path, env={})


async def seed(settings: DeskSettings, n: int = 60) -> Path:
    path = settings.register.path
    async with Register.open(path, operator="aliya", create=True) as reg:
        await reg.init_accounts(settings)
        for i in range(n):
            pool = "f2main" if i % 2 else "ocean"
            await reg.post(
                NewEntry(
                    kind="earning",
                    ts=T0 + timedelta(hours=6 * i),
                    postings=(
                        Posting(f"income:mining:{pool}", -Amount(BTC, "0.01")),
                        Posting(f"assets:pool:{pool}", Amount(BTC, "0.01")),
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
    return Path(path)
