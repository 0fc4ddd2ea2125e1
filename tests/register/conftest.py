"""Real register files in tmp, built from a real configuration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desk.money import BTC, Amount, Asset
from desk.register import NewEntry, Posting, Register
from tests.builders import desk_config, parametrize_backends, register_fixtures
from tests.register.rawdb import RawDb

T0 = datetime(2026, 11, 1, tzinfo=UTC)

CONFIG = desk_config()


config_file, settings, register = register_fixtures(CONFIG)


@pytest.fixture
def raw(register: Register, backend: str, request: pytest.FixtureRequest) -> RawDb:
    """The test register's storage held directly (sqlite3 on the file, psql on the database)."""
    cluster = request.getfixturevalue("pg_cluster") if backend == "postgres" else None
    return RawDb(backend, register.path, register.location, cluster)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test of the register runs on SQLite and on PostgreSQL (unless `sqlite_only`)."""
    parametrize_backends(metafunc)


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
