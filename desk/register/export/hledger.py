"""hledger journal: account paths as they are, full precision, `@@` total prices on the base
leg of conversions (never lots), so `hledger balance` reproduces `desk balances` exactly."""

from __future__ import annotations

from desk.register.entries import Entry, priced_legs


def header(accounts: list[str]) -> str:
    lines = ["; desk register export (hledger journal)", ""]
    lines += [f"account {path}" for path in accounts]
    return "\n".join(lines) + "\n\n"


def _text(value: str) -> str:
    return " ".join(value.replace(";", ",").split())


def entry(e: Entry) -> str:
    code = f" ({e.reference})" if e.reference else ""
    description = _text(e.memo) or e.kind
    lines = [f"{e.ts:%Y-%m-%d} *{_text(code)} {description}  ; seq:{e.seq}, kind:{e.kind}"]
    if e.reverses is not None:
        lines[0] += f", reverses:{e.reverses}"
    base = priced_legs(e)[0] if e.price is not None else None
    for posting in e.postings:
        amount = f"{posting.amount.format(grouping=False)} {posting.asset.code}"
        if posting is base:
            other = next(p for p in e.postings if p is not base)
            amount += f" @@ {abs(other.amount).format(grouping=False)} {other.asset.code}"
        lines.append(f"    {posting.account}  {amount}")
    return "\n".join(lines) + "\n\n"
