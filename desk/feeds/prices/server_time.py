"""What time an exchange says it is, from its documented server-time endpoint.

desk stamps entries, quote ages and staleness with the local clock, and exchanges judge
signed requests by theirs; `desk doctor` compares the two with this. The answer is read
exactly (`parsing`), and the offset is taken against the middle of the round trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from desk.config import PriceSourceSettings
from desk.feeds.errors import FeedError
from desk.feeds.http import HttpClient
from desk.feeds.parsing import as_list, field, iso_time, loads, unix_millis, unix_seconds

#: kind -> (path, how finely the answer tells the time)
ENDPOINTS: dict[str, tuple[str, timedelta]] = {
    "binance": ("/api/v3/time", timedelta(milliseconds=1)),
    "kraken": ("/0/public/Time", timedelta(seconds=1)),
    "coinbase": ("/time", timedelta(milliseconds=1)),
}


@dataclass(frozen=True, slots=True)
class ServerTime:
    source: str
    #: the exchange's time, truncated to `resolution`
    server: datetime
    #: the local clock when the request left and when the answer arrived
    sent: datetime
    received: datetime
    resolution: timedelta

    @property
    def offset(self) -> timedelta:
        """How far the local clock is behind the exchange's (negative: ahead of it)."""
        midpoint = self.sent + (self.received - self.sent) / 2
        return self.server + self.resolution / 2 - midpoint

    @property
    def uncertainty(self) -> timedelta:
        """How wrong `offset` may be: half the round trip and half the answer's resolution."""
        return (self.received - self.sent) / 2 + self.resolution / 2


def has_server_time(kind: str) -> bool:
    return kind in ENDPOINTS


async def server_time(name: str, settings: PriceSourceSettings, http: HttpClient) -> ServerTime:
    """Ask one exchange for its time. FeedError (or a subclass) says why it could not."""
    path, resolution = ENDPOINTS[settings.kind]
    sent = http.clock.now()
    response = await http.request("GET", settings.url + path)
    received = http.clock.now()
    where = f"{name} {path}"
    if response.status != 200:
        raise FeedError(f"{where}: HTTP {response.status}")
    data = loads(response.text, where)
    server = _PARSERS[settings.kind](data, where)
    return ServerTime(name, server, sent, received, resolution)


def _binance(data: object, where: str) -> datetime:
    return unix_millis(field(data, "serverTime", where), f"{where} serverTime")


def _kraken(data: object, where: str) -> datetime:
    errors = as_list(field(data, "error", where), f"{where} error")
    if errors:
        raise FeedError(f"{where}: {'; '.join(str(e) for e in errors)[:160]}")
    result = field(data, "result", where)
    return unix_seconds(field(result, "unixtime", f"{where} result"), f"{where} result.unixtime")


def _coinbase(data: object, where: str) -> datetime:
    return iso_time(field(data, "iso", where), f"{where} iso")


_PARSERS = {"binance": _binance, "kraken": _kraken, "coinbase": _coinbase}
