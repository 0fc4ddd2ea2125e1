"""How amounts are written everywhere: grouped, the asset's decimals up to eight, cut toward
zero and marked when there is more, never scientific; and laid out in columns that keep the
asset code whole."""

from __future__ import annotations

import pytest

from desk.money import BNB, BTC, KZTE, USDT, Amount, amount_cell, amount_text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Amount(BNB, "8000"), "8,000.00000000 BNB"),
        (Amount(KZTE, "250000"), "250,000.00 KZTE"),
        (Amount(BTC, "12.5"), "12.50000000 BTC"),
        (Amount(BTC, "0"), "0.00000000 BTC"),
        (Amount(BTC, "0.00000001"), "0.00000001 BTC"),
        (Amount(USDT, "-24496"), "-24,496.000000 USDT"),
        (Amount(BNB, "8000.000000000000000001"), "≈8,000.00000000 BNB"),
        (Amount(BNB, "0.123456789999999999"), "≈0.12345678 BNB"),
        (Amount.from_units(BNB, 1), "≈0.00000000 BNB"),
    ],
)
def test_one_format_per_asset(amount: Amount, text: str) -> None:
    assert amount_text(amount) == text
    assert "E-" not in text


def test_a_cell_keeps_the_code_and_lines_up_the_decimals() -> None:
    cells = [amount_cell(a, 24) for a in (Amount(BTC, "0.02"), Amount(BNB, "1234567.123456789012345678"))]
    assert cells == ["         0.02000000 BTC ", "≈1,234,567.12345678 BNB "]
    assert all(len(c) == 24 for c in cells)
    assert len({c.index(".") for c in cells}) == 1  # decimal points in one column


def test_a_figure_too_wide_drops_decimals_then_leading_digits_never_the_code() -> None:
    assert amount_cell(Amount(BNB, "1234567.123456789"), 17) == "≈1,234,567.1 BNB "
    assert amount_cell(Amount(KZTE, "250000"), 14) == "250,000.0 KZTE"
    narrow = amount_cell(Amount(BTC, "99999999999999"), 12)
    assert narrow.startswith("…") and narrow.endswith("BTC ") and len(narrow) == 12
