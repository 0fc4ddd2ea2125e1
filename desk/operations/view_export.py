"""Exporting what the register screen shows: the entries its search matches, oldest first,
as CSV (one row per posting, full precision: desk/register/export/csv_rows.py), written
owner-only into the reports folder (desk.operations.reports) under a name that says when."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from desk.operations.reports import reports_dir
from desk.private_files import write_private
from desk.register import PageFilter, Register
from desk.register.export import csv_rows


async def export_view(register: Register, filters: PageFilter, at: datetime) -> tuple[Path, int]:
    """Every entry `filters` match as CSV in the reports folder; returns the path and the
    number of entries written. The file is written whole or not at all."""
    parts = [csv_rows.header(register.accounts())]
    count = 0
    async for entry in register.walk(filters):
        parts.append(csv_rows.entry(entry))
        count += 1
    folder = await asyncio.to_thread(reports_dir)
    path = folder / f"desk-register-{at:%Y%m%d-%H%M%S}.csv"
    await asyncio.to_thread(write_private, path, "".join(parts))
    return path, count
