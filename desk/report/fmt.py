"""How figures are written in a report: fixed places, grouping, no float anywhere."""

from __future__ import annotations

import decimal
from datetime import date, datetime
from decimal import Decimal

from desk.money import Amount, amount_text

#: Currency values are shown to the cent / tiyn, rounded half-even (bankers').
CENTS = Decimal("0.01")


def money(value: Decimal, currency: str | None = None) -> str:
    """`1234.5` -> `1,234.50` (with ` USD` when a currency is given)."""
    text = format(value.quantize(CENTS, rounding=decimal.ROUND_HALF_EVEN), ",.2f")
    return f"{text} {currency}" if currency else text


def amount(value: Amount) -> str:
    """An asset amount as the screens and the CLI write it (`desk.money.amount_text`):
    `8,000.00000000 BNB`, `0.12345678 BTC`; the CSV keeps every decimal."""
    return amount_text(value)


def percent(numerator: Decimal, denominator: Decimal) -> str:
    """A share as a percentage to two places; `n/a` when there is nothing to divide by."""
    if not denominator:
        return "n/a"
    ctx = decimal.Context(prec=40)
    share = ctx.divide(numerator * 100, denominator)
    return format(share.quantize(CENTS, rounding=decimal.ROUND_HALF_EVEN), ".2f") + " %"


def exact(value: Decimal | None) -> str:
    """A value as exact as it was computed, without trailing zeros or an exponent."""
    if value is None:
        return "-"
    return format(value.normalize(), "f") if value else "0"


def day(value: date | datetime) -> str:
    return value.strftime("%Y-%m-%d")
