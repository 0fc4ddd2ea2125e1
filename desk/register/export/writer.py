"""Streaming the register out, entry by entry, in oldest-first order."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from desk.register.entries import Entry
from desk.register.export import beancount, csv_rows, hledger
from desk.register.register import Register

FORMATS: dict[str, tuple[Callable[[list[str]], str], Callable[[Entry], str]]] = {
    "csv": (csv_rows.header, csv_rows.entry),
    "hledger": (hledger.header, hledger.entry),
    "beancount": (beancount.header, beancount.entry),
}


async def export(register: Register, fmt: str, out: TextIO, *, page_size: int | None = None) -> int:
    """Write every entry of the register to `out` in `fmt`, oldest first, a page at a time
    (`page_size` entries, default the register's walk page); return the number written."""
    header, render = FORMATS[fmt]
    out.write(header(register.accounts()))
    count = 0
    async for entry in register.walk(page_size=page_size):
        out.write(render(entry))
        count += 1
    return count
