"""A deterministic month for the report tests: November 2026 on a register with two pools.

Every timestamp comes from the data or from a clock the seed sets, so two seeds give
byte-identical registers (and so byte-identical reports).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from desk.compliance import record_kwh
from desk.config import DeskSettings, load_settings
from desk.money import BTC, USDT, Amount
from desk.reconcile import resolutions
from desk.register import NewEntry, Posting, Quote, Register, SelfApproval
from desk.valuation.prices import PricePolicy
from desk.valuation.receipt import value_inflows

ALMATY = timezone(timedelta(hours=5))
NOV = [date(2026, 11, d) for d in range(1, 31)]
AS_OF = datetime(2026, 12, 1, 8, tzinfo=UTC)

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
user = "bc1qoceanuser"
[reserve]
fund = "Alem Crypto Fund"
accounts = ["cold"]
[[addresses]]
account = "assets:reserve:cold"
chain = "bitcoin"
asset = "BTC"
address = "bc1qreservecold0000000000000000000000000"
custody = "cold"
[valuation]
stale_after = 86400
[mining]
hashrate_ph = "36.5"
difficulty = "110000000000000"
fees_per_block_btc = "0.02"
[venues.aix]
eligible = true
licence = "AIFC-AIX-0001"
"""


def write_config(tmp: Path) -> Path:
    path = tmp / "desk.toml"
    path.write_text(CONFIG + f'\n[register]\npath = "{tmp / "register.sqlite"}"\n')
    path.chmod(0o600)
    return path


