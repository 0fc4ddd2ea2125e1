"""Simulated Binance, Kraken and Coinbase price endpoints over the model's random walk."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from aiohttp import web

from desk.sim.state import json_response, state_of

#: The kline intervals the simulator serves (Binance has more).
KLINE_MS = {"1m": 60_000, "1h": 3_600_000, "1d": 86_400_000}


def _price(state, symbol: str, at: datetime) -> Decimal | None:
    model = state.model
    return {"BTCUSDT": model.btc_usdt, "BNBUSDT": model.bnb_usdt}.get(symbol, lambda _: None)(at)


def binance_routes() -> list[web.RouteDef]:
    async def ticker(request: web.Request) -> web.Response:
        state = state_of(request)
        now = state.now()
        if "symbols" in request.query:
            try:
                symbols = json.loads(request.query["symbols"])
            except ValueError:
                return json_response({"code": -1100, "msg": "Illegal characters found in parameter 'symbols'"}, 400)
        else:
            symbols = [request.query.get("symbol", "")]
        rows = []
        for symbol in symbols:
            price = _price(state, symbol, now)
            if price is None:
                return json_response({"code": -1121, "msg": "Invalid symbol."}, 400)
            rows.append({"symbol": symbol, "price": f"{price:.8f}"})
        return json_response(rows if "symbols" in request.query else rows[0])

    async def klines(request: web.Request) -> web.Response:
        """Candles whose open time is in [startTime, endTime], at most `limit` (1000 at most),
        the last one still open when it has not closed yet, as Binance does. The fault
        source "binance:klines" fails this endpoint alone (the live ticker goes on)."""
        state = state_of(request)
        if state.faults.get("binance:klines") == "500":
            return web.Response(status=500, text="Internal Server Error")
        symbol = request.query.get("symbol", "")
        step_ms = KLINE_MS.get(request.query.get("interval", ""))
        if step_ms is None:
            return json_response({"code": -1120, "msg": "Invalid interval."}, 400)
        now = state.now()
        start_ms = int(request.query.get("startTime", "0"))
        end = min(datetime.fromtimestamp(int(request.query.get("endTime", "0")) // 1000, UTC), now)
        limit = min(int(request.query.get("limit", "500")), 1000)
        if _price(state, symbol, now) is None:
            return json_response({"code": -1121, "msg": "Invalid symbol."}, 400)
        step = timedelta(milliseconds=step_ms)
        opened = datetime.fromtimestamp(-(-start_ms // step_ms) * step_ms // 1000, UTC)
        rows = []
        while opened <= end and len(rows) < limit:
            close_at = opened + step - timedelta(milliseconds=1)
            o, c = _price(state, symbol, opened), _price(state, symbol, min(close_at, now))
            open_ms = int(opened.timestamp()) * 1000
            rows.append(
                [
                    open_ms,
                    f"{o:.8f}",
                    f"{max(o, c):.8f}",
                    f"{min(o, c):.8f}",
                    f"{c:.8f}",
                    "812.33100000",
                    open_ms + step_ms - 1,
                    "0",
                    1000,
                    "0",
                    "0",
                    "0",
                ]
            )
            opened += step
        return json_response(rows)

    async def stream(request: web.Request) -> web.WebSocketResponse:
        """The combined miniTicker stream: an event per symbol every `stream_interval_s`."""
        state = state_of(request)
        symbols = [s.split("@")[0].upper() for s in request.query.get("streams", "").split("/") if s]
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        with contextlib.suppress(ConnectionResetError):  # the client went away: nothing to tell it
            await _stream_until_closed(ws, state, symbols)
        return ws

    return [web.get("/api/v3/ticker/price", ticker), web.get("/api/v3/klines", klines), web.get("/stream", stream)]


async def _stream_until_closed(ws: web.WebSocketResponse, state, symbols: list[str]) -> None:
    while not ws.closed:
        fault = state.faults.get("binance")
        if fault == "ws_shutdown":
            stamp = int(state.now().timestamp()) * 1000
            await ws.send_str(json.dumps({"stream": "!serverShutdown", "data": {"e": "serverShutdown", "E": stamp}}))
            await ws.close()
            break
        if fault != "ws_silent":
            now = state.now()
            for symbol in symbols:
                price = _price(state, symbol, now)
                if price is not None:
                    data = {
                        "e": "24hrMiniTicker",
                        "E": int(now.timestamp()) * 1000,
                        "s": symbol,
                        "c": f"{price:.8f}",
                        "o": f"{price:.8f}",
                        "h": f"{price:.8f}",
                        "l": f"{price:.8f}",
                        "v": "18234.11200000",
                        "q": "1661234567.12345678",
                    }
                    await ws.send_str(json.dumps({"stream": f"{symbol.lower()}@miniTicker", "data": data}))
        await asyncio.sleep(state.stream_interval_s)


def kraken_routes() -> list[web.RouteDef]:
    async def ticker(request: web.Request) -> web.Response:
        state = state_of(request)
        pairs = request.query.get("pair", "").split(",")
        result = {}
        for pair in pairs:
            if pair not in ("XBTUSD", "XXBTZUSD"):
                return json_response({"error": ["EQuery:Unknown asset pair"]})
            price = state.model.btc_usd(state.now())
            result["XXBTZUSD"] = {
                "a": [f"{price + 1:.5f}", "1", "1.000"],
                "b": [f"{price:.5f}", "2", "2.000"],
                "c": [f"{price:.5f}", "0.00120000"],
                "v": ["1234.5", "2345.6"],
                "p": [f"{price:.5f}", f"{price:.5f}"],
                "t": [40123, 81234],
                "l": [f"{price - 900:.5f}", f"{price - 900:.5f}"],
                "h": [f"{price + 900:.5f}", f"{price + 900:.5f}"],
                "o": f"{price:.5f}",
            }
        return json_response({"error": [], "result": result})

    return [web.get("/0/public/Ticker", ticker)]


def coinbase_routes() -> list[web.RouteDef]:
    async def ticker(request: web.Request) -> web.Response:
        state = state_of(request)
        if request.match_info["product"] != "BTC-USD":
            return json_response({"message": "NotFound"}, 404)
        now = state.now()
        price = state.model.btc_usd(now) - Decimal("2.5")
        return json_response(
            {
                "trade_id": 912345678,
                "price": f"{price:.2f}",
                "size": "0.00120000",
                "time": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "bid": f"{price:.2f}",
                "ask": f"{price + Decimal('0.01'):.2f}",
                "volume": "8123.45678901",
            }
        )

    return [web.get("/products/{product}/ticker", ticker)]
