"""Simulated Braiins Pool: rewards as BTC strings, payouts as integer sats on two rails."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from desk.sim.faults import forbidden
from desk.sim.state import TOKEN, day_param, json_response, midnight, state_of, to_btc


def routes(pool: str) -> list[web.RouteDef]:
    def window(request: web.Request):
        state = state_of(request)
        today = state.now().date()
        since = day_param(request.query.get("from"), today - timedelta(days=90))
        until = day_param(request.query.get("to"), today)
        return state, midnight(since), midnight(until) + timedelta(days=1)

    def authorised(request: web.Request) -> bool:
        token = request.headers.get("Pool-Auth-Token") or request.headers.get("SlushPool-Auth-Token")
        return token == TOKEN

    async def rewards(request: web.Request) -> web.Response:
        if not authorised(request):
            return forbidden("braiins", request.path)
        state, start, end = window(request)
        rows = [
            {
                "date": int(midnight(e.day).timestamp()),
                "total_reward": str(to_btc(e.sats)),
                "mining_reward": str(to_btc(e.sats)),
                "bos_plus_reward": "0.00000000",
                "referral_bonus": "0.00000000",
                "referral_reward": "0.00000000",
                "shares": 1932735283200,
                "share_prices": [],
                "calculation_date": int(e.credited_at.timestamp()),
            }
            for e in reversed(state.model.pools[pool].earnings_until(state.now()))
            if start <= midnight(e.day) < end
        ]
        return json_response({"btc": {"daily_rewards": rows}})

    async def payouts(request: web.Request) -> web.Response:
        if not authorised(request):
            return forbidden("braiins", request.path)
        state, start, end = window(request)
        now = state.now()
        rows = []
        for p in state.model.pools[pool].payouts_until(now):
            if not start <= p.requested_at < end:
                continue
            confirmed = p.confirmed_at <= now
            rows.append(
                {
                    "financial_account_name": "Ops hot wallet",
                    "requested_at_ts": int(p.requested_at.timestamp()),
                    "resolved_at_ts": int(p.confirmed_at.timestamp()) if confirmed else None,
                    "status": "confirmed" if confirmed else "queued",
                    "amount_sats": p.sats,
                    "fee_sats": p.fee_sats,
                    "destination": p.destination,
                    "tx_id": p.tx_id if confirmed else None,
                    "trigger_type": "triggered",
                }
            )
        return json_response({"onchain": rows, "lightning": []})

    async def profile(request: web.Request) -> web.Response:
        if not authorised(request):
            return forbidden("braiins", request.path)
        state = state_of(request)
        sim_pool = state.model.pools[pool]
        return json_response(
            {
                "username": "desk_sim",
                "btc": {
                    "hash_rate_unit": "Ph/s",
                    "hash_rate_24h": sim_pool.hashrate_phs,
                    "current_balance": "0.00000000",
                },
            }
        )

    return [
        web.get("/accounts/rewards/json/btc", rewards),
        web.get("/accounts/payouts/json/btc", payouts),
        web.get("/accounts/profile/json/btc/", profile),
    ]
