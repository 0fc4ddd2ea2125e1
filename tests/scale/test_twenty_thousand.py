"""A register of twenty thousand entries written by the real ingest (four pools' earnings and
payouts, a daily transfer into the reserve, a hundred sales a day, the prices of the span),
read by every reader with its default page size, against plain SQL over the file, the
workload's own price formula, and the real hledger and beancount."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import aiohttp
import pytest

from desk.alerts.observe import last_payouts
from desk.compliance import parse_period, sell_through
from desk.feeds.clock import FakeClock
from desk.feeds.http import HttpClient, RetryPolicy
from desk.money import BTC, Amount
from desk.proof.inflows import reserve_inflows
from desk.reconcile import reconcile
from desk.reconcile.breaks import BreakKind
from desk.reconcile.sources import register_rows
from desk.register import Register
from desk.register.entries import format_ts
from desk.register.export import export
from desk.register.export.beancount import account_name
from desk.report.build import build_report
from desk.report.fmt import amount as fmt_amount
from desk.report.fmt import money
from desk.report.period import Month
from desk.sim.sales import EXCHANGE, settings_with_venue
from desk.sim.workload import POOLS, RESERVE
from desk.sim.workload_pools import WorkloadPools
from desk.valuation.worth import reserve_report
from tests.builders import NOW
from tests.scale.conftest import BIG, SALES_PER_DAY, Big
from tests.scale.tools import (
    as_decimal,
    beancount_book,
    beancount_names,
    csv_entries,
    hledger_balances,
    hledger_transactions,
    sql,
    units_by_account,
)

AFTER = datetime(2027, 1, 5, tzinfo=UTC)


def usd_price(at: datetime, t0: datetime) -> Decimal:
    """The BTC/USD quote the workload writes in force at `at`: every ten minutes from an
    hour before its first entry, 60,000 + 37 per step, modulo 20,000."""
    step = (at - (t0 - timedelta(hours=1))) // timedelta(minutes=10)
    return Decimal(60_000 + (step * 37) % 20_000)


def posted(path: Path, account: str, kind: str, since: datetime, until: datetime, sign: str = "") -> int:
    """Sum of the units of `account`'s postings in entries of `kind` dated in [since, until)."""
    ((units,),) = sql(
        path,
        "SELECT COALESCE(SUM(p.units), 0) FROM postings p JOIN accounts a ON a.id = p.account_id "
        f"JOIN entries e ON e.seq = p.entry_seq WHERE a.path = ? AND e.kind = ? AND e.ts >= ? AND e.ts < ? {sign}",
        (account, kind, format_ts(since), format_ts(until)),
    )
    return int(units)


def count(path: Path, kind: str, since: datetime, until: datetime) -> int:
    ((n,),) = sql(
        path,
        "SELECT COUNT(*) FROM entries WHERE kind = ? AND ts >= ? AND ts < ?",
        (kind, format_ts(since), format_ts(until)),
    )
    return n


async def test_the_register_holds_what_was_built(big: Big) -> None:
    ((n,),) = sql(big.path, "SELECT COUNT(*) FROM entries")
    assert n == BIG + 6 * (1 + SALES_PER_DAY)  # six days of a deposit and the sales
    assert count(big.path, "conversion", NOW - timedelta(days=30), NOW) > 500  # more than one page of 500


async def test_every_export_holds_every_entry_and_the_tools_agree_with_desk_balances(big: Big, tmp_path: Path) -> None:
    async with Register.open(big.path, operator="auditor") as reg:
        total = await reg.count()
        desk_balances = {k: v.value for k, v in (await reg.balances()).items()}
        precision = {code: asset.precision for code, asset in reg.assets().items()}
        journal, ledger, table = tmp_path / "book.journal", tmp_path / "book.beancount", tmp_path / "book.csv"
        for fmt, path in (("hledger", journal), ("beancount", ledger), ("csv", table)):
            with path.open("w", encoding="utf-8") as out:
                assert await export(reg, fmt, out) == total
    by_sql = {k: as_decimal(u, precision[k[1]]) for k, u in units_by_account(big.path).items()}
    assert desk_balances == by_sql
    assert total == sql(big.path, "SELECT COUNT(*) FROM entries")[0][0]
    assert csv_entries(table.read_text(encoding="utf-8")) == total
    assert hledger_transactions(journal) == total
    assert hledger_balances(journal) == desk_balances
    with ledger.open("a", encoding="utf-8") as out:  # exact assertions (`~ 0`: no tolerance) after the last day
        for (account, asset), value in desk_balances.items():
            out.write(f"{(NOW + timedelta(days=2)):%Y-%m-%d} balance {account_name(account)}  {value:f} ~ 0 {asset}\n")
    # beancount's loader runs what bean-check runs (a failed assertion is an error) and sums the postings
    assert beancount_book(ledger) == (total, beancount_names(desk_balances))


