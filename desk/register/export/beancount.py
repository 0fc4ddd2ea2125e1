"""beancount: capitalised account components (one beancount name per desk path), an `open`
for every account, `@@` prices on conversions, full precision, so `bean-check` accepts the
file and its balances equal `desk balances`."""

from __future__ import annotations

from desk.register.entries import Entry
from desk.register.export.amounts import posting_amounts
from desk.register.text import shown

ROOTS = {
    "assets": "Assets",
    "income": "Income",
    "expenses": "Expenses",
    "equity": "Equity",
    "liabilities": "Liabilities",
}


def account_name(path: str) -> str:
    """`assets:wallet:ops` -> `Assets:Wallet:Ops`, one to one for every path desk allows.

    A beancount component starts with a capital or a digit and holds letters, digits and
    `-`. desk's names are lower case, so a capital is free to mark what beancount lacks:
    the first letter is capitalised and each `_` is written `U` (`ops_hot` -> `OpsUhot`,
    while `ops-hot` -> `Ops-hot`); a leading digit stays (`9x` -> `9x`, `x9x` -> `X9x`).
    No two desk paths give one beancount name, so balances never merge.
    """
    root, *rest = path.split(":")
    parts = [ROOTS[root]]
    for part in rest:
        parts.append(part[:1].upper() + part[1:].replace("_", "U"))
    return ":".join(parts)


def _quote(text: str) -> str:
    """A beancount string on one line: characters that are not printable text escaped
    (text from before they were refused), quotes and backslashes escaped."""
    clean = " ".join(shown(text).split())
    return '"' + clean.replace("\\", "\\\\").replace('"', '\\"') + '"'


def header(accounts: list[str]) -> str:
    lines = ['option "title" "desk register export"', ""]
    lines += [f"1970-01-01 open {account_name(path)}" for path in accounts]
    return "\n".join(lines) + "\n\n"


def entry(e: Entry) -> str:
    payee = _quote(e.kind)
    narration = _quote(e.memo if e.memo.strip() else e.kind)
    lines = [f"{e.ts:%Y-%m-%d} * {payee} {narration}", f'  seq: "{e.seq}"']
    if e.reference:
        lines.append(f"  reference: {_quote(e.reference)}")
    for name, value in sorted((e.details or {}).items()):
        lines.append(f"  {name}: {_quote(value)}")
    for posting, amount in posting_amounts(e):
        lines.append(f"  {account_name(posting.account)}  {amount}")
    return "\n".join(lines) + "\n\n"
