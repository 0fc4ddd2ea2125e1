"""Registers under a configured policy: real files in tmp, real config, recorded prices."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from desk.config import DeskSettings, load_settings
from desk.controls import Controls
from desk.money import BTC, Amount
from desk.register import NewEntry, Posting, Quote, Register
from tests.register.conftest import CONFIG

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

ROLES = """
[roles]
aliya = ["maker"]
bolat = ["checker"]
dana = ["checker", "admin"]
carl = ["admin"]
audit = ["auditor"]
"""

Opener = Callable[..., "AsyncIterator[Register]"]


def write_config(tmp_path: Path, extra: str) -> DeskSettings:
    path = tmp_path / "desk.toml"
    path.write_text(CONFIG + extra + f'\n[register]\npath = "{tmp_path / "register.sqlite"}"\n')
    path.chmod(0o600)
    return load_settings(path, env={})


@pytest.fixture
def make_desk(tmp_path: Path):
    """`await make_desk(extra_toml)` -> an `open(operator)` context for a funded register."""

    async def make(extra: str = "") -> Callable[[str], AsyncIterator[Register]]:
        settings = write_config(tmp_path, extra)
        controls = Controls.from_settings(settings)

        @asynccontextmanager
        async def open_as(operator: str) -> AsyncIterator[Register]:
            async with Register.open(settings.register.path, operator=operator, controls=controls) as reg:
                yield reg

        async with Register.open(settings.register.path, operator="sync", create=True) as reg:
            await reg.init_accounts(settings)
            await reg.ingest([funding("100")])
            await reg.record_quotes(
                [
                    Quote("BTC", "USD", Decimal(100_000), "kraken", T0 - timedelta(minutes=5), T0),
                    Quote("USD", "KZT", Decimal(500), "nbk", T0 - timedelta(hours=3), T0),
                ]
            )
        return open_as

    return make


def funding(amount: str) -> NewEntry:
    return NewEntry(
        kind="payout",
        ts=T0 - timedelta(days=1),
        postings=(
            Posting("assets:pool:f2main", -Amount(BTC, amount)),
            Posting("assets:wallet:ops", Amount(BTC, amount)),
        ),
        memo="funding",
        source="pool:f2main",
        external_id="fund-1",
        status="confirmed",
    )


def move(amount: str, *, to: str = "assets:reserve:cold", at: datetime = T0) -> NewEntry:
    return NewEntry(
        kind="transfer",
        ts=at,
        postings=(Posting("assets:wallet:ops", -Amount(BTC, amount)), Posting(to, Amount(BTC, amount))),
        memo="into the reserve",
    )
