"""hledger journal: account paths as they are, full precision, `@@` total prices on the base
leg of conversions (never lots), so `hledger balance` reproduces `desk balances` exactly.

hledger reads a commodity symbol bare only when it is letters alone: an asset code with a
digit (BTC2, desk allows it) is written quoted. The decimal mark is declared, so an amount
such as 1.000 (an asset of three decimals) is never read as one thousand. Text from the
register is written on one line, without the characters that end a field."""

from __future__ import annotations

from desk.register.entries import Entry
from desk.register.export.amounts import posting_amounts
from desk.register.text import shown


def commodity(code: str) -> str:
    return code if code.isalpha() else f'"{code}"'


def header(accounts: list[str]) -> str:
    lines = ["; desk register export (hledger journal)", "decimal-mark .", ""]
    lines += [f"account {path}" for path in accounts]
    return "\n".join(lines) + "\n\n"


def _text(value: str) -> str:
    return " ".join(shown(value).replace(";", ",").split())


def entry(e: Entry) -> str:
    code = f" ({e.reference})" if e.reference else ""
    description = _text(e.memo) or e.kind
    lines = [f"{e.ts:%Y-%m-%d} *{_text(code)} {description}  ; seq:{e.seq}, kind:{e.kind}"]
    if e.reverses is not None:
        lines[0] += f", reverses:{e.reverses}"
    for name, value in sorted((e.details or {}).items()):
        lines[0] += f", {name}:{_text(value).replace(',', ' ')}"
    for posting, amount in posting_amounts(e, commodity):
        lines.append(f"    {posting.account}  {amount}")
    return "\n".join(lines) + "\n\n"
