"""Sell-through compliance against hand-computed figures, on a real register."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from desk.compliance import VERIFY_MARK, ComplianceError, parse_period, sell_rules, sell_through
from desk.compliance.periods import PeriodError
from desk.config import DeskSettings, SellRuleSettings
from desk.money import BTC, Amount
from desk.register import Register, reversal_of
from tests.compliance.conftest import NOV, Book

AFTER_NOV = datetime(2026, 12, 5, tzinfo=UTC)


async def november(book: Book) -> None:
    """Mined 1.0 BTC in November (0.6 f2main + 0.4 ocean), with an October and a December
    earning either side; sold 0.45 net on aix (licensed: 0.55 sold, 0.10 of it reversed) and
    0.20 on binx (unlicensed); 0.05 moved into the reserve."""
    await book.earn("0.5", NOV - timedelta(hours=1))  # 31 October, 23:00 UTC
    await book.earn("0.3", NOV + timedelta(days=2))
    await book.earn("0.3", NOV + timedelta(days=9))
    await book.earn("0.4", NOV + timedelta(days=12), pool="ocean")
    await book.earn("0.7", datetime(2026, 12, 1, tzinfo=UTC))
    await book.move("0.7", "assets:exchange:aix", NOV + timedelta(days=13))
    await book.move("0.3", "assets:exchange:binx", NOV + timedelta(days=13))
    await book.move("0.05", "assets:reserve:cold", NOV + timedelta(days=14))
    await book.sell("0.45", "aix", NOV + timedelta(days=15))
    wrong = await book.sell("0.1", "aix", NOV + timedelta(days=16))
    await book.sell("0.2", "binx", NOV + timedelta(days=17))
    original = await book.register.entry(wrong)
    await book.approved(reversal_of(original, NOV + timedelta(days=18)))
    await book.prices(datetime(2026, 11, 30, 23, 30, tzinfo=UTC))


async def test_a_hand_computed_month_with_licensed_and_unlicensed_sales(
    book: Book, register: Register, settings: DeskSettings
) -> None:
    await november(book)
    (btc,) = await sell_through(register, settings, parse_period("2026-11"), now=AFTER_NOV)
    assert btc.asset == "BTC"
    assert btc.mined == Amount(BTC, "1.0")
    assert btc.sold_eligible == Amount(BTC, "0.45")
    assert btc.sold_elsewhere == Amount(BTC, "0.2")
    assert btc.to_reserve == Amount(BTC, "0.05")
    assert not btc.reserve_counts and btc.counted == Amount(BTC, "0.45")
    assert btc.retained == Amount(BTC, "0.30")
    assert btc.share == Decimal("0.45")
    assert btc.required_share == Decimal("0.75")
    assert btc.gap == Amount(BTC, "-0.30")
    # 0.30 BTC x 100,000 USD x 500 KZT/USD
    assert btc.gap_kzt == Decimal("-15000000.00")
    assert btc.by_venue == {"aix": Amount(BTC, "0.45"), "binx": Amount(BTC, "0.2")}
    assert btc.venues == ("aix",)
    assert btc.rules == ("kz-2025",)
    assert btc.status == "red" and btc.days_left == 0 and btc.due == date(2026, 11, 30)
    assert btc.verify_mark == VERIFY_MARK
    data = btc.as_dict()
    assert data["gap"] == "-0.30000000" and data["verify"] == VERIFY_MARK and data["status"] == "red"


async def test_transfers_into_the_reserve_count_where_the_rule_says_so(
    book: Book, register: Register, settings: DeskSettings
) -> None:
    await november(book)
    rule = SellRuleSettings(
        id="with-reserve",
        effective_from=date(2026, 1, 1),
        required_share=Decimal("0.5"),
        reserve_transfers_count=True,
        source="test rule",
    )
    (btc,) = await sell_through(register, settings, parse_period("2026-11"), now=AFTER_NOV, rules=[rule])
    assert btc.counted == Amount(BTC, "0.50") and btc.share == Decimal("0.5")
    assert btc.gap == Amount(BTC, "0") and btc.gap_kzt == 0 and btc.status == "ok"


async def test_a_venue_list_in_the_rule_overrides_the_config(
    book: Book, register: Register, settings: DeskSettings
) -> None:
    await november(book)
    rule = SellRuleSettings(
        id="both",
        effective_from=date(2026, 1, 1),
        required_share=Decimal("0.6"),
        venues=["aix", "binx"],
        source="test rule",
    )
    (btc,) = await sell_through(register, settings, parse_period("2026-11"), now=AFTER_NOV, rules=[rule])
    assert btc.sold_eligible == Amount(BTC, "0.65") and btc.sold_elsewhere == Amount(BTC, "0")
    assert btc.gap == Amount(BTC, "0.05") and btc.gap_kzt == Decimal("2500000.00") and btc.status == "ok"


async def test_the_shipped_schedule_changes_from_50_to_75_percent_on_1_january_2025(
    book: Book, register: Register, settings: DeskSettings
) -> None:
    await book.earn("1", datetime(2024, 12, 10, tzinfo=UTC))
    await book.earn("1", datetime(2025, 1, 10, tzinfo=UTC))
    await book.move("2", "assets:exchange:aix", datetime(2025, 1, 11, tzinfo=UTC))
    await book.sell("0.6", "aix", datetime(2024, 12, 20, tzinfo=UTC))
    await book.sell("0.6", "aix", datetime(2025, 1, 20, tzinfo=UTC))
    now = datetime(2025, 3, 1, tzinfo=UTC)
    (dec,) = await sell_through(register, settings, parse_period("2024-12"), now=now)
    (jan,) = await sell_through(register, settings, parse_period("2025-01"), now=now)
    assert (dec.rules, dec.required_share, dec.status) == (("kz-2024",), Decimal("0.50"), "ok")
    assert (jan.rules, jan.required_share, jan.status) == (("kz-2025",), Decimal("0.75"), "red")
    assert jan.gap == Amount(BTC, "-0.15")


async def test_a_rule_change_inside_a_year_splits_what_the_year_owes(
    book: Book, register: Register, settings: DeskSettings
) -> None:
    rules = [
        SellRuleSettings(
            id="h1",
            effective_from=date(2026, 1, 1),
            effective_to=date(2026, 7, 1),
            required_share=Decimal("0.5"),
            period="year",
            source="first half",
        ),
        SellRuleSettings(
            id="h2",
            effective_from=date(2026, 7, 1),
            required_share=Decimal("0.75"),
            period="year",
            source="second half",
        ),
    ]
    await book.earn("1", datetime(2026, 3, 1, tzinfo=UTC))
    await book.earn("1", datetime(2026, 9, 1, tzinfo=UTC))
    await book.move("1.25", "assets:exchange:aix", datetime(2026, 9, 2, tzinfo=UTC))
    await book.sell("1.25", "aix", datetime(2026, 9, 3, tzinfo=UTC))
    (year,) = await sell_through(
        register, settings, parse_period("2026"), now=datetime(2027, 1, 2, tzinfo=UTC), rules=rules
    )
    # owed: 0.5 x 1 (first half) + 0.75 x 1 (second half) = 1.25 of 2 mined
    assert year.rules == ("h1", "h2") and year.required == Decimal("1.25")
    assert year.required_share == Decimal("0.625") and year.share == Decimal("0.625")
    assert year.gap == Amount(BTC, "0") and year.status == "ok"
    assert year.sources == ("first half", "second half")
    (h1,) = await sell_through(
        register, settings, parse_period("2026-Q1"), now=datetime(2027, 1, 2, tzinfo=UTC), rules=rules
    )
    assert h1.required_share == Decimal("0.5") and h1.sold_eligible == Amount(BTC, "0")


async def test_quarter_and_year_periods_sum_their_months(
    book: Book, register: Register, settings: DeskSettings
) -> None:
    await november(book)
    await book.earn("0.1", datetime(2026, 3, 31, 23, 59, tzinfo=UTC))
    await book.earn("0.2", datetime(2027, 1, 1, tzinfo=UTC))
    now = datetime(2027, 2, 1, tzinfo=UTC)
    (q4,) = await sell_through(register, settings, parse_period("2026-Q4"), now=now)
    (year,) = await sell_through(register, settings, parse_period("2026"), now=now)
    # October 0.5 + November 1.0 + December 0.7; the year adds March's 0.1, not January 2027's 0.2
    assert q4.mined == Amount(BTC, "2.2") and q4.period.label == "2026-Q4"
    assert year.mined == Amount(BTC, "2.3") and year.period.label == "2026"
    assert q4.required == Decimal("0.75") * Decimal("2.2") and q4.due == date(2026, 12, 31)
    assert q4.sold_eligible == year.sold_eligible == Amount(BTC, "0.45")


@pytest.mark.parametrize(
    ("now", "share", "status", "days_left"),
    [
        # 4 of 30 days gone, 0.3 mined, nothing sold yet: 0 < 0.75 x 4/30 = 0.1
        (datetime(2026, 11, 5, tzinfo=UTC), Decimal(0), "amber", 26),
        # 15.5 days gone, 0.45 of 1.0 sold: 0.45 >= 0.75 x 15.5/30 = 0.3875
        (datetime(2026, 11, 16, 12, tzinfo=UTC), Decimal("0.45"), "ok", 15),
        # 19 days gone: 0.45 < 0.75 x 19/30 = 0.475
        (datetime(2026, 11, 20, tzinfo=UTC), Decimal("0.45"), "amber", 11),
        (datetime(2026, 11, 25, tzinfo=UTC), Decimal("0.45"), "amber", 6),
        # over and short
        (datetime(2026, 12, 1, tzinfo=UTC), Decimal("0.45"), "red", 0),
    ],
)
async def test_amber_when_behind_pace_red_when_past_due_and_short(
    book: Book,
    register: Register,
    settings: DeskSettings,
    now: datetime,
    share: Decimal,
    status: str,
    days_left: int,
) -> None:
    await november(book)
    (btc,) = await sell_through(register, settings, parse_period("2026-11"), now=now)
    gone = min(now, datetime(2026, 12, 1, tzinfo=UTC)) - NOV
    assert btc.elapsed == Decimal(int(gone.total_seconds())) / Decimal(30 * 86400)
    assert btc.pace_share == Decimal("0.75") * btc.elapsed
    assert (btc.share, btc.status, btc.days_left) == (share, status, days_left)


async def test_selling_the_required_share_late_in_the_period_turns_it_ok(
    book: Book, register: Register, settings: DeskSettings
) -> None:
    await november(book)
    await book.sell("0.25", "aix", datetime(2026, 11, 27, tzinfo=UTC))
    (btc,) = await sell_through(register, settings, parse_period("2026-11"), now=datetime(2026, 11, 28, tzinfo=UTC))
    assert btc.share == Decimal("0.70") and btc.status == "ok"  # 0.70 >= 0.75 x 27/30 = 0.675
    (after,) = await sell_through(register, settings, parse_period("2026-11"), now=AFTER_NOV)
    assert after.status == "red" and after.gap == Amount(BTC, "-0.05")


async def test_nothing_mined_owes_nothing(book: Book, register: Register, settings: DeskSettings) -> None:
    await book.earn("1", datetime(2026, 10, 3, tzinfo=UTC))
    assert await sell_through(register, settings, parse_period("2026-11"), now=AFTER_NOV) == []


async def test_a_period_that_mixes_bases_is_refused(register: Register, settings: DeskSettings) -> None:
    rules = [
        SellRuleSettings(
            id="coins",
            effective_from=date(2026, 1, 1),
            effective_to=date(2026, 11, 15),
            required_share=Decimal("0.5"),
            source="s",
        ),
        SellRuleSettings(
            id="fiat",
            effective_from=date(2026, 11, 15),
            required_share=Decimal("0.5"),
            basis="fiat_revenue",
            source="s",
        ),
    ]
    with pytest.raises(ComplianceError, match="changes basis inside 2026-11"):
        await sell_through(register, settings, parse_period("2026-11"), now=AFTER_NOV, rules=rules)


async def test_fiat_revenue_basis_values_both_sides_in_kzt(
    book: Book, register: Register, settings: DeskSettings
) -> None:
    await book.prices(datetime(2026, 11, 2, 23, 59, tzinfo=UTC), btc_usd="100000")
    await book.earn("1", datetime(2026, 11, 3, tzinfo=UTC))
    await book.move("1", "assets:exchange:aix", datetime(2026, 11, 4, tzinfo=UTC))
    await book.prices(datetime(2026, 11, 9, 23, 59, tzinfo=UTC), btc_usd="120000")
    await book.sell("0.5", "aix", datetime(2026, 11, 10, tzinfo=UTC))
    rule = SellRuleSettings(
        id="fiat", effective_from=date(2026, 1, 1), required_share=Decimal("0.6"), basis="fiat_revenue", source="s"
    )
    (btc,) = await sell_through(register, settings, parse_period("2026-11"), now=AFTER_NOV, rules=[rule])
    # mined 1 BTC worth 50,000,000 KZT; sold 0.5 BTC worth 30,000,000 KZT: 60 %, exactly the rule
    assert btc.basis == "fiat_revenue" and btc.share == Decimal("0.6") and btc.gap is None
    assert btc.gap_kzt == Decimal("0.00") and btc.status == "ok"


def test_the_shipped_schedule_is_data_with_citations(settings: DeskSettings) -> None:
    rules = sell_rules(settings)
    assert [(r.id, r.effective_from, r.effective_to, r.required_share) for r in rules] == [
        ("kz-2024", date(2024, 1, 1), date(2025, 1, 1), Decimal("0.50")),
        ("kz-2025", date(2025, 1, 1), None, Decimal("0.75")),
    ]
    assert all(r.basis == "mined_coins" and r.verify and "AIFC" in r.source for r in rules)


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "26", "Nov 2026", ""])
def test_bad_periods_are_named(text: str) -> None:
    with pytest.raises(PeriodError, match="is not a month"):
        parse_period(text)
