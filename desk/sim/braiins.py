"""Simulated Braiins Pool: rewards as BTC strings, payouts as integer sats on two rails."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from aiohttp import web

from desk.sim.faults import forbidden
from desk.sim.state import TOKEN, day_param, json_response, midnight, state_of, to_btc

#: the Braiins units per PH/s
PER_PH = {"Gh/s": 10**6, "Th/s": 10**3, "Ph/s": 1}


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
        """The profile as the sample has it; hashrate in `state.braiins_unit` (Gh/s, Th/s or
        Ph/s), as numbers or, with `state.braiins_text`, as strings."""
        if not authorised(request):
            return forbidden("braiins", request.path)
        state = state_of(request)
        sim_pool = state.model.pools[pool]
        per_ph = PER_PH[state.braiins_unit]
        rate = Decimal(sim_pool.hashrate_phs * per_ph)

        def shown(value: Decimal) -> Decimal | str:
            return format(value, "f") if state.braiins_text else value

        earned, paid = state.model.totals(pool, state.now())
        return json_response(
            {
                "username": "desk_sim",
                "btc": {
                    "all_time_reward": str(to_btc(earned)),
                    "hash_rate_unit": state.braiins_unit,
                    "hash_rate_5m": shown(rate + Decimal("0.5512")),
                    "hash_rate_60m": shown(rate + Decimal("0.0021")),
                    "hash_rate_24h": shown(rate),
                    "hash_rate_yesterday": shown(rate),
                    "low_workers": 0,
                    "off_workers": 0,
                    "ok_workers": 412,
                    "dis_workers": 0,
                    "current_balance": str(to_btc(earned - paid)),
                    "today_reward": "0.00000000",
                    "estimated_reward": "0.00000000",
                    "shares_5m": 6710886400,
                    "shares_60m": 80530636800,
                    "shares_24h": 1932735283200,
                    "shares_yesterday": 1911260446720,
                },
            }
        )

    return [
        web.get("/accounts/rewards/json/btc", rewards),
        web.get("/accounts/payouts/json/btc", payouts),
        web.get("/accounts/profile/json/btc/", profile),
    ]
