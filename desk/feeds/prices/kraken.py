"""Kraken public Ticker: errors in an `error` array with HTTP 200, canonical pair names in
the result (`XBTUSD` comes back as `XXBTZUSD`), no timestamp (stamped on receipt)."""

from __future__ import annotations

from datetime import timedelta

from desk.feeds.errors import FeedError, Malformed, RateLimited
from desk.feeds.parsing import as_list, field
from desk.feeds.parsing import price as parsed_price
from desk.feeds.prices.base import PriceClient
from desk.feeds.records import Quote

#: Kraken's asset codes -> desk's
ASSETS = {"XXBT": "BTC", "XBT": "BTC", "ZUSD": "USD", "USD": "USD", "USDT": "USDT", "ZEUR": "EUR", "EUR": "EUR"}
#: request pair -> canonical result key
CANONICAL = {"XBTUSD": "XXBTZUSD", "XBTUSDT": "XBTUSDT", "XBTEUR": "XXBTZEUR"}


def split_pair(key: str) -> tuple[str, str]:
    for length in (4, 3):
        base, quote = key[:length], key[length:]
        if base in ASSETS and quote in ASSETS:
            return ASSETS[base], ASSETS[quote]
    raise ValueError(f"unknown Kraken pair {key!r}")


class KrakenClient(PriceClient):
    kind = "kraken"
    min_interval_s = 1.0  # float-ok: seconds (public endpoints: about one request a second)

    async def quotes(self) -> list[Quote]:
        response, _ = await self.call("/0/public/Ticker", {"pair": ",".join(self.settings.symbols)})
        data = self.json(response, "kraken Ticker")
        errors = as_list(field(data, "error", "kraken"), "kraken error")
        now = self.http.clock.now()
        if errors:
            message = "; ".join(str(e) for e in errors)[:160]
            if "Rate limit" in message:
                raise RateLimited(f"{self.name}: {message}", now + timedelta(seconds=10))
            raise FeedError(f"{self.name}: {message}")
        result_obj = field(data, "result", "kraken")
        if not isinstance(result_obj, dict):
            raise Malformed("kraken result: expected an object")
        quotes = []
        for key, row in result_obj.items():
            where = f"kraken result.{key}"
            try:
                base, quote = split_pair(key)
            except ValueError as exc:
                raise Malformed(f"{where}: {exc}") from None
            last = as_list(field(row, "c", where), f"{where}.c")
            price = parsed_price(last[0] if last else None, f"{where}.c[0]")
            quotes.append(
                Quote(
                    base=base,
                    quote=quote,
                    price=price,
                    source=self.name,
                    source_time=now,
                    received_time=now,
                    note="Kraken sends no time: stamped on receipt",
                )
            )
        return quotes
