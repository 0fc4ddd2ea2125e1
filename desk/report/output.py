"""Writing a report to a file: whole or not at all, owner-only (desk/private_files.py)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from desk.config import DeskSettings
from desk.private_files import write_private
from desk.register import Register
from desk.report.build import build_report
from desk.report.period import Month
from desk.report.render import render


async def write_report(
    register: Register,
    settings: DeskSettings,
    month: Month,
    path: Path,
    *,
    fmt: str = "html",
    detail: bool = False,
    as_of: datetime | None = None,
) -> Path:
    """Build, render and write the report of `month`; return the path written."""
    report = await build_report(register, settings, month, as_of=as_of, detail=detail)
    text = await asyncio.to_thread(render, report, fmt, detail=detail)  # megabytes for a busy month
    await asyncio.to_thread(write_private, path, text)
    return path