class Clock:
    """The register's clock, moved by the seed to the moment of each act."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def btc_usd(d: date) -> Decimal:
    return Decimal(94000) + Decimal(125) * (d.toordinal() % 30)


def quotes() -> list[Quote]:
    out = []
    for d in [date(2026, 10, 26) + timedelta(days=i) for i in range(6)] + NOV:
        at = datetime.combine(d, time(0), tzinfo=UTC)
        out.append(Quote("BTC", "USD", btc_usd(d), "kraken", at, at))
        out.append(Quote("BTC", "USDT", btc_usd(d) + Decimal(20), "binance", at, at))
        if d.weekday() < 5:  # the National Bank publishes on business days only
            official = datetime.combine(d, time(0), tzinfo=ALMATY)
            rate = Decimal("480.50") + Decimal("0.25") * (d.day % 7)
            out.append(Quote("USD", "KZT", rate, "nbk", official, official))
    return out


def earning(pool: str, d: date, amount: Decimal) -> NewEntry:
    value = Amount(BTC, amount)
    return NewEntry(
        kind="earning",
        ts=datetime.combine(d, time(23, 59, 59), tzinfo=UTC),
        postings=(Posting(f"income:mining:{pool}", -value), Posting(f"assets:pool:{pool}", value)),
        memo=f"{pool} earnings for {d.isoformat()}",
        source=f"pool:{pool}",
        external_id=f"earning:{pool}:{d.isoformat()}",
    )


def payout(pool: str, d: date, amount: Decimal, fee: Decimal = Decimal(0)) -> NewEntry:
    postings = [
        Posting(f"assets:pool:{pool}", -Amount(BTC, amount)),
        Posting("assets:wallet:ops", Amount(BTC, amount - fee)),
    ]
    if fee:
        postings.append(Posting("expenses:fees", Amount(BTC, fee)))
    return NewEntry(
        kind="payout",
        ts=datetime.combine(d, time(6), tzinfo=UTC),
        postings=tuple(postings),
        memo=f"{pool} payout",
        reference=f"{pool}-tx-{d.isoformat()}",
        source=f"pool:{pool}",
        external_id=f"payout:{pool}:{d.isoformat()}",
        status="confirmed",
    )


def f2_amount(d: date) -> Decimal:
    return Decimal("0.0125") + Decimal("0.0001") * (d.day % 5)


def ocean_amount(d: date) -> Decimal:
    return Decimal("0.0080") + Decimal("0.0002") * (d.day % 3)


async def seed(settings: DeskSettings, *, freeze: bool = True) -> None:
    """Write the month: prices, an opening reserve, daily earnings from two pools, payouts,
    a seizure, transfers drafted by one operator and approved by another, a rejection, a
    refused self-approval, a conversion, a purchase and a checkpoint; `freeze` runs the
    valuation pass that freezes every inflow's value at receipt."""
    clock = Clock(datetime(2026, 10, 31, 12, tzinfo=UTC))
    async with Register.open(settings.register.path, operator="aliya", create=True, clock=clock) as reg:
        await reg.init_accounts(settings)
        await reg.record_quotes(quotes())
        opening = Amount(BTC, "10")
        await reg.post(
            NewEntry(
                kind="opening",
                ts=datetime(2026, 10, 31, 12, tzinfo=UTC),
                postings=(Posting("equity:opening", -opening), Posting("assets:reserve:cold", opening)),
                memo="reserve brought into the register",
            )
        )
        entries = []
        for d in NOV:
            entries += [earning("f2main", d, f2_amount(d)), earning("ocean", d, ocean_amount(d))]
        for end in (7, 14, 21, 28):
            week = [d for d in NOV if end - 7 < d.day <= end]
            entries.append(
                payout(
                    "f2main",
                    NOV[end - 1] + timedelta(days=1) if end < 30 else NOV[end - 1],
                    sum((f2_amount(d) for d in week), Decimal(0)),
                )
            )
        for end in (10, 20):
            days = [d for d in NOV if end - 10 < d.day <= end]
            entries.append(
                payout("ocean", NOV[end], sum((ocean_amount(d) for d in days), Decimal(0)), Decimal("0.00001"))
            )
        clock.at = datetime(2026, 11, 30, 23, tzinfo=UTC)
        await reg.ingest(entries)

        seized = Amount(BTC, "0.5")
        clock.at = datetime(2026, 11, 12, 9, tzinfo=UTC)
        await reg.post(
            NewEntry(
                kind="seizure",
                ts=datetime(2026, 11, 12, 9, tzinfo=UTC),
                postings=(Posting("income:seized:case-17", -seized), Posting("assets:reserve:cold", seized)),
                memo="court-ordered transfer, case 17",
                details={
                    "case_reference": "2-117/2026",
                    "legal_basis": "Criminal Procedure Code art. 221",
                    "authority": "Financial Monitoring Agency",
                },
            )
        )

        async def approved(drafter: str, checker: str, at: datetime, entry: NewEntry) -> None:
            clock.at = at
            reg.act_as(drafter)
            draft_id = await reg.draft(entry)
            clock.at = at + timedelta(minutes=20)
            reg.act_as(checker)
            await reg.approve(draft_id)

        def transfer(at: datetime, target: str, amount: str, memo: str) -> NewEntry:
            value = Amount(BTC, amount)
            return NewEntry(
                kind="transfer",
                ts=at,
                postings=(Posting("assets:wallet:ops", -value), Posting(target, value)),
                memo=memo,
            )

        t1 = datetime(2026, 11, 15, 10, tzinfo=UTC)
        await approved("aliya", "bek", t1, transfer(t1, "assets:reserve:cold", "0.15", "weekly sweep to cold"))
        t2 = datetime(2026, 11, 16, 10, tzinfo=UTC)
        await approved("aliya", "bek", t2, transfer(t2, "assets:exchange:aix", "0.05", "to AIX for the sale"))

        t3 = datetime(2026, 11, 17, 11, tzinfo=UTC)
        sold, got = Amount(BTC, "0.04"), Amount(USDT, "3840")
        await approved(
            "bek",
            "aliya",
            t3,
            NewEntry(
                kind="conversion",
                ts=t3,
                price=Decimal(96000),
                memo="sale on AIX",
                postings=(Posting("assets:exchange:aix", -sold), Posting("assets:exchange:aix", got)),
            ),
        )
        t4 = datetime(2026, 11, 20, 11, tzinfo=UTC)
        bought, paid = Amount(BTC, "0.01"), Amount(USDT, "960")
        await approved(
            "bek",
            "aliya",
            t4,
            NewEntry(
                kind="purchase",
                ts=t4,
                price=Decimal(96000),
                memo="purchase on AIX",
                postings=(Posting("assets:exchange:aix", -paid), Posting("assets:exchange:aix", bought)),
                details={"exchange": "aix", "order_id": "AIX-77001"},
            ),
        )

        t5 = datetime(2026, 11, 22, 9, tzinfo=UTC)
        clock.at = t5
        reg.act_as("aliya")
        refused = await reg.draft(transfer(t5, "assets:reserve:cold", "0.02", "sweep, wrong amount"))
        clock.at = t5 + timedelta(minutes=5)
        try:
            await reg.approve(refused)
        except SelfApproval:
            pass  # refused, and the attempt recorded: what the approvals summary counts
        else:
            raise AssertionError("the maker approved their own draft")
        clock.at = t5 + timedelta(minutes=30)
        reg.act_as("bek")
        await reg.reject(refused, "amount does not match the sweep plan")

        reg.act_as("aliya")
        clock.at = datetime(2026, 11, 5, 9, tzinfo=UTC)
        await record_kwh(reg, settings, "2026-10", "1100000", ["renewable"], "meter 10/2026")
        clock.at = datetime(2026, 11, 30, 22, tzinfo=UTC)
        await record_kwh(reg, settings, "2026-11", "1250000", ["own"], "meter 11/2026")

        clock.at = datetime(2026, 11, 25, 10, tzinfo=UTC)
        await resolutions.resolve(
            reg,
            "rb-0123456789ab",
            "ocean compensation row for the 2026-11-19 outage, agreed by email",
            {"scope": "ocean", "day": "2026-11-19", "kind": "amount_mismatch"},
        )

        clock.at = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
        reg.act_as("bek")
        await reg.checkpoint()
        if freeze:  # what the sync's valuation pass does after each round
            clock.at = datetime(2026, 11, 30, 23, 40, tzinfo=UTC)
            await value_inflows(reg, PricePolicy.from_settings(settings))


def seeded_settings(tmp: Path) -> DeskSettings:
    return load_settings(write_config(tmp), env={})
