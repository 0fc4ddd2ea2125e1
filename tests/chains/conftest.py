"""Chain tests: the sample files served over real sockets, a JSON-RPC server answering per
method, and the simulator with its three chains."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web

from desk.cli.demo_cmds import write_config
from desk.config import DeskSettings, load_settings
from desk.register import Register
from desk.sim import SimCluster
from desk.sim.demo_reserve import open_demo_reserve
from tests.builders import NOW, http_fixture, serve_on_loopback, sim_fixture
from tests.feeds.conftest import sample, serve  # noqa: F401  (the `serve` fixture)

JSON = "application/json"


http = http_fixture()


@pytest.fixture
async def serve_rpc() -> AsyncIterator[Callable[..., object]]:
    """serve_rpc({method: body text}) -> URL of a JSON-RPC endpoint; records the calls."""
    runners = []

    async def start(answers: dict[str, str], calls: list | None = None) -> str:
        async def handler(request: web.Request) -> web.Response:
            call = json.loads(await request.text())
            if calls is not None:
                calls.append(call)
            return web.Response(text=answers[call["method"]], content_type=JSON)

        app = web.Application()
        app.router.add_post("/", handler)
        return await serve_on_loopback(app, runners) + "/"

    yield start
    for runner in runners:
        await runner.cleanup()


sim = sim_fixture()


@pytest.fixture
def config(tmp_path: Path, sim: SimCluster) -> Path:
    """A config pointing at the simulator, with its demo addresses and a register in tmp_path."""
    data = {
        **sim.settings_overrides(),
        "register": {"path": str(tmp_path / "register.sqlite")},
        "operator": {"name": "chains-test"},
    }
    return write_config(tmp_path / "desk.toml", data)


@pytest.fixture
async def settings(config: Path) -> DeskSettings:
    """The settings of `config`, with the register created and the demo reserve opened in it."""
    settings = load_settings(config, env={})
    async with Register.open(settings.register.path, operator="chains-test", create=True) as register:
        await register.init_accounts(settings)
        await open_demo_reserve(register, settings, at=NOW - timedelta(days=30))
    return settings


@pytest.fixture
async def register(settings: DeskSettings) -> AsyncIterator[Register]:
    async with Register.open(settings.register.path, operator="chains-test") as reg:
        yield reg
