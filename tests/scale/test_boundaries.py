"""Every reader at every size around a page boundary (pages of PAGE entries): the export in
three formats, sell-through, the monthly report, reconciliation's register side and the
reserve's inflows, each against figures the test computes from what it wrote or by plain SQL."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest

from desk.compliance import parse_period, sell_through
from desk.config import DeskSettings
from desk.money import BTC, Amount
from desk.proof.inflows import daily_totals, reserve_inflows
from desk.reconcile.sources import register_rows
from desk.register import PageFilter, Register
from desk.register.export import export
from desk.report.build import build_report
from desk.report.fmt import amount as fmt_amount
from desk.report.period import Month
from desk.sim.workload import POOLS, quotes_for
from desk.valuation.prices import PricePolicy
from desk.valuation.receipt import value_inflows
from tests.builders import NOW
from tests.scale.conftest import PAGE, SIZES, T0, feed_book, sales_book
from tests.scale.tools import (
    as_decimal,
    bean_check,
    beancount_book,
    beancount_names,
    csv_entries,
    hledger_balances,
    hledger_transactions,
    sql,
    units_by_account,
)

pytestmark = pytest.mark.usefixtures("tiny_pages")
AFTER_NOV = NOW.replace(month=12, day=5)


async def exported(register: Register, fmt: str, path: Path) -> int:
    with path.open("w", encoding="utf-8") as out:
        return await export(register, fmt, out, page_size=PAGE)


@pytest.mark.parametrize("n", SIZES)
async def test_the_export_holds_every_entry_and_the_tools_agree_on_every_balance(
    register: Register, settings: DeskSettings, tmp_path: Path, n: int
) -> None:
    await feed_book(register, n)
    path = settings.register.path
    expected = {k: as_decimal(u, register.asset(k[1]).precision) for k, u in units_by_account(path).items()}
    assert {k: v.value for k, v in (await register.balances()).items()} == expected  # desk balances
    assert await register.count() == n

    buffer = io.StringIO()
    assert await export(register, "csv", buffer, page_size=PAGE) == n
    assert csv_entries(buffer.getvalue()) == n

    journal = tmp_path / "book.journal"
    assert await exported(register, "hledger", journal) == n
    assert hledger_transactions(journal) == n
    assert hledger_balances(journal) == expected

    ledger = tmp_path / "book.beancount"
    assert await exported(register, "beancount", ledger) == n
    transactions, balances = beancount_book(ledger)
    assert (transactions, balances) == (n, beancount_names(expected))
    check = bean_check(ledger)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("n", SIZES)
async def test_sell_through_counts_every_sale_and_every_transfer(
    register: Register, settings: DeskSettings, n: int
) -> None:
    book = await sales_book(register, n)
    (btc,) = await sell_through(register, settings, parse_period("2026-11"), now=AFTER_NOV)
    assert btc.mined == book.mined
    assert btc.sold_eligible == sum(book.sold, Amount.zero(BTC))
    assert btc.sold_elsewhere == Amount.zero(BTC)
    assert btc.to_reserve == sum(book.to_reserve, Amount.zero(BTC))


@pytest.mark.parametrize("n", SIZES)
async def test_the_reserve_inflows_list_every_transfer_in(register: Register, settings: DeskSettings, n: int) -> None:
    book = await sales_book(register, n)
    inflows = await reserve_inflows(settings, register)
    assert [i.amount for i in inflows] == book.to_reserve
    assert {i.kind for i in inflows} <= {"mined"}
    totals = daily_totals(inflows)
    assert sum((t[3] for t in totals), Amount.zero(BTC)) == sum(book.to_reserve, Amount.zero(BTC))


@pytest.mark.parametrize("n", SIZES)
async def test_the_monthly_report_counts_and_sums_every_inflow(
    register: Register, settings: DeskSettings, n: int
) -> None:
    await feed_book(register, n)
    report = await build_report(register, settings, Month(2026, 11))
    path = settings.register.path
    expected = {}
    for pool in POOLS:
        ((count, units),) = sql(
            path,
            "SELECT COUNT(*), COALESCE(SUM(-p.units), 0) FROM postings p JOIN accounts a ON a.id = p.account_id "
            "JOIN entries e ON e.seq = p.entry_seq WHERE a.path = ? AND e.kind = 'earning'",
            (f"income:mining:{pool}",),
        )
        if count:
            expected[pool] = (str(count), fmt_amount(Amount.from_units(BTC, units)))
    section = report.section("inflows")
    shown = {row.cells[1]: (row.cells[3], row.cells[4]) for row in section.rows}
    assert shown == expected


@pytest.mark.parametrize("n", SIZES)
async def test_reconciliation_reads_every_register_row_of_a_pool(
    register: Register, settings: DeskSettings, n: int
) -> None:
    await feed_book(register, 4 * n)  # the workload turns through four pools
    path = settings.register.path
    first, last = T0.date(), T0.date() + timedelta(days=1)
    for pool in POOLS:
        rows = (await register_rows(register, POOLS, first, last))[pool]
        seqs = sql(
            path,
            "SELECT DISTINCT p.entry_seq FROM postings p JOIN accounts a ON a.id = p.account_id "
            "WHERE a.path IN (?, ?) ORDER BY p.entry_seq",
            (f"income:mining:{pool}", f"assets:pool:{pool}"),
        )
        assert [r.seq for r in rows] == [s for (s,) in seqs]
        ((income,),) = sql(path, _units_sql(), (f"income:mining:{pool}",))
        ((paid,),) = sql(path, _units_sql("AND p.units < 0"), (f"assets:pool:{pool}",))
        assert sum((r.income for r in rows), Amount.zero(BTC)) == Amount.from_units(BTC, -income)
        assert sum((r.paid for r in rows), Amount.zero(BTC)) == Amount.from_units(BTC, -paid)


def _units_sql(extra: str = "") -> str:
    return (
        "SELECT COALESCE(SUM(p.units), 0) FROM postings p JOIN accounts a ON a.id = p.account_id "
        f"WHERE a.path = ? {extra}"
    )


@pytest.mark.parametrize("priced", [False, True], ids=["no prices", "priced"])
@pytest.mark.parametrize("n", SIZES)
async def test_the_registers_month_sums_are_the_sums_of_the_walked_entries(
    register: Register, settings: DeskSettings, n: int, priced: bool
) -> None:
    """The report without --detail reads the register's sums (Register.period_credits); with
    it, every entry. Both agree cell for cell, and the sums are those of the walked entries."""
    await feed_book(register, 4 * n)
    if priced:
        await register.record_quotes(quotes_for(T0 - timedelta(days=1), NOW))
    await value_inflows(register, PricePolicy.from_settings(settings))
    month = Month(2026, 11)
    fast = await build_report(register, settings, month, detail=False)
    walked = await build_report(register, settings, month, detail=True)
    assert [[r.cells for r in s.rows] for s in fast.sections] == [[r.cells for r in s.rows] for s in walked.sections]
    assert [s.notes for s in fast.sections] == [s.notes for s in walked.sections]
    assert fast.charts == walked.charts

    expected: dict[tuple[str, str, object], list[int]] = {}
    async for entry in register.walk(PageFilter(since=month.start, until=month.end)):
        credited = [p.account for p in entry.postings if p.account.startswith("income:") and p.amount.units < 0]
        for p in entry.postings if credited else ():  # an inflow is credited from income (a payout is not)
            if p.account.startswith("assets:") and p.amount.units > 0:
                key = (credited[0], p.asset.code, entry.ts.date())
                count, units = expected.get(key, [0, 0])
                expected[key] = [count + 1, units + p.amount.units]
    credits = await register.period_credits(month.start, month.end, credited="income:", into="assets:")
    assert {(d.account, d.asset, d.day): [d.entries, d.received.units] for d in credits.days} == expected
    valued = {(s.account, s.state): s.count for s in credits.sums}
    assert sum(valued.values()) == sum(count for count, _ in expected.values())  # every one frozen and matched
    assert {state for _, state in valued} <= ({"valued", "stale"} if priced else {"missing"})
    assert credits.others == []
