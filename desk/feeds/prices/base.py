"""The face every price client shows: the latest quotes for its configured symbols."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from desk.config import PriceSourceSettings
from desk.feeds.http import HttpClient, Response
from desk.feeds.parsing import loads
from desk.feeds.records import Quote

#: Quote currencies recognised at the end of an exchange symbol, longest first.
QUOTES = ("USDT", "USDC", "FDUSD", "USD", "BTC", "KZT", "EUR")


def split_symbol(symbol: str) -> tuple[str, str]:
    """`BTCUSDT` -> (`BTC`, `USDT`): USDT stays USDT, it is not USD."""
    for quote in QUOTES:
        if symbol.endswith(quote) and len(symbol) > len(quote):
            return symbol[: -len(quote)], quote
    raise ValueError(f"cannot tell base from quote in {symbol!r}")


class PriceClient(ABC):
    kind: ClassVar[str]
    min_interval_s: ClassVar[float] = 0.0  # float-ok: seconds

    def __init__(self, name: str, settings: PriceSourceSettings, http: HttpClient) -> None:
        self.name = name
        self.settings = settings
        self.http = http
        self.base = settings.url

    async def call(self, path: str, params: dict[str, str] | None = None) -> tuple[Response, Any]:
        response = await self.http.request("GET", self.base + path, params=params, min_interval_s=self.min_interval_s)
        return response, response.text

    def json(self, response: Response, where: str) -> Any:
        return loads(response.text, where)

    @abstractmethod
    async def quotes(self) -> list[Quote]:
        """The latest price of every configured symbol."""
