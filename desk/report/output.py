"""Writing a report to a file: whole or not at all (a temporary file renamed into place)."""

from __future__ import annotations

import asyncio
import os
import tempfile
from datetime import datetime
from pathlib import Path

from desk.config import DeskSettings
from desk.register import Register
from desk.report.build import build_report
from desk.report.period import Month
from desk.report.render import render


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def default_path(register: Register, month: Month, fmt: str) -> Path:
    """Where the screen puts a report: beside the register, named for the month."""
    return register.path.parent / f"desk-report-{month}.{fmt}"


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
    await asyncio.to_thread(write_atomically, path, text)
    return path
