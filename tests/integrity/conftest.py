"""A register with one of everything `desk verify` checks, and the tools of an attacker who
holds its storage: a raw connection with the append-only triggers out of the way (the SQLite
file with its triggers dropped, or the PostgreSQL database as its owner: tests/integrity/pgraw.py).
The tamper suite runs on both backends."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from desk.config import DeskSettings, load_settings
from desk.controls import proposals
from desk.money import BTC, Amount
from desk.register import Checkpoint, NewEntry, Posting, Quote, Register
from desk.register.opening import resolve
from desk.valuation.prices import PricePolicy
from desk.valuation.receipt import value_inflows
from tests.builders import backend_settings, desk_config, parametrize_backends, write_desk_config
from tests.integrity.pgraw import PgRaw

T0 = datetime(2026, 11, 2, tzinfo=UTC)

CONFIG = desk_config(ocean=None)


@dataclass(frozen=True)
class Book:
    """What the fixture built: the file (SQLite) or the database, its settings and the ids a
    case may aim at. `place` is what opens it: the `[register]` settings."""

    path: Path
    settings: DeskSettings
    checkpoint: Checkpoint
    approved_draft: int
    pending_draft: int
    pending_proposal: int
    transfer_seq: int
    amended_seq: int


def earning(i: int, amount: str = "0.1", *, note: str = "") -> NewEntry:
    """Earning `i` of f2main, its memo ending in `note` (the migration tests add non-ASCII)."""
    return NewEntry(
        kind="earning",
        ts=T0 + timedelta(hours=i),
        postings=(
            Posting("income:mining:f2main", -Amount(BTC, amount)),
            Posting("assets:pool:f2main", Amount(BTC, amount)),
        ),
        memo=f"f2main earning {i}{note}",
        source="pool:f2main",
        external_id=f"earn-{i}",
    )


def payout(i: int, amount: str, *, status: str, tx: str | None = None) -> NewEntry:
    return NewEntry(
        kind="payout",
        ts=T0 + timedelta(hours=i, minutes=30),
        postings=(
            Posting("assets:pool:f2main", -Amount(BTC, amount)),
            Posting("assets:wallet:ops", Amount(BTC, amount)),
        ),
        memo=f"f2main payout {i}",
        reference=tx,
        source="pool:f2main",
        external_id=f"pay-{i}",
        status=status,
    )


def transfer(amount: str, hours: int) -> NewEntry:
    return NewEntry(
        kind="transfer",
        ts=T0 + timedelta(hours=hours),
        postings=(
            Posting("assets:wallet:ops", -Amount(BTC, amount)),
            Posting("assets:reserve:cold", Amount(BTC, amount)),
        ),
        memo="into the reserve",
    )


def prices() -> list[Quote]:
    out = []
    for h in range(-2, 40, 2):
        at = T0 + timedelta(hours=h)
        out.append(Quote("BTC", "USD", Decimal(97_000 + 10 * h), "kraken", at, at))
    out.append(Quote("USD", "KZT", Decimal("481.25"), "nbk", T0 - timedelta(hours=5), T0 - timedelta(hours=5)))
    return out


async def build(tmp: Path, settings: DeskSettings | None = None) -> Book:
    settings = settings or load_settings(write_desk_config(tmp, CONFIG), env={})
    clock = iter(T0 + timedelta(days=3, seconds=s) for s in range(10_000))
    async with Register.open(settings.register, operator="aliya", create=True, clock=lambda: next(clock)) as reg:
        await reg.init_accounts(settings)
        await reg.record_quotes(prices())
        await reg.ingest([earning(i) for i in range(12)])
        await reg.ingest([payout(3, "0.6", status="confirmed", tx="aa" * 32), payout(5, "0.4", status="queued")])
        await reg.ingest([payout(5, "0.4", status="confirmed", tx="bb" * 32)])  # an amendment
        await value_inflows(reg, PricePolicy.from_settings(settings))
        approved = await reg.draft(transfer("0.25", 20))
        pending = await reg.draft(transfer("0.25", 21))
        rejected = await reg.draft(transfer("0.1", 22))
        await proposals.propose(reg, {"op": "limit_set", "per": "day", "currency": "KZT", "below": "500000000"})
        waiting = await proposals.propose(reg, {"op": "limit_set", "per": "month", "asset": "BTC", "below": "5"})
        reg.act_as("bolat")
        transfer_seq = await reg.approve(approved)
        await reg.reject(rejected, "wrong wallet")
        await proposals.approve(reg, 1)
        reg.act_as("aliya")
        await reg.ingest([earning(i) for i in range(12, 16)])
        checkpoint = await reg.checkpoint()
        assert transfer_seq is not None
        (amended,) = [e.seq for e in await reg.recent(40) if e.external_id == "pay-5"]
        assert (await reg.verify()).ok
    return Book(
        path=settings.register.path,
        settings=settings,
        checkpoint=checkpoint,
        approved_draft=approved,
        pending_draft=pending,
        pending_proposal=waiting,
        transfer_seq=transfer_seq,
        amended_seq=amended,
    )


@pytest.fixture
async def book(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Book:
    return await build(tmp_path, backend_settings(write_desk_config(tmp_path, CONFIG), backend, request))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The tamper suite runs on SQLite and on PostgreSQL (as the database's owner); the other
    files here are about files, names and text, and stay on SQLite."""
    if metafunc.module.__name__.endswith("test_tamper"):
        parametrize_backends(metafunc)


@contextmanager
def raw(book: Book) -> Iterator[Any]:
    """The storage as an attacker with write access holds it: every trigger out of the way."""
    place = resolve(book.settings.register)
    if place.backend == "postgres":
        conn: Any = PgRaw(place)
    else:
        conn = sqlite3.connect(book.path, isolation_level=None)
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            conn.execute(f"DROP TRIGGER {name}")
    try:
        yield conn
    finally:
        conn.close()
