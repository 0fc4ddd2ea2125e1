"""A simulator, a register and a config file pointing the one at the other."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desk.config import DeskSettings, load_settings
from desk.register import Register
from desk.sim import SimCluster
from tests.builders import sim_fixture
from tests.feeds.conftest import serve  # noqa: F401  (the fixture: sample answers over a real socket)


def toml_value(value: object) -> str:
    return json.dumps(value)


def write_config(path: Path, register: Path, overrides: dict, **sync: int) -> Path:
    lines = [f'[register]\npath = "{register}"', '[operator]\nname = "sync-bot"']
    lines.append("[sync]\n" + "\n".join(f"{k} = {v}" for k, v in {"backfill_days": 40, **sync}.items()))
    for name, pool in overrides["pools"].items():
        lines.append(f"[pools.{name}]\n" + "\n".join(f"{k} = {toml_value(v)}" for k, v in pool.items()))
    for name, source in overrides["prices"]["sources"].items():
        lines.append(f"[prices.sources.{name}]\n" + "\n".join(f"{k} = {toml_value(v)}" for k, v in source.items()))
    path.write_text("\n\n".join(lines) + "\n")
    path.chmod(0o600)
    return path


sim = sim_fixture()


@pytest.fixture
def config(tmp_path: Path, sim: SimCluster) -> Path:
    return write_config(tmp_path / "desk.toml", tmp_path / "register.sqlite", sim.settings_overrides())


@pytest.fixture
async def settings(config: Path) -> DeskSettings:
    settings = load_settings(config, env={})
    async with Register.open(settings.register.path, operator="admin", create=True) as register:
        await register.init_accounts(settings)
    return settings
