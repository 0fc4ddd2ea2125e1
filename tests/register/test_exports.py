"""Exports the real tools accept, with balances equal to the register's.

hledger (Debian) and bean-check (PyPI beancount) are run for real: `.ci/run` installs
hledger, and the test extra installs beancount. They are never skipped.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from desk.config import DeskSettings
from desk.money import BNB, BTC, USDT, Amount
from desk.register import NewEntry, Posting, Register, reversal_of
from desk.register.export import export
from desk.register.export.beancount import account_name
from tests.register.conftest import T0, earning, payout, transfer


async def book(register: Register, settings: DeskSettings) -> dict[tuple[str, str], Amount]:
    """A register with earnings, payouts, a transfer, conversions both ways, a reversal, a
    huge BNB seizure and a fee."""
    await register.ingest([earning(i, "0.12345678") for i in range(10)] + [payout(1, "1", tx="ab" * 32)])
    big = Amount(BNB, "8000.000000000000000001")
    await register.post(
        NewEntry(
            kind="seizure",
            ts=T0,
            memo='case "17"; seized',
            postings=(Posting("income:seized:case-17", -big), Posting("assets:reserve:cold", big)),
        )
    )
    await register.post(
        NewEntry(
            kind="fee",
            ts=T0,
            postings=(
                Posting("assets:wallet:ops", -Amount(BTC, "0.0001")),
                Posting("expenses:fees", Amount(BTC, "0.0001")),
            ),
        )
    )
    drafts = [
        await register.draft(transfer("0.3", target="assets:exchange:aix")),
        await register.draft(
            NewEntry(
                kind="conversion",
                ts=T0,
                price=Decimal("97000.5"),
                postings=(
                    Posting("assets:exchange:aix", -Amount(BTC, "0.2")),
                    Posting("assets:exchange:aix", Amount(USDT, "19400.1")),
                ),
            )
        ),
        await register.draft(
            NewEntry(
                kind="conversion",
                ts=T0,
                price=Decimal("0.0015"),
                postings=(
                    Posting("assets:exchange:aix", -Amount(USDT, "1000")),
                    Posting("assets:reserve:cold", Amount(BNB, "1.5")),
                ),
            )
        ),
    ]
    async with Register.open(settings.register, operator="bek") as checker:
        seqs = [await checker.approve(d) for d in drafts]
        original = await checker.entry(seqs[2])
    reversal = await register.draft(reversal_of(original, T0))
    async with Register.open(settings.register, operator="bek") as checker:
        await checker.approve(reversal)
    return await register.balances()


def hledger_balances(journal: Path) -> dict[tuple[str, str], Decimal]:
    out = subprocess.run(
        ["hledger", "-f", str(journal), "balance", "--flat", "--no-total", "-O", "csv", "--no-elide"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = {}
    for row in list(csv.reader(io.StringIO(out)))[1:]:
        account, amounts = row[0], row[1]
        for part in amounts.split(","):
            part = part.strip()
            if part and part != "0":
                number, code = part.split()
                result[(account, code.strip('"'))] = Decimal(number)
    return result


async def test_hledger_accepts_the_journal_and_agrees_on_every_balance(
    register: Register, settings: DeskSettings, tmp_path: Path
) -> None:
    assert shutil.which("hledger"), "hledger is required (apt-get install hledger); make test installs it"
    expected = await book(register, settings)
    journal = tmp_path / "register.journal"
    with journal.open("w") as out:
        await export(register, "hledger", out)
    got = hledger_balances(journal)
    assert got == {k: v.value for k, v in expected.items()}


async def test_bean_check_accepts_the_file_and_agrees_on_every_balance(
    register: Register, settings: DeskSettings, tmp_path: Path
) -> None:
    expected = await book(register, settings)
    ledger = tmp_path / "register.beancount"
    with ledger.open("w") as out:
        await export(register, "beancount", out)
        # exact balance assertions the day after the last entry (beancount checks at the
        # start of the day); `~ 0` turns off the one-unit tolerance
        for (account, asset), amount in expected.items():
            out.write(f"2026-11-03 balance {account_name(account)}  {amount.format(grouping=False)} ~ 0 {asset}\n")
    check = subprocess.run(
        [str(Path(sys.executable).parent / "bean-check"), str(ledger)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


async def test_bean_check_catches_a_wrong_balance(register: Register, settings: DeskSettings, tmp_path: Path) -> None:
    await book(register, settings)
    ledger = tmp_path / "bad.beancount"
    with ledger.open("w") as out:
        await export(register, "beancount", out)
        out.write("2026-11-03 balance Assets:Wallet:Ops  0.00000001 ~ 0 BTC\n")
    check = subprocess.run(
        [str(Path(sys.executable).parent / "bean-check"), str(ledger)], capture_output=True, text=True
    )
    assert check.returncode != 0


async def test_csv_has_one_row_per_posting(register: Register, settings: DeskSettings) -> None:
    await book(register, settings)
    buffer = io.StringIO()
    count = await export(register, "csv", buffer)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert count == await register.count()
    assert len(rows) == sum(len(e.postings) for e in await register.recent(100))
    assert {r["amount"] for r in rows} >= {"8000.000000000000000001"}


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("assets:wallet:ops_hot", "Assets:Wallet:OpsUhot"),
        ("assets:wallet:ops-hot", "Assets:Wallet:Ops-hot"),
        ("income:seized:9x", "Income:Seized:9x"),
        ("income:seized:x9x", "Income:Seized:X9x"),
    ],
)
def test_beancount_account_names_are_one_to_one(path: str, name: str) -> None:
    assert account_name(path) == name


async def inflows_book(register: Register, settings: DeskSettings) -> dict[tuple[str, str], Amount]:
    """Seizures and purchases with their own fields (quotes and commas in them too), and a
    purchase reversed."""
    await register.ingest([earning(1, "0.5"), payout(1, "0.5")])
    btc = Amount(BTC, "1.25")
    await register.post(
        NewEntry(
            kind="seizure",
            ts=T0,
            postings=(Posting("income:seized:case-17", -btc), Posting("assets:reserve:cold", btc)),
            details={"case_reference": '2-1234/2026 "A"', "legal_basis": "art. 48, CPC", "authority": "AFM"},
        )
    )
    await register.post(
        NewEntry(
            kind="opening",
            ts=T0,
            postings=(
                Posting("equity:opening", -Amount(USDT, "50000")),
                Posting("assets:exchange:aix", Amount(USDT, "50000")),
            ),
        )
    )
    bought = [
        await register.draft(
            NewEntry(
                kind="purchase",
                ts=T0,
                price=Decimal(price),
                postings=(Posting("assets:exchange:aix", -Amount(USDT, paid)), Posting(into, Amount(BTC, amount))),
                reference=order,
                details={"exchange": "aix", "order_id": order},
            )
        )
        for price, paid, into, amount, order in (
            ("97000.5", "9700.05", "assets:exchange:aix", "0.1", "ord-1"),
            ("96500", "19300", "assets:reserve:cold", "0.2", "ord-2"),
        )
    ]
    async with Register.open(settings.register, operator="bek") as checker:
        seqs = [await checker.approve(d) for d in bought]
        original = await checker.entry(seqs[1])
    reversal = await register.draft(reversal_of(original, T0))
    async with Register.open(settings.register, operator="bek") as checker:
        await checker.approve(reversal)
    assert (await register.verify()).ok
    return await register.balances()


async def test_seizures_and_purchases_export_to_hledger_and_beancount(
    register: Register, settings: DeskSettings, tmp_path: Path
) -> None:
    expected = await inflows_book(register, settings)
    journal = tmp_path / "inflows.journal"
    with journal.open("w") as out:
        await export(register, "hledger", out)
    assert "legal_basis:art. 48  CPC" in journal.read_text()
    assert hledger_balances(journal) == {k: v.value for k, v in expected.items()}
    ledger = tmp_path / "inflows.beancount"
    with ledger.open("w") as out:
        await export(register, "beancount", out)
        for (account, asset), amount in expected.items():
            out.write(f"2026-11-03 balance {account_name(account)}  {amount.format(grouping=False)} ~ 0 {asset}\n")
    assert 'order_id: "ord-2"' in ledger.read_text()
    check = subprocess.run(
        [str(Path(sys.executable).parent / "bean-check"), str(ledger)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
