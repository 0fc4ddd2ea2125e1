"""Coinbase Exchange product ticker: strings, an ISO time, `{"message": ...}` on error."""

from __future__ import annotations

from desk.feeds.errors import FeedError
from desk.feeds.parsing import field, iso_time
from desk.feeds.parsing import price as parsed_price
from desk.feeds.prices.base import PriceClient
from desk.feeds.records import Quote


class CoinbaseClient(PriceClient):
    kind = "coinbase"
    min_interval_s = 0.1  # float-ok: seconds (10 requests a second per IP)

    async def quotes(self) -> list[Quote]:
        result = []
        for product in self.settings.symbols:
            response, _ = await self.call(f"/products/{product}/ticker")
            data = self.json(response, f"coinbase {product}")
            if response.status != 200:
                message = data.get("message") if isinstance(data, dict) else None
                raise FeedError(f"{self.name} {product}: HTTP {response.status} {message or ''}".strip())
            base, _, quote = product.partition("-")
            where = f"coinbase {product}"
            price = parsed_price(field(data, "price", where), f"{where}.price")
            result.append(
                Quote(
                    base=base,
                    quote=quote,
                    price=price,
                    source=self.name,
                    source_time=iso_time(field(data, "time", where), f"{where}.time"),
                    received_time=self.http.clock.now(),
                )
            )
        return result
