"""The exchanges' server-time endpoints, in each one's documented shape, on the simulated clock.

`desk doctor` compares the local clock with these. A cluster built with a fixed or advanced
`now` therefore stands in for an exchange whose clock disagrees with this machine's.

- Binance `GET /api/v3/time`: `{"serverTime": 1499827319559}` (milliseconds)
- Kraken `GET /0/public/Time`: `{"error": [], "result": {"unixtime": 1688669448, "rfc1123": ...}}`
- Coinbase Exchange `GET /time`: `{"iso": "2015-01-07T23:47:25.201Z", "epoch": 1420674445.201}`
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from aiohttp import web

from desk.sim.state import json_response, state_of


def binance_routes() -> list[web.RouteDef]:
    async def server_time(request: web.Request) -> web.Response:
        now = state_of(request).now()
        return json_response({"serverTime": _epoch_millis(now)})

    return [web.get("/api/v3/time", server_time)]


def kraken_routes() -> list[web.RouteDef]:
    async def server_time(request: web.Request) -> web.Response:
        now = state_of(request).now().astimezone(UTC)
        rfc1123 = now.strftime("%a, %d %b %y %H:%M:%S +0000")
        return json_response({"error": [], "result": {"unixtime": _epoch_millis(now) // 1000, "rfc1123": rfc1123}})

    return [web.get("/0/public/Time", server_time)]


def coinbase_routes() -> list[web.RouteDef]:
    async def server_time(request: web.Request) -> web.Response:
        now = state_of(request).now().astimezone(UTC)
        millis = _epoch_millis(now)
        iso = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis % 1000:03d}Z"
        return json_response({"iso": iso, "epoch": Decimal(millis).scaleb(-3)})

    return [web.get("/time", server_time)]


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _epoch_millis(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(milliseconds=1)
