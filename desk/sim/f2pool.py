"""Simulated F2Pool v2: POST bodies, BTC as JSON doubles, errors as {code, msg} with HTTP 200."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from aiohttp import web

from desk.sim.faults import forbidden
from desk.sim.state import TOKEN, json_response, midnight, state_of, to_btc


def routes(pool: str) -> list[web.RouteDef]:
    async def transactions(request: web.Request) -> web.Response:
        if request.headers.get("F2P-API-SECRET") != TOKEN:
            return forbidden("f2pool", request.path)
        body = await request.json()
        if not (body.get("mining_user_name") or body.get("address")):
            return json_response({"code": 4001, "msg": "invalid params: mining_user_name or address required"})
        state = state_of(request)
        now = state.now()
        start = datetime.fromtimestamp(int(body.get("start_time", 0)), UTC)
        end = datetime.fromtimestamp(int(body.get("end_time", now.timestamp())), UTC)
        sim_pool = state.model.pools[pool]
        rows = []
        for e in sim_pool.earnings_until(now):
            if start <= e.credited_at < end:
                rows.append(
                    {
                        "id": int(e.credited_at.timestamp()) * 10,
                        "type": "revenue_fpps",
                        "changed_balance": to_btc(e.sats),
                        "created_at": int(e.credited_at.timestamp()),
                        "mining_extra": {
                            "mining_date": int(midnight(e.day).timestamp()),
                            "settle_date": int(e.credited_at.timestamp()),
                            "pps": to_btc(e.sats),
                            "pps_fee_rate": 0.04,
                            "tx_fee": to_btc(0),
                            "tx_fee_rate": 0.04,
                            "hash_rate": sim_pool.hashrate_phs * 10**15,
                        },
                        "payout_extra": None,
                    }
                )
        for p in sim_pool.payouts_until(now):
            if start <= p.requested_at < end:
                confirmed = p.confirmed_at <= now
                rows.append(
                    {
                        "id": 10**10 + p.number,
                        "type": "payout",
                        "changed_balance": -to_btc(p.sats),
                        "created_at": int(p.requested_at.timestamp()),
                        "mining_extra": None,
                        "payout_extra": {
                            "value": to_btc(p.sats - p.fee_sats),
                            "address": p.destination,
                            "tx_id": p.tx_id if confirmed else "",
                            "paid_time": int(p.confirmed_at.timestamp()) if confirmed else 0,
                            "wallet_type": "normal",
                            "tip": to_btc(p.fee_sats),
                        },
                    }
                )
        return json_response({"transactions": rows})

    async def balance(request: web.Request) -> web.Response:
        if request.headers.get("F2P-API-SECRET") != TOKEN:
            return forbidden("f2pool", request.path)
        state = state_of(request)
        earned, paid = state.model.totals(pool, state.now())
        return json_response(
            {"balance_info": {"balance": to_btc(earned - paid), "paid": to_btc(paid), "total_income": to_btc(earned)}}
        )

    async def hash_rate_info(request: web.Request) -> web.Response:
        """The user's hashrate in H/s as JSON doubles, as the sample has it."""
        if request.headers.get("F2P-API-SECRET") != TOKEN:
            return forbidden("f2pool", request.path)
        body = await request.json()
        rate = Decimal(state_of(request).model.pools[pool].hashrate_phs * 10**15)
        return json_response(
            {
                "info": {
                    "name": body.get("mining_user_name") or body.get("address") or "",
                    "hash_rate": rate,
                    "h1_hash_rate": rate,
                    "h24_hash_rate": rate,
                    "h1_stale_hash_rate": rate / 1000,
                    "h24_stale_hash_rate": rate / 1000,
                    "h24_delay_hash_rate": 0,
                    "local_hash_rate": rate,
                    "h24_local_hash_rate": rate,
                },
                "currency": "bitcoin",
            }
        )

    return [
        web.post("/v2/assets/transactions/list", transactions),
        web.post("/v2/assets/balance", balance),
        web.post("/v2/hash_rate/info", hash_rate_info),
    ]
