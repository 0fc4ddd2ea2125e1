"""Real sockets: sample files served by a small aiohttp server, and the full simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from aiohttp import web
from pydantic import SecretStr

from desk.config import PoolSettings, PriceSourceSettings
from tests.builders import http_fixture, serve_on_loopback, sim_fixture

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


@pytest.fixture
async def serve() -> AsyncIterator[Callable[..., object]]:
    """serve({path: (status, body, content_type)}) -> base URL; records requests. A path
    ending in `*` matches every path it begins (OCEAN puts the window's dates in the path);
    a body may be bytes (a garbled answer). The routes dict is read per request, so a test
    may change an answer between polls."""
    runners = []

    async def start(routes: dict[str, tuple[int, str | bytes, str]], seen: list | None = None) -> str:
        async def handler(request: web.Request) -> web.Response:
            if seen is not None:
                seen.append(
                    SimpleNamespace(
                        headers=dict(request.headers),
                        query=dict(request.query),
                        body=await request.text(),
                        path=request.path,
                    )
                )
            found = routes.get(request.path)
            if found is None:
                found = next(
                    (r for p, r in routes.items() if p.endswith("*") and request.path.startswith(p[:-1])),
                    (404, "not here", "text/plain"),
                )
            status, body, ctype = found
            if isinstance(body, bytes):
                return web.Response(status=status, body=body, content_type=ctype)
            return web.Response(status=status, text=body, content_type=ctype)

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        return await serve_on_loopback(app, runners)

    yield start
    for runner in runners:
        await runner.cleanup()


http = http_fixture()


sim = sim_fixture(seed=7)


def pool(kind: str, url: str, **extra: object) -> PoolSettings:
    token = SecretStr("s3cret-token-value")
    return PoolSettings(kind=kind, base_url=url, token=token, **extra)  # type: ignore[arg-type]


def prices(kind: str, url: str, symbols: list[str]) -> PriceSourceSettings:
    return PriceSourceSettings(kind=kind, base_url=url, symbols=symbols)  # type: ignore[arg-type]
