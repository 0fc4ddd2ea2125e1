"""Text shapes shared by the screens (no floats, exact amounts)."""

from __future__ import annotations

from decimal import Decimal

from desk.money import Amount
from desk.register import Entry
from desk.register.text import shown


def amount_text(amount: Amount) -> str:
    """An amount exactly, without the zeros past the eighth decimal (40 BNB, not
    40.000000000000000000 BNB); bitcoin keeps its eight places."""
    value = amount.value
    if amount.asset.precision > 8 and value == value.quantize(Decimal(1).scaleb(-8)):
        value = value.quantize(Decimal(1).scaleb(-min(8, max(0, -value.normalize().as_tuple().exponent))))
    return f"{value:f} {amount.asset.code}"  # fixed-point: one wei is 0.000000000000000001, never 1E-18


def entry_amount(entry: Entry) -> str:
    """The positive side of an entry's postings, e.g. '0.01000000 BTC'."""
    for posting in entry.postings:
        if posting.amount.units > 0:
            return str(posting.amount)
    return str(entry.postings[0].amount) if entry.postings else ""


def entry_accounts(entry: Entry) -> str:
    return " → ".join(p.account for p in entry.postings)


COLUMNS = ((8, "seq"), (17, "time"), (10, "kind"), (22, "amount"), (40, "accounts"), (20, "reference"))


def row_text(entry: Entry) -> str:
    cells = (
        str(entry.seq),
        entry.ts.strftime("%Y-%m-%d %H:%M"),
        entry.kind,
        entry_amount(entry),
        entry_accounts(entry),
        shown(entry.reference or ""),
    )
    return " ".join(cell[:w].ljust(w) for (w, _), cell in zip(COLUMNS, cells, strict=True))


def header_text() -> str:
    return " ".join(name.ljust(w) for w, name in COLUMNS)
