"""Amounts as both plain-text accounting tools write them: full precision, and the base leg of
a conversion (or of its reversal) carrying the `@@` total price in the other asset. Each
tool spells a commodity its own way (`commodity`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from desk.register.entries import Entry, Posting, priced_legs


def posting_amounts(e: Entry, commodity: Callable[[str], str] = str) -> Iterator[tuple[Posting, str]]:
    base = priced_legs(e)[0] if e.price is not None else None
    for posting in e.postings:
        amount = f"{posting.amount.format(grouping=False)} {commodity(posting.asset.code)}"
        if posting is base:
            other = next(p for p in e.postings if p is not base)
            amount += f" @@ {abs(other.amount).format(grouping=False)} {commodity(other.asset.code)}"
        yield posting, amount
