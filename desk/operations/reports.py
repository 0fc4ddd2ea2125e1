"""Writing the month's report where a person finds it again: the screen's palette writes into
the user's documents folder (platformdirs: `XDG_DOCUMENTS_DIR`, else ~/Documents) under
`desk-reports/`, not beside the register: the demo's register lives in a temporary directory
that is deleted on quit, and took the report with it. When that folder cannot be made, the
working directory desk was started in is used. The path written is returned, for the
notification that names it."""

from __future__ import annotations

import asyncio
import os
from datetime import datetime
from pathlib import Path

import platformdirs

from desk.config import DeskSettings
from desk.register import Register
from desk.report import Month
from desk.report.output import write_report

#: the folder under the user's documents that holds desk's reports
FOLDER = "desk-reports"


def reports_dir() -> Path:
    """The user's documents folder's `desk-reports/`, made if missing; the working directory
    when it cannot be made (a read-only home). Blocking: call it in a thread."""
    target = Path(platformdirs.user_documents_dir()) / FOLDER
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:
        return Path(os.getcwd())
    return target


async def write_month_report(register: Register, settings: DeskSettings, now: datetime) -> Path:
    """This month's report (desk.report) as HTML in `reports_dir()`; returns its path."""
    month = Month(now.year, now.month)
    folder = await asyncio.to_thread(reports_dir)
    return await write_report(register, settings, month, folder / f"desk-report-{month}.html", as_of=now)
