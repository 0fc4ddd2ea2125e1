"""Chain tests: the sample files served over real sockets, a JSON-RPC server answering per
method, and the simulator with its three chains."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import aiohttp
import pytest
from aiohttp import web

from desk.feeds.clock import FakeClock
from desk.feeds.http import HttpClient, RetryPolicy
from desk.sim import SimCluster
from tests.feeds.conftest import sample, serve  # noqa: F401  (the `serve` fixture)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
JSON = "application/json"


@pytest.fixture
async def http() -> AsyncIterator[HttpClient]:
    async with aiohttp.ClientSession() as session:
        yield HttpClient(
            session,
            clock=FakeClock(NOW),
            policy=RetryPolicy(attempts=2, base_delay_s=0.01, timeout_s=1.0),  # float-ok: seconds
            pacing=False,
        )


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
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        return f"http://127.0.0.1:{runner.addresses[0][1]}/"

    yield start
    for runner in runners:
        await runner.cleanup()


@pytest.fixture
async def sim() -> AsyncIterator[SimCluster]:
    async with SimCluster(seed=11, now=NOW, days=30) as cluster:
        yield cluster
