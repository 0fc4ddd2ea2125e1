"""The exports are accepted by the real tools for every name desk allows, and agree with
`desk balances` to the last digit.

Account names and asset codes are generated from desk's own rules (desk/names.py), with
each name's twin (`ops-hot` beside `ops_hot`, `9x` beside `x9x`) so that a mapping that
merges two accounts shows as a wrong balance. hledger reads the journal; beancount's loader
(what `bean-check` runs) reads the beancount file with an exact balance assertion for every
account; the real `bean-check` runs on the last example too.
"""

from __future__ import annotations

import asyncio
import csv
import io
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from beancount import loader
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from desk.config import load_settings
from desk.money import Amount, Asset
from desk.names import ASSET_CODE_PATTERN, NAME_PATTERN
from desk.register import NewEntry, Posting, Register
from desk.register.export import export
from desk.register.export.beancount import account_name

T0 = datetime(2026, 11, 2, tzinfo=UTC)
names = st.from_regex(f"^{NAME_PATTERN}$", fullmatch=True)
codes = st.from_regex(f"^{ASSET_CODE_PATTERN}$", fullmatch=True)


def with_twins(found: list[str]) -> list[str]:
    """Each name, and the names a careless mapping would confuse it with."""
    out: list[str] = []
    for name in found:
        for twin in (name, name.replace("-", "_"), name.replace("_", "-"), "x" + name if name[0].isdigit() else name):
            if len(twin) <= 40 and twin not in out:
                out.append(twin)
    return out


books = st.fixed_dictionaries(
    {
        "pools": st.lists(names, min_size=1, max_size=2, unique=True).map(with_twins),
        "wallets": st.lists(names, min_size=1, max_size=2, unique=True).map(with_twins),
        "reserves": st.lists(names, min_size=1, max_size=2, unique=True).map(with_twins),
        "assets": st.lists(st.tuples(codes, st.integers(0, 18)), min_size=1, max_size=3, unique_by=lambda a: a[0]),
        # below 10^15 units: within the sane cap of 10^20 whole units at any precision
        "units": st.lists(st.integers(1, 10**15), min_size=1, max_size=6),
    }
)


