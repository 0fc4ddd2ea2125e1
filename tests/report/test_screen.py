"""The report from the screen: the palette's "Monthly report" writes the month's HTML into the
user's documents folder (not beside the register: the demo's is deleted on quit) and a toast
names the file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from desk.config import DeskSettings
from desk.tui.app import create_app
from tests.tui.pilot import palette
from tests.waiting import until

NOW = datetime(2026, 11, 28, 15, tzinfo=UTC)


async def test_palette_writes_the_month_into_documents_and_toasts_its_path(
    seeded: DeskSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(tmp_path / "docs"))
    app = create_app(seeded, seeded.register.path, now=lambda: NOW)
    target = tmp_path / "docs" / "desk-reports" / "desk-report-2026-11.html"
    toasts: list[str] = []
    shown = app.notify

    def notify(message: str, **kw) -> None:  # type: ignore[no-untyped-def]
        toasts.append(message)
        shown(message, **kw)

    app.notify = notify  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await palette(pilot, "Monthly report")
        await until(lambda: f"monthly report written: {target}" in toasts, "the report's toast")
    html = target.read_text()
    assert html.startswith("<!DOCTYPE html>") and "As of: 2026-11-28T15:00:00+00:00." in html
    assert f"monthly report written: {target}" in toasts
    assert not (seeded.register.path.parent / "desk-report-2026-11.html").exists()
