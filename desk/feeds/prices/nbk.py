"""The National Bank of Kazakhstan's official rates: XML, KZT per `quant` units, an Almaty
business date. A day without rates is not an error: the latest earlier date is used and the
quote says which."""

from __future__ import annotations

import decimal as dec
import xml.etree.ElementTree as ET
from datetime import date, datetime, time, timedelta, timezone

from desk.feeds.errors import FeedError, Malformed
from desk.feeds.fields import check_text
from desk.feeds.prices.base import PriceClient
from desk.feeds.records import Quote
from desk.money import MONEY_CONTEXT

ALMATY = timezone(timedelta(hours=5))
LOOKBACK_DAYS = 10


def parse_rates(xml_text: str) -> tuple[date, dict[str, dec.Decimal]] | None:
    """(date, KZT per one unit of each currency), or None for a day without rates."""
    check_text(xml_text.replace("\n", " ").replace("\r", " ").replace("\t", " "), "nbk rates")
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError as exc:
        raise Malformed(f"nbk rates: not valid XML ({exc})") from None
    raw_date = (root.findtext("date") or "").strip()
    items = root.findall("item")
    if not items:
        return None
    try:
        day = datetime.strptime(raw_date, "%d.%m.%Y").date()
    except ValueError:
        raise Malformed(f"nbk rates.date: {raw_date!r} is not DD.MM.YYYY") from None
    rates = {}
    for item in items:
        code = (item.findtext("title") or "").strip()
        try:
            value = dec.Decimal((item.findtext("description") or "").strip())
            quant = dec.Decimal((item.findtext("quant") or "").strip())
        except dec.InvalidOperation:
            raise Malformed(f"nbk rates {code}: description or quant is not a number") from None
        if not value.is_finite() or not quant.is_finite() or value <= 0 or quant <= 0:
            raise Malformed(f"nbk rates {code}: rate and quant must be positive")
        ctx = MONEY_CONTEXT.copy()
        ctx.traps[dec.Inexact] = False
        rates[code] = ctx.divide(value, quant)
    return day, rates


class NbkClient(PriceClient):
    kind = "nbk"

    async def rates_of(self, day: date) -> tuple[date, dict[str, dec.Decimal]] | None:
        """The rates published for `day` itself, or None when none were (a weekend, a holiday)."""
        response, _ = await self.call("/rss/get_rates.cfm", {"fdate": day.strftime("%d.%m.%Y")})
        if response.status != 200:
            raise FeedError(f"{self.name}: HTTP {response.status}")
        return parse_rates(response.text)

    async def rates_on(self, day: date) -> tuple[date, dict[str, dec.Decimal]]:
        """The rates in force on `day`: that day's, or the latest earlier published ones."""
        for back in range(LOOKBACK_DAYS + 1):
            parsed = await self.rates_of(day - timedelta(days=back))
            if parsed is not None:
                return parsed
        raise FeedError(f"{self.name}: no rates published in the {LOOKBACK_DAYS} days before {day}")

    def quotes_of(
        self, published: date, rates: dict[str, dec.Decimal], received: datetime, note: str | None = None
    ) -> list[Quote]:
        """The configured currencies' rates of one business date, each stamped at the start of
        that Almaty date (the rate is in force from then until the next one is published)."""
        result = []
        for code in self.settings.symbols:
            if code not in rates:
                raise Malformed(f"nbk rates: no {code} rate on {published:%d.%m.%Y}")
            result.append(
                Quote(
                    base=code,
                    quote="KZT",
                    price=rates[code],
                    source=self.name,
                    source_time=datetime.combine(published, time(0), tzinfo=ALMATY),
                    received_time=received,
                    note=note,
                )
            )
        return result

    async def quotes(self) -> list[Quote]:
        received = self.http.clock.now()
        today = received.astimezone(ALMATY).date()
        published, rates = await self.rates_on(today)
        note = None
        if published != today:
            note = f"official rate of {published:%d.%m.%Y} (none published for {today:%d.%m.%Y})"
        return self.quotes_of(published, rates, received, note)
