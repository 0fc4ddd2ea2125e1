"""beancount: capitalised account components, an `open` for every account, `@@` prices on
conversions, full precision, so `bean-check` accepts the file and its balances equal
`desk balances`."""

from __future__ import annotations

import re

from desk.register.entries import Entry
from desk.register.export.amounts import posting_amounts

ROOTS = {
    "assets": "Assets",
    "income": "Income",
    "expenses": "Expenses",
    "equity": "Equity",
    "liabilities": "Liabilities",
}


def account_name(path: str) -> str:
    """`assets:wallet:ops_hot` -> `Assets:Wallet:Ops-hot`; a component that does not start
    with a letter gets an `X` in front (`9x` -> `X9x`)."""
    root, *rest = path.split(":")
    parts = [ROOTS[root]]
    for part in rest:
        cleaned = re.sub(r"[^A-Za-z0-9-]", "-", part)
        if not cleaned[:1].isalpha():
            cleaned = "X" + cleaned
        parts.append(cleaned[:1].upper() + cleaned[1:])
    return ":".join(parts)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def header(accounts: list[str]) -> str:
    lines = ['option "title" "desk register export"', ""]
    lines += [f"1970-01-01 open {account_name(path)}" for path in accounts]
    return "\n".join(lines) + "\n\n"


def entry(e: Entry) -> str:
    payee = _quote(e.kind)
    narration = _quote(" ".join(e.memo.split()) or e.kind)
    lines = [f"{e.ts:%Y-%m-%d} * {payee} {narration}", f'  seq: "{e.seq}"']
    if e.reference:
        lines.append(f"  reference: {_quote(e.reference)}")
    for name, value in sorted((e.details or {}).items()):
        lines.append(f"  {name}: {_quote(value)}")
    for posting, amount in posting_amounts(e):
        lines.append(f"  {account_name(posting.account)}  {amount}")
    return "\n".join(lines) + "\n\n"
