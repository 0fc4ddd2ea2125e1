from __future__ import annotations

from pathlib import Path

import pytest

from desk.tui.app import create_app
from tests.tui.seed import NOW, seed, write_settings


@pytest.fixture
async def seeded(tmp_path: Path):
    settings = write_settings(tmp_path)
    path = await seed(settings)
    return settings, path


@pytest.fixture
def make_app(seeded):
    settings, path = seeded

    def make(**kw):
        return create_app(settings, path, now=lambda: NOW, **kw)

    return make
