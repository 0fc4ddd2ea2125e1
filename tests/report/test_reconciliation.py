"""The reconciliation section: from a reconciliation run handed to the report, and plainly
unavailable (with the month's resolutions) when none was run."""

from __future__ import annotations

from datetime import UTC, date, datetime

from desk.config import DeskSettings
from desk.money import BTC, Amount
from desk.reconcile import Break, BreakKind, DayReport, Report, Resolution
from desk.register import Register
from desk.report import Month, build_report, render
from tests.report.seed import AS_OF

NOVEMBER = Month.parse("2026-11")


def _run() -> Report:
    short = Break(
        "f2main",
        date(2026, 11, 20),
        BreakKind.SHORT,
        Amount(BTC, "-0.00012"),
        Amount(BTC, "0.09"),
        Amount(BTC, "0.08988"),
        "payout:f2main:2026-11-20",
        "chain shows 0.08988000 BTC, 0.00012 short",
        txid="f2-tx-20",
    )
    fee = Break(
        "ocean",
        date(2026, 11, 19),
        BreakKind.POOL_FEE,
        Amount(BTC, "-0.00001"),
        None,
        None,
        "p-19",
        "the pool kept its fee",
    )
    resolved = Break(
        "ocean",
        date(2026, 11, 18),
        BreakKind.AMOUNT_MISMATCH,
        Amount(BTC, "0.0002"),
        None,
        None,
        "e-18",
        "compensation row",
        resolution=Resolution("rb-x", "agreed", "bek", datetime(2026, 11, 25, tzinfo=UTC), 9),
    )
    days = (
        DayReport("f2main", date(2026, 11, 20), breaks=(short,)),
        DayReport("f2main", date(2026, 11, 21)),
        DayReport("ocean", date(2026, 11, 19), breaks=(fee,)),
        DayReport("ocean", date(2026, 11, 18), breaks=(resolved,)),
    )
    return Report(date(2026, 11, 1), date(2026, 11, 30), AS_OF, days, (), chain_checked=True)


async def test_a_run_lists_each_scope_and_every_break(seeded: DeskSettings) -> None:
    async with Register.open(seeded.register.path, operator="auditor") as reg:
        report = await build_report(reg, seeded, NOVEMBER, as_of=AS_OF, reconciliation=_run())
    section = report.section("reconciliation")
    rows = [row.cells for row in section.rows]
    assert rows[:2] == [
        ("f2main", "2 days", "summary", "", "", "", "open 1, clean 1"),
        ("ocean", "2 days", "summary", "", "", "", "explained 2"),
    ]
    states = {r[4]: (r[2], r[5]) for r in rows[2:]}
    assert states["short_payment"] == ("open", "-0.00012000 BTC")
    assert states["pool_fee"] == ("explained", "-0.00001000 BTC")
    assert states["amount_mismatch"] == ("resolved", "0.00020000 BTC")
    assert section.notes[0].startswith("Pools vs register vs chain, 2026-11-01 to 2026-11-30")
    assert "1 open break(s)" in section.notes[0]


async def test_without_a_run_it_says_so_and_lists_the_months_resolutions(seeded: DeskSettings) -> None:
    async with Register.open(seeded.register.path, operator="auditor") as reg:
        report = await build_report(reg, seeded, NOVEMBER, as_of=AS_OF)
    section = report.section("reconciliation")
    assert section.unavailable and section.unavailable.startswith("not run for this report")
    assert section.notes[0].startswith("resolved rb-0123456789ab by aliya at 2026-11-25T10:00:00+00:00")
    assert "ocean compensation row" in render(report, "md")
