"""Streaming the register out, entry by entry, in oldest-first order."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TextIO

from desk.register.entries import Entry
from desk.register.export import beancount, csv_rows, hledger
from desk.register.register import Register

FORMATS: dict[str, tuple[Callable[[list[str]], str], Callable[[Entry], str]]] = {
    "csv": (csv_rows.header, csv_rows.entry),
    "hledger": (hledger.header, hledger.entry),
    "beancount": (beancount.header, beancount.entry),
}
PAGE = 2_000


async def all_entries(register: Register) -> AsyncIterator[Entry]:
    """Every entry, oldest first, a page at a time (never the whole register in memory)."""
    after = None
    while True:
        page = await register.page(after=after, limit=PAGE)
        if not page:
            return
        for entry in reversed(page):
            yield entry
        after = page[0].key


async def export(register: Register, fmt: str, out: TextIO) -> int:
    """Write the register to `out` in `fmt`; return the number of entries written."""
    header, render = FORMATS[fmt]
    out.write(header(register.accounts()))
    count = 0
    async for entry in all_entries(register):
        out.write(render(entry))
        count += 1
    return count
