"""Amounts as both plain-text accounting tools write them: full precision, and the base leg of
a conversion (or of its reversal) carrying the `@@` total price in the other asset."""

from __future__ import annotations

from collections.abc import Iterator

from desk.register.entries import Entry, Posting, priced_legs


def posting_amounts(e: Entry) -> Iterator[tuple[Posting, str]]:
    base = priced_legs(e)[0] if e.price is not None else None
    for posting in e.postings:
        amount = f"{posting.amount.format(grouping=False)} {posting.asset.code}"
        if posting is base:
            other = next(p for p in e.postings if p is not base)
            amount += f" @@ {abs(other.amount).format(grouping=False)} {other.asset.code}"
        yield posting, amount