async def write_book(tmp: Path, book: dict) -> dict[tuple[str, str], Amount]:
    assets = [Asset(code, precision) for code, precision in book["assets"]]
    overrides = {
        "register": {"path": str(tmp / "register.sqlite")},
        "operator": {"name": "aliya"},
        "assets": {a.code: a.precision for a in assets},
        "accounts": {"wallets": book["wallets"], "exchanges": [], "seizure_cases": ["case-1"]},
        "pools": {p: {"kind": "ocean", "user": "u", "pays_into": book["wallets"][0]} for p in book["pools"]},
        "reserve": {"accounts": book["reserves"]},
    }
    desk = load_settings(None, env={}, overrides=overrides)
    entries = []
    for i, units in enumerate(book["units"]):
        asset = assets[i % len(assets)]
        pool, wallet = book["pools"][i % len(book["pools"])], book["wallets"][i % len(book["wallets"])]
        earned, paid = Amount.from_units(asset, units), Amount.from_units(asset, max(1, units // 3))
        at = T0 + timedelta(hours=i)
        pool_account = f"assets:pool:{pool}"
        entries.append(
            NewEntry(
                kind="earning",
                ts=at,
                source=f"pool:{pool}",
                external_id=f"e{i}",
                memo=f"e {i}",
                postings=(Posting(f"income:mining:{pool}", -earned), Posting(pool_account, earned)),
            )
        )
        entries.append(
            NewEntry(
                kind="payout",
                ts=at,
                source=f"pool:{pool}",
                external_id=f"p{i}",
                memo=f"p {i}",
                postings=(Posting(pool_account, -paid), Posting(f"assets:wallet:{wallet}", paid)),
            )
        )
    async with Register.open(desk.register.path, operator="aliya", create=True) as reg:
        await reg.init_accounts(desk)
        await reg.ingest(entries)
        for i, reserve in enumerate(book["reserves"]):
            seized = Amount.from_units(assets[i % len(assets)], 10**i + 7)
            await reg.post(NewEntry(kind="seizure", ts=T0 + timedelta(days=1),
                                    postings=(Posting("income:seized:case-1", -seized),
                                              Posting(f"assets:reserve:{reserve}", seized))))  # fmt: skip
        if len(assets) > 1:  # a conversion: the priced leg's commodity spelt in the `@@` too
            given_up = Amount.from_units(assets[0], 1)
            draft = await reg.draft(NewEntry(kind="conversion", ts=T0 + timedelta(days=1), price=Decimal(1).scaleb(
                assets[0].precision - assets[1].precision), postings=(
                Posting(f"assets:reserve:{book['reserves'][0]}", -given_up),
                Posting(f"assets:reserve:{book['reserves'][0]}", Amount.from_units(assets[1], 1)))))  # fmt: skip
            reg.act_as("bolat")
            await reg.approve(draft)
        for fmt, name in (("hledger", "book.journal"), ("beancount", "book.beancount")):
            with (tmp / name).open("w", encoding="utf-8") as out:
                await export(reg, fmt, out)
        return await reg.balances()


def hledger_balances(journal: Path) -> dict[tuple[str, str], Decimal]:
    out = subprocess.run(
        ["hledger", "-f", str(journal), "balance", "--flat", "--no-total", "-O", "csv", "--no-elide"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    result = {}
    for account, amounts in list(csv.reader(io.StringIO(out)))[1:]:
        for part in amounts.split(", "):
            number, _, code = part.strip().partition(" ")
            if number and number != "0":
                result[(account, code.strip('"'))] = Decimal(number)
    return result


def with_assertions(ledger: Path, balances: dict[tuple[str, str], Amount]) -> None:
    """Exact balance assertions the day after the book (beancount asserts at the start of a
    day; `~ 0` turns the tolerance off), for every account desk has a balance in."""
    with ledger.open("a", encoding="utf-8") as out:
        for (account, code), amount in balances.items():
            out.write(f"2026-11-10 balance {account_name(account)}  {amount.format(grouping=False)} ~ 0 {code}\n")


# each example runs hledger and writes a register: no shrinking (it would take minutes), the
# failing example is reported as generated
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(books)
def test_hledger_and_beancount_accept_every_name_desk_allows_and_agree_on_every_balance(book: dict) -> None:
    assert shutil.which("hledger"), "hledger is required (apt-get install hledger)"
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        balances = asyncio.run(write_book(tmp, book))
        assert hledger_balances(tmp / "book.journal") == {k: v.value for k, v in balances.items()}
        accounts = register_accounts(tmp)
        assert len({account_name(a) for a in accounts}) == len(accounts)  # one beancount name each
        ledger = tmp / "book.beancount"
        with_assertions(ledger, balances)
        _, errors, _ = loader.load_file(str(ledger))
        assert not errors, [e.message for e in errors]


def register_accounts(tmp: Path) -> list[str]:
    conn = sqlite3.connect(tmp / "register.sqlite")
    try:
        return [path for (path,) in conn.execute("SELECT path FROM accounts")]
    finally:
        conn.close()


def test_the_real_bean_check_accepts_names_a_careless_mapping_merges(tmp_path: Path) -> None:
    book = {
        "pools": ["9x", "x9x", "f2-main", "f2_main"],
        "wallets": ["ops-hot", "ops_hot", "ops"],
        "reserves": ["cold", "cold_2", "cold-2"],
        "assets": [("BTC2", 8), ("E1", 3), ("KZT", 2)],
        "units": [1, 10**15, 123456789, 1000],
    }
    balances = asyncio.run(write_book(tmp_path, book))
    assert hledger_balances(tmp_path / "book.journal") == {k: v.value for k, v in balances.items()}
    ledger = tmp_path / "book.beancount"
    with_assertions(ledger, balances)
    check = subprocess.run(
        [str(Path(sys.executable).parent / "bean-check"), str(ledger)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
