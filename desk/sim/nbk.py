"""Simulated National Bank of Kazakhstan rates: XML, business days only."""

from __future__ import annotations

from datetime import datetime
from xml.sax.saxutils import escape

from aiohttp import web

from desk.sim.state import state_of


def routes() -> list[web.RouteDef]:
    async def get_rates(request: web.Request) -> web.Response:
        state = state_of(request)
        try:
            day = datetime.strptime(request.query.get("fdate", ""), "%d.%m.%Y").date()
        except ValueError:
            return web.Response(status=400, text="bad fdate")
        rate = state.model.usd_kzt(day) if day <= state.now().date() else None
        stamp = escape(day.strftime("%d.%m.%Y"))
        if rate is None:
            body = (
                f'<?xml version="1.0" encoding="utf-8"?>\n<rates><date>{stamp}</date><info>на выбранную дату '
                "информации нет.</info></rates>"
            )
        else:
            body = (
                f'<?xml version="1.0" encoding="utf-8"?>\n<rates><generator>desk.sim</generator>'
                f"<title>Official exchange rates of National Bank of Republic Kazakhstan</title>"
                f"<date>{stamp}</date><item><fullname>ДОЛЛАР США</fullname><title>USD</title>"
                f"<description>{rate}</description><quant>1</quant><index>UP</index><change>+0.00</change>"
                "</item><item><fullname>УЗБЕКСКИХ СУМОВ</fullname><title>UZS</title><description>4.01"
                "</description><quant>100</quant><index></index><change>0.00</change></item></rates>"
            )
        return web.Response(text=body, content_type="application/xml")

    return [web.get("/rss/get_rates.cfm", get_rates)]