async def test_sell_through_of_the_month_and_of_the_year_counts_every_sale(big: Big) -> None:
    async with Register.open(big.path, operator="auditor") as reg:
        for label, since, until in (
            ("2026-11", datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
            ("2026", datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
        ):
            (btc,) = await sell_through(reg, big.settings, parse_period(label), now=AFTER)
            mined = -sum(posted(big.path, f"income:mining:{p}", "earning", since, until) for p in POOLS)
            sold = -posted(big.path, EXCHANGE, "conversion", since, until, "AND p.units < 0")
            moved = posted(big.path, RESERVE, "transfer", since, until)
            assert (btc.mined.units, btc.sold_eligible.units, btc.to_reserve.units) == (mined, sold, moved), label
            assert btc.sold_elsewhere.units == 0


@pytest.mark.parametrize("detail", [True, False], ids=["every entry", "register sums"])
async def test_the_monthly_report_totals_match_sql_and_the_prices(big: Big, detail: bool) -> None:
    since, until = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    async with Register.open(big.path, operator="auditor") as reg:
        report = await build_report(reg, big.settings, Month(2026, 11), detail=detail)
    inflows = {row.cells[1]: row.cells for row in report.section("inflows").rows}
    for pool in POOLS:
        rows = sql(
            big.path,
            "SELECT e.ts, -p.units FROM postings p JOIN accounts a ON a.id = p.account_id "
            "JOIN entries e ON e.seq = p.entry_seq WHERE a.path = ? AND e.kind = 'earning'",
            (f"income:mining:{pool}",),
        )
        units = sum(int(u) for _, u in rows)
        usd = sum(
            as_decimal(int(u), 8) * usd_price(datetime.fromisoformat(ts[:-1] + "+00:00"), big.t0) for ts, u in rows
        )
        cells = inflows[pool]
        assert (cells[3], cells[4]) == (str(len(rows)), fmt_amount(Amount.from_units(BTC, units))), pool
        assert cells[5].removesuffix(" (stale price)") == money(usd, "USD"), pool
    (ratio,) = report.section("ratio").rows
    sold = -posted(big.path, EXCHANGE, "conversion", since, until, "AND p.units < 0")
    assert ratio.cells[2] == fmt_amount(Amount.from_units(BTC, sold))
    assert len(report.section("conversions").rows) == count(big.path, "conversion", since, until)
    transfers = [r for r in report.section("transfers").rows if r.cells[0] != "total"]
    assert len(transfers) == len(
        sql(
            big.path,
            "SELECT p.entry_seq FROM postings p JOIN accounts a ON a.id = p.account_id "
            "JOIN entries e ON e.seq = p.entry_seq WHERE a.path = ? AND e.kind = 'transfer' AND p.units > 0",
            (RESERVE,),
        )
    )


async def test_valuation_of_the_reserve_and_its_lots_match_sql_and_the_prices(big: Big) -> None:
    async with Register.open(big.path, operator="auditor") as reg:
        report = await reserve_report(reg, big.settings, NOW)
    held = units_by_account(big.path)[(RESERVE, "BTC")]
    (btc,) = report.assets
    assert btc.amount == Amount.from_units(BTC, held)
    assert report.total_usd == as_decimal(held, 8) * usd_price(NOW, big.t0)
    # the lots of known cost are the frozen earnings' (the workload's payouts overdraw two
    # pools, whose coins have no known cost: those are the rest)
    assert btc.cost_usd is not None and btc.cost_usd > 0 and (btc.unknown_cost or btc.amount) <= btc.amount
    earnings = sql(big.path, "SELECT COUNT(*) FROM entries WHERE kind = 'earning'")[0][0]
    valued = sql(
        big.path,
        "SELECT COUNT(DISTINCT v.entry_seq) FROM valuations v JOIN entries e ON e.seq = v.entry_seq "
        "WHERE e.kind = 'earning' AND v.state = 'valued'",
    )[0][0]
    assert valued == earnings  # the valuation pass froze every earning


async def test_reconciliation_reads_every_register_row_of_every_pool(big: Big) -> None:
    first, last = big.t0.date(), NOW.date()
    async with Register.open(big.path, operator="auditor") as reg:
        for pool in POOLS:
            rows = (await register_rows(reg, POOLS, first, last))[pool]
            seqs = sql(
                big.path,
                "SELECT DISTINCT p.entry_seq FROM postings p JOIN accounts a ON a.id = p.account_id "
                "WHERE a.path IN (?, ?) ORDER BY p.entry_seq",
                (f"income:mining:{pool}", f"assets:pool:{pool}"),
            )
            assert [r.seq for r in rows] == [s for (s,) in seqs], pool
            income = -posted(big.path, f"income:mining:{pool}", "earning", big.t0, AFTER)
            paid = -posted(big.path, f"assets:pool:{pool}", "payout", big.t0, AFTER)
            assert sum((r.income for r in rows), Amount.zero(BTC)).units == income
            assert sum((r.paid for r in rows), Amount.zero(BTC)).units == paid


async def test_reserve_inflows_and_last_payouts_match_sql(big: Big) -> None:
    async with Register.open(big.path, operator="auditor") as reg:
        inflows = await reserve_inflows(big.settings, reg)
        payouts = await last_payouts(reg, big.settings, NOW)
    credits = sql(
        big.path,
        "SELECT p.entry_seq, p.units FROM postings p JOIN accounts a ON a.id = p.account_id "
        "WHERE a.path = ? AND p.units > 0 ORDER BY p.ts, p.entry_seq",
        (RESERVE,),
    )
    assert [(i.seq, i.amount.units) for i in inflows] == [(s, int(u)) for s, u in credits]
    for pool in POOLS:
        ((ts,),) = sql(
            big.path,
            "SELECT MAX(e.ts) FROM entries e JOIN postings p ON p.entry_seq = e.seq JOIN accounts a "
            "ON a.id = p.account_id WHERE e.kind = 'payout' AND a.path = ?",
            (f"assets:pool:{pool}",),
        )
        assert payouts[pool] == (datetime.fromisoformat(ts[:-1] + "+00:00") if ts else None), pool


async def test_a_reconciliation_against_the_pools_the_register_was_fed_from_finds_no_break(big: Big) -> None:
    """The normal case, as bench/commands.py times it: the pools serve the records the
    register holds, so every record is matched and the days agree to the satoshi; the only
    breaks are the explained dust each pool carries at the end of a day."""
    pools = WorkloadPools(BIG, NOW)
    await pools.start()
    try:
        settings = settings_with_venue(big.path, **pools.settings_overrides())
        since, until = (NOW - timedelta(days=4)).date(), NOW.date()
        async with aiohttp.ClientSession() as session, Register.open(big.path, operator="auditor") as reg:
            http = HttpClient(session, clock=FakeClock(NOW), policy=RetryPolicy(attempts=1), pacing=False)
            report = await reconcile(settings, reg, http, since=since, until=until, now=NOW)
    finally:
        await pools.stop()
    assert report.problems == ("chain: no Esplora configured or reachable; payouts are not checked on chain",)
    assert not report.open_breaks
    assert {b.kind for b in report.breaks} <= {BreakKind.DUST}
    days = [d for d in report.days if d.scope in POOLS]
    assert len(days) == len(POOLS) * 5
    for day in days:
        assert day.earned_pool == day.earned_register and day.earned_pool, day
        assert day.paid_pool == day.paid_register and day.paid_pool, day
