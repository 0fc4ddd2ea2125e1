"""What every simulated server shares: the model, the simulated clock, tokens and faults."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from aiohttp import web

from desk.sim.encode import dumps
from desk.sim.model import MiningModel

TOKEN = "sim-token"


@dataclass(slots=True)
class SimState:
    model: MiningModel
    fixed_now: datetime | None = None
    offset: timedelta = timedelta(0)
    latency_s: float = 0.0
    stream_interval_s: float = 1.0
    faults: dict[str, str] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)
    #: requests per source and path (a test counts the requests of one endpoint)
    paths: dict[tuple[str, str], int] = field(default_factory=dict)
    #: how the Braiins profile states hashrate: its `hash_rate_unit`, and numbers as strings
    braiins_unit: str = "Gh/s"
    braiins_text: bool = False

    def now(self) -> datetime:
        return (self.fixed_now or datetime.now(UTC)) + self.offset


STATE_KEY = web.AppKey("sim_state", SimState)


def state_of(request: web.Request) -> SimState:
    return request.app[STATE_KEY]


def json_response(data: object, status: int = 200) -> web.Response:
    return web.Response(text=dumps(data), status=status, content_type="application/json")


def day_param(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        raise web.HTTPBadRequest(text=f"bad date {value!r}") from None


def in_window(moment: datetime, start: datetime, end: datetime) -> bool:
    return start <= moment < end


def to_btc(sats: int):
    from decimal import Decimal

    return Decimal(sats).scaleb(-8)


def midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)
