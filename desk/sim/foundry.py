"""Simulated Foundry USA: X-API-KEY, JSON-number BTC, ISO times, unix-ms windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from aiohttp import web

from desk.sim.faults import forbidden
from desk.sim.state import TOKEN, day_param, json_response, midnight, state_of, to_btc


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+00:00")


def routes(pool: str) -> list[web.RouteDef]:
    def window(request: web.Request):
        state = state_of(request)
        now = state.now()
        start = datetime.fromtimestamp(int(request.query.get("startDateUnixMs", "0")) // 1000, UTC)
        end_ms = request.query.get("endDateUnixMs")
        end = datetime.fromtimestamp(int(end_ms) // 1000, UTC) if end_ms else now
        return state, now, start, end

    async def earnings(request: web.Request) -> web.Response:
        if request.headers.get("X-API-KEY") != TOKEN:
            return forbidden("foundry", request.path)
        state, now, start, end = window(request)
        sim_pool = state.model.pools[pool]
        rows = [
            {
                "startTime": _iso(midnight(e.day)),
                "endTime": _iso(midnight(e.day) + timedelta(days=1)),
                "totalAmount": to_btc(e.sats),
                "hashrate": sim_pool.hashrate_phs * 10**15,
                "ppsBaseAmount": to_btc(e.sats + e.fee_sats),
                "txFeeRewardAmount": to_btc(0),
                "fppsRatePercent": 0,
                "feeAmount": to_btc(e.fee_sats),
                "feeRatePercent": 4,
            }
            for e in sim_pool.earnings_until(now)
            if start <= midnight(e.day) < end
        ]
        return json_response(rows)

    async def transactions(request: web.Request) -> web.Response:
        if request.headers.get("X-API-KEY") != TOKEN:
            return forbidden("foundry", request.path)
        state, now, start, end = window(request)
        rows = []
        for p in state.model.pools[pool].payouts_until(now):
            if start <= p.requested_at < end:
                confirmed = p.confirmed_at <= now
                rows.append(
                    {
                        "time": _iso(p.requested_at),
                        "broadcastTime": _iso(p.confirmed_at) if confirmed else None,
                        "amount": to_btc(p.sats),
                        "type": "PAYOUT",
                        "description": "Daily payout",
                        "txId": p.tx_id if confirmed else None,
                        "address": p.destination,
                    }
                )
        return json_response(rows)

    async def hashrate_day(request: web.Request) -> web.Response:
        """Accepted hashrate per day (H/s) from `start` to `end` (YYYY-MM-DD, default the last
        30 days), the current day's so far; average workers -1.0 for the current day."""
        if request.headers.get("X-API-KEY") != TOKEN:
            return forbidden("foundry", request.path)
        state = state_of(request)
        today = state.now().date()
        start = day_param(request.query.get("start"), today - timedelta(days=30))
        end = min(day_param(request.query.get("end"), today), today)
        rate = state.model.pools[pool].hashrate_phs * 10**15
        rows = []
        day = start
        while day <= end:
            rows.append(
                {
                    "time": _iso(midnight(day)),
                    "endTime": _iso(midnight(day) + timedelta(days=1)),
                    "unixTime": int(midnight(day).timestamp()) * 1000,
                    "hashrateAccepted": rate,
                    "hashrateStale": rate // 1000,
                    "hashrateRejected": rate // 2000,
                    "averageWorkers": Decimal("-1.0") if day == today else Decimal("412.0"),
                }
            )
            day += timedelta(days=1)
        return json_response(rows)

    return [
        web.get("/earnings/{sub}", earnings),
        web.get("/transactions/{sub}", transactions),
        web.get("/subaccount_hashrate_day/{sub}", hashrate_day),
    ]
