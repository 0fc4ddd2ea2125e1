"""Faults a simulated source can be switched into, at run time, per source.

Each fault imitates a documented failure: a 500, a 429 with Retry-After, Binance's 418 ban,
an answer that never comes, a body cut short, wrong types, an empty string where a number
belongs, a refused token; and faults inside one row of a pool's answer (desk/sim/row_faults.py):
a zero amount, a fee over its payout, garbled bytes, one bad row among good ones, 1e-2000.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from desk.sim import row_faults
from desk.sim.encode import dumps
from desk.sim.row_faults import ROW_FAULTS

FAULTS = (
    "500",
    "429",
    "418",
    "drop",
    "truncated",
    "wrong_types",
    "empty_number",
    "403",
    "ws_silent",
    "ws_shutdown",
    *ROW_FAULTS,
)
RETRY_AFTER_S = 120
FAULT_KEY = web.AppKey("faults", dict)


def mangle(data: Any, fault: str) -> Any:
    """Wrong types: every number becomes an object; empty number: every number becomes ''."""
    if isinstance(data, dict):
        return {k: mangle(v, fault) for k, v in data.items()}
    if isinstance(data, list):
        return [mangle(v, fault) for v in data]
    is_number = (
        (isinstance(data, int | float) and not isinstance(data, bool))
        or (type(data).__name__ == "Decimal")
        or (isinstance(data, str) and data.replace(".", "", 1).isdigit())
    )
    if is_number:
        return {"unexpected": True} if fault == "wrong_types" else ""
    return data


def forbidden(kind: str, path: str) -> web.Response:
    """A refused token, in the shape each source documents."""
    if kind == "braiins":
        return web.Response(status=403, text="Forbidden", content_type="text/plain")
    if kind == "f2pool":
        return web.json_response({"code": 5010, "msg": 'permission denied: permission denied name="sim"'})
    if kind == "ocean":
        return web.json_response({"error": "No such user or user has no active workers"}, status=404)
    return web.json_response(
        {
            "timestamp": "2026-11-22T06:00:00.000+00:00",
            "status": 403,
            "error": "Forbidden",
            "message": "Not Authenticated",
            "path": path,
        },
        status=403,
    )


def middleware(kind: str, state: Any) -> Any:
    @web.middleware
    async def apply(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith("/__sim/") or request.path == "/stream":
            return await handler(request)  # the stream applies its own (ws_*) faults
        state.requests[kind] = state.requests.get(kind, 0) + 1
        state.paths[(kind, request.path)] = state.paths.get((kind, request.path), 0) + 1
        if state.latency_s:
            await asyncio.sleep(state.latency_s)
        fault = state.faults.get(kind)
        if fault == "drop":
            await asyncio.sleep(3600)
        if fault == "500":
            return web.Response(status=500, text="Internal Server Error")
        if fault == "429":
            body = {"code": -1003, "msg": "Too much request weight used; current limit is 6000 per 1 MINUTE."}
            return web.json_response(body, status=429, headers={"Retry-After": str(RETRY_AFTER_S)})
        if fault == "418":
            until = int(state.now().timestamp() + RETRY_AFTER_S) * 1000
            body = {"code": -1003, "msg": f"Way too much request weight used; IP banned until {until}."}
            return web.json_response(body, status=418, headers={"Retry-After": str(RETRY_AFTER_S)})
        if fault == "403":
            return forbidden(kind, request.path)
        response = await handler(request)
        if fault == "truncated" and isinstance(response, web.Response) and response.text:
            return web.Response(text=response.text[: len(response.text) // 2], content_type=response.content_type)
        if fault in ROW_FAULTS and isinstance(response, web.Response) and response.text:
            body = row_faults.apply(response.text, fault)
            if body is not None:
                return web.Response(body=body, content_type="application/json", charset="utf-8")
        mangled = fault in ("wrong_types", "empty_number") and isinstance(response, web.Response)
        if mangled and response.text and response.content_type == "application/json":
            data = json.loads(response.text, parse_float=lambda s: s)
            return web.Response(text=dumps(mangle(data, fault)), content_type="application/json")
        return response

    return apply


def admin_routes(kind: str, state: Any) -> list[web.RouteDef]:
    """POST /__sim/fault {"fault": "500"} switches this source into a fault; DELETE clears it."""

    async def set_fault(request: web.Request) -> web.Response:
        body = await request.json()
        fault = body.get("fault")
        if fault not in FAULTS:
            return web.json_response({"error": f"unknown fault; one of {', '.join(FAULTS)}"}, status=400)
        state.faults[kind] = fault
        return web.json_response({"source": kind, "fault": fault})

    async def clear_fault(request: web.Request) -> web.Response:
        state.faults.pop(kind, None)
        return web.json_response({"source": kind, "fault": None})

    return [web.post("/__sim/fault", set_fault), web.delete("/__sim/fault", clear_fault)]
