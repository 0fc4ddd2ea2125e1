"""Binance spot REST: `ticker/price` for many symbols in one request, `klines` for history.

Binance quotes in USDT, which is labelled USDT. A kline's close is recorded under the source
`<name>:<interval>` (e.g. `binance:1h`), stamped at the candle's close time, so the price
history says which prices are candle closes and which are live ticks stamped on receipt.
A 429 or 418 is handled by the HTTP layer (Retry-After, ban until the time named); a 400
with code -1121 is an unknown symbol.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime

from desk.feeds.errors import FeedError, Malformed
from desk.feeds.parsing import as_list, field, text, unix_millis
from desk.feeds.parsing import price as parsed_price
from desk.feeds.pools.base import OFF_LOOP_CHARS
from desk.feeds.prices.base import PriceClient, split_symbol
from desk.feeds.records import Quote

#: The most klines Binance returns for one request.
PAGE = 1000


class BinanceClient(PriceClient):
    kind = "binance"

    def _check(self, response, data, where: str) -> None:
        if response.status != 200:
            message = data.get("msg") if isinstance(data, dict) else None
            raise FeedError(f"{self.name} {where}: HTTP {response.status} {message or ''}".strip()[:160])

    async def quotes(self) -> list[Quote]:
        symbols = json.dumps(self.settings.symbols, separators=(",", ":"))
        response, _ = await self.call("/api/v3/ticker/price", {"symbols": symbols})
        data = self.json(response, "binance ticker/price")
        self._check(response, data, "ticker/price")
        received = self.http.clock.now()
        result = []
        for i, row in enumerate(as_list(data, "binance ticker/price")):
            where = f"binance ticker[{i}]"
            symbol = text(field(row, "symbol", where), f"{where}.symbol") or ""
            try:
                base, quote = split_symbol(symbol)
            except ValueError as exc:
                raise Malformed(f"{where}.symbol: {exc}") from None
            price = parsed_price(field(row, "price", where), f"{where}.price")
            result.append(
                Quote(
                    base=base,
                    quote=quote,
                    price=price,
                    source=self.name,
                    source_time=received,
                    received_time=received,
                    note="ticker/price carries no time: stamped on receipt",
                )
            )
        return result

    async def klines(self, symbol: str, start: datetime, end: datetime, interval: str = "1d") -> list[Quote]:
        """Closing prices of the candles opening in [start, end], at most PAGE of them: the
        price history for valuation. The candle still open (Binance sends it, its "close"
        is the price of the moment) is left out: its close is not known yet."""
        params = {
            "symbol": symbol,
            "interval": interval,
            "startTime": str(int(start.timestamp()) * 1000),
            "endTime": str(int(end.timestamp()) * 1000),
            "limit": str(PAGE),
        }
        response, _ = await self.call("/api/v3/klines", params)
        received = self.http.clock.now()

        def parse() -> list[Quote]:
            data = self.json(response, "binance klines")
            self._check(response, data, "klines")
            return self._closes(data, symbol, interval, received)

        # a long page holds the GIL while it parses: in a worker thread, like the pools' answers
        return await asyncio.to_thread(parse) if len(response.text) > OFF_LOOP_CHARS else parse()

    def _closes(self, data: object, symbol: str, interval: str, received: datetime) -> list[Quote]:
        base, quote = split_symbol(symbol)
        result = []
        for i, row in enumerate(as_list(data, "binance klines")):
            where = f"binance klines[{i}]"
            if not isinstance(row, list) or len(row) < 7:
                raise Malformed(f"{where}: expected an array of at least 7 fields")
            close = parsed_price(row[4], f"{where}[4] close")
            closed_at = unix_millis(row[6], f"{where}[6] close time")
            if closed_at > received:
                continue
            result.append(
                Quote(
                    base=base,
                    quote=quote,
                    price=close,
                    source=f"{self.name}:{interval}",
                    source_time=closed_at,
                    received_time=received,
                    note=f"{interval} kline close",
                )
            )
        return result
