"""How the screen writes amounts: exact, fixed-point, trailing zeros past the eighth place dropped."""

from __future__ import annotations

import pytest

from desk.money import BNB, BTC, Amount
from desk.tui.format import amount_text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Amount.from_units(BNB, 1), "0.000000000000000001 BNB"),
        (Amount(BNB, "40"), "40 BNB"),
        (Amount(BNB, "8000.000000000000000001"), "8000.000000000000000001 BNB"),
        (Amount(BNB, "0.5"), "0.5 BNB"),
        (Amount(BTC, "0.00000001"), "0.00000001 BTC"),
        (Amount(BTC, "1"), "1.00000000 BTC"),
    ],
)
def test_amount_text_is_exact_and_never_scientific(amount: Amount, text: str) -> None:
    assert amount_text(amount) == text
