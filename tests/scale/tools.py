"""What the scale tests compare against, computed without desk's readers: plain SQL over the
register file, and the real hledger and beancount reading the exported files."""

from __future__ import annotations

import csv
import re
import sqlite3
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from beancount import loader
from beancount.core import data

from desk.register.export.beancount import account_name


def sql(path: Path, query: str, params: tuple = ()) -> list[tuple]:
    """Rows of `query` on the register file, read-only."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute(query, params).fetchall()


def units_by_account(path: Path) -> dict[tuple[str, str], int]:
    """Every (account, asset) with the sum of its postings' integer units, non-zero only."""
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for account, asset, units in sql(
        path, "SELECT a.path, p.asset, p.units FROM postings p JOIN accounts a ON a.id = p.account_id"
    ):
        totals[(account, asset)] += int(units)
    return {k: v for k, v in totals.items() if v}


def precisions(path: Path) -> dict[str, int]:
    return dict(sql(path, "SELECT code, precision FROM assets"))


def as_decimal(units: int, precision: int) -> Decimal:
    return Decimal(units).scaleb(-precision)


def csv_entries(text: str) -> int:
    """Entries in a CSV export: distinct seq over its rows (one row per posting)."""
    return len({row["seq"] for row in csv.DictReader(text.splitlines())})


def hledger(journal: Path, *args: str) -> str:
    return subprocess.run(["hledger", "-f", str(journal), *args], check=True, capture_output=True, text=True).stdout


def hledger_transactions(journal: Path) -> int:
    match = re.search(r"^Transactions\s*:\s*(\d+)", hledger(journal, "stats"), re.MULTILINE)
    assert match, "hledger stats printed no transaction count"
    return int(match.group(1))


def hledger_balances(journal: Path) -> dict[tuple[str, str], Decimal]:
    """`hledger balance`, flat, per account and commodity, non-zero only."""
    out = hledger(journal, "balance", "--flat", "--no-total", "-O", "csv", "--no-elide")
    result = {}
    for row in list(csv.reader(out.splitlines()))[1:]:
        for part in row[1].split(","):
            part = part.strip()
            if part and part != "0":
                number, code = part.split()
                result[(row[0], code)] = Decimal(number)
    return result


def bean_check(ledger: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "bean-check"), str(ledger)], capture_output=True, text=True
    )


def beancount_book(ledger: Path) -> tuple[int, dict[tuple[str, str], Decimal]]:
    """(transactions, balances per account and currency) as beancount's own loader reads the file."""
    entries, errors, _ = loader.load_file(str(ledger))
    assert not errors, errors[:3]
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    transactions = 0
    for entry in entries:
        if isinstance(entry, data.Transaction):
            transactions += 1
            for posting in entry.postings:
                totals[(posting.account, posting.units.currency)] += posting.units.number
    return transactions, {k: v for k, v in totals.items() if v}


def beancount_names(balances: dict[tuple[str, str], Decimal]) -> dict[tuple[str, str], Decimal]:
    """desk's (account, asset) keys as the beancount export names them."""
    return {(account_name(account), asset): value for (account, asset), value in balances.items()}
