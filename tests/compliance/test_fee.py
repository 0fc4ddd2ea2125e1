"""The digital-mining fee: rates as data, highest applicable rate wins, quarterly due date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from desk.compliance import VERIFY_MARK, FeeError, fee_rates, fee_statement, parse_period, record_kwh
from desk.compliance.fee import ACTION, applicable_rate, due_date
from desk.config import DeskSettings, FeeRateSettings
from desk.register import Register


def test_the_shipped_table_is_data_with_citations(settings: DeskSettings) -> None:
    rates = {r.energy: r for r in fee_rates(settings)}
    assert {e: r.kzt_per_kwh for e, r in rates.items()} == {"own": 10, "renewable": 1, "unmetered": 25}
    assert all(r.verify and "Tax Code" in r.source for r in rates.values())


@pytest.mark.parametrize(
    ("energy", "rate"),
    [(("renewable",), 1), (("own",), 10), (("own", "unmetered"), 25), (("renewable", "own"), 10)],
)
def test_the_highest_applicable_rate_wins(settings: DeskSettings, energy: tuple[str, ...], rate: int) -> None:
    assert applicable_rate(fee_rates(settings), energy, date(2026, 10, 1)).kzt_per_kwh == rate


def test_rates_are_effective_dated() -> None:
    rates = [
        FeeRateSettings(
            energy="own",
            kzt_per_kwh=Decimal(5),
            effective_from=date(2023, 1, 1),
            effective_to=date(2026, 1, 1),
            source="old",
        ),
        FeeRateSettings(energy="own", kzt_per_kwh=Decimal(10), effective_from=date(2026, 1, 1), source="new"),
    ]
    assert applicable_rate(rates, ("own",), date(2025, 12, 31)).kzt_per_kwh == 5
    assert applicable_rate(rates, ("own",), date(2026, 1, 1)).kzt_per_kwh == 10
    with pytest.raises(FeeError, match="no mining-fee rate for own on 2022-06-01"):
        applicable_rate(rates, ("own",), date(2022, 6, 1))


@pytest.mark.parametrize(("quarter", "due"), [("2026-Q4", date(2027, 1, 20)), ("2026-Q1", date(2026, 4, 20))])
def test_due_on_the_20th_of_the_month_after_the_quarter(quarter: str, due: date) -> None:
    assert due_date(parse_period(quarter)) == due


async def test_records_are_chained_and_the_quarter_sums_them(register: Register, settings: DeskSettings) -> None:
    await record_kwh(register, settings, "2026-10", "1000", ["own", "unmetered"], memo="meter 7 broken")
    await record_kwh(register, settings, "2026-11", "2000.5", ["renewable"])
    await record_kwh(register, settings, "2026-Q4", "300", ["own"])
    await record_kwh(register, settings, "2027-01", "999", ["own"])  # next quarter
    await record_kwh(register, settings, "2026-11", "-500", ["renewable"], memo="correction")
    statement = await fee_statement(register, settings, "2026-Q4", now=datetime(2027, 1, 5, tzinfo=UTC))
    # 1000 x 25 + 2000.5 x 1 + 300 x 10 - 500 x 1
    assert [line.fee for line in statement.lines] == [
        Decimal("25000.00"),
        Decimal("2000.50"),
        Decimal("3000.00"),
        Decimal("-500.00"),
    ]
    assert statement.kwh == Decimal("2800.5") and statement.fee == Decimal("29500.50")
    assert statement.due == date(2027, 1, 20) and statement.days_to_due == 15 and not statement.overdue
    data = statement.as_dict()
    assert data["verify"] == VERIFY_MARK
    assert (data["kwh"], data["lines"][0]["kwh"], data["fee_kzt"]) == ("2800.5", "1000", "29500.50")
    late = await fee_statement(register, settings, "2026-11", now=datetime(2027, 1, 21, tzinfo=UTC))
    assert late.quarter.label == "2026-Q4" and late.overdue
    assert [a["action"] for a in await register.actions_named(ACTION)] == [ACTION] * 5
    assert (await register.verify()).ok


@pytest.mark.parametrize(
    ("period", "kwh", "energy", "message"),
    [
        ("2026", "10", ["own"], "per month or quarter"),
        ("2026-Q4", "0", ["own"], "must not be zero"),
        ("2026-Q4", "ten", ["own"], "--kwh"),
        ("2026-Q4", "10", ["wind"], "no mining-fee rate for wind"),
        ("2026-Q4", "10", [], "name at least one energy source"),
    ],
)
async def test_bad_records_are_refused_and_nothing_is_written(
    register: Register, settings: DeskSettings, period: str, kwh: str, energy: list[str], message: str
) -> None:
    with pytest.raises(FeeError, match=message):
        await record_kwh(register, settings, period, kwh, energy)
    assert await register.actions_named(ACTION) == []
