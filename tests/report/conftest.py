"""A seeded November register in tmp for the report tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from desk.config import DeskSettings
from tests.report.seed import seed, seeded_settings


@pytest.fixture
async def seeded(tmp_path: Path) -> DeskSettings:
    settings = seeded_settings(tmp_path)
    await seed(settings)
    return settings
