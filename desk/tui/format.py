"""Text shapes shared by the screens (no floats, exact amounts).

Amounts are written by `desk.money.amount_text` / `amount_cell`, the one format the CLI and
the report use too; this module lays them out in the register's fixed columns.
"""

from __future__ import annotations

from desk.money import amount_cell
from desk.register import Entry
from desk.register.text import shown

#: (width, title) of the register's columns: fixed, so no row is ever measured. The amount
#: column holds 21 million BTC to the satoshi beside a four-letter code; the row fills 118
#: columns, the inside of the register's box on a 120-column terminal.
Columns = tuple[tuple[int, str], ...]
COLUMNS: Columns = ((7, "seq"), (16, "time"), (10, "kind"), (24, "amount"), (42, "accounts"), (14, "reference"))
#: The dashboard's latest activity, in half the width: the day without its year, amounts to
#: a hundred thousand BTC, the accounts in what is left (cut with an ellipsis).
RECENT: Columns = ((6, "seq"), (11, "time"), (10, "kind"), (20, "amount"), (60, "accounts"))


def entry_amount(entry: Entry, width: int = COLUMNS[3][0]) -> str:
    """The positive side of an entry's postings, right-aligned in `width` characters."""
    for posting in entry.postings:
        if posting.amount.units > 0:
            return amount_cell(posting.amount, width)
    return amount_cell(entry.postings[0].amount, width) if entry.postings else ""


def entry_accounts(entry: Entry) -> str:
    return " → ".join(p.account for p in entry.postings)


def fit(text: str, width: int) -> str:
    """`text` in `width` characters, cut with an ellipsis rather than silently."""
    return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"


def _cell(entry: Entry, name: str, width: int) -> str:
    if name == "seq":
        return str(entry.seq)
    if name == "time":
        return entry.ts.strftime("%Y-%m-%d %H:%M" if width >= 16 else "%m-%d %H:%M")
    if name == "kind":
        return entry.kind
    if name == "amount":
        return entry_amount(entry, width)
    if name == "accounts":
        return entry_accounts(entry)
    return shown(entry.reference or "")


def row_text(entry: Entry, columns: Columns = COLUMNS) -> str:
    return " ".join(fit(_cell(entry, name, w), w) for w, name in columns)


def header_text(columns: Columns = COLUMNS) -> str:
    return " ".join(name.rjust(w) if name == "amount" else name.ljust(w) for w, name in columns)
