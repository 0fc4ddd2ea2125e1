"""Simulated OCEAN: every number a string (payout sats a bare number), ISO times without a
zone, {"error": ...} for an unknown user."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from desk.sim.state import day_param, json_response, midnight, state_of


def routes(pool: str, user: str) -> list[web.RouteDef]:
    async def earnpay(request: web.Request) -> web.Response:
        if request.match_info["user"] != user:
            return json_response({"error": "No such user or user has no active workers"}, status=404)
        state = state_of(request)
        now = state.now()
        start = midnight(day_param(request.match_info["start"], now.date()))
        end = midnight(day_param(request.match_info["end"], now.date()))
        sim_pool = state.model.pools[pool]
        earnings = [
            {
                "block_hash": e.block_hash,
                "ts": e.credited_at.strftime("%Y-%m-%dT%H:%M:%S"),
                "shares_in_window": "2684354560",
                "fees_collected_satoshis": str(e.fee_sats),
                "satoshis_net_earned": str(e.sats),
            }
            for e in sim_pool.earnings_until(now)
            if start <= e.credited_at < end
        ]
        payouts = [
            {
                "ts": p.requested_at.strftime("%Y-%m-%dT%H:%M:%S"),
                "on_chain_txid": p.tx_id,
                "total_satoshis_net_paid": p.sats,
                "is_generation_txn": True,
            }
            for p in sim_pool.payouts_until(now)
            if start <= p.requested_at < end
        ]
        return json_response(
            {
                "result": {
                    "start_ts": start.strftime("%Y-%m-%dT%H:%M:%S"),
                    "end_ts": (end - timedelta(seconds=0)).strftime("%Y-%m-%dT%H:%M:%S"),
                    "earnings": earnings,
                    "payouts": payouts,
                }
            }
        )

    async def statsnap(request: web.Request) -> web.Response:
        """The user's snapshot as the sample has it: every number a string, hashrate in H/s."""
        if request.match_info["user"] != user:
            return json_response({"error": "No such user or user has no active workers"}, status=404)
        state = state_of(request)
        now = int(state.now().timestamp())
        rate = state.model.pools[pool].hashrate_phs * 10**15
        return json_response(
            {
                "result": {
                    "snap_type": "user",
                    "snap_ts": str(now),
                    "shares_60s": "1048576",
                    "shares_300s": "5242880",
                    "hashrate_60s": str(rate),
                    "hashrate_300s": str(rate),
                    "lastest_share_ts": str(now - 2),
                    "shares_in_tides": "2684354560",
                    "estimated_earn_next_block": "0.00091",
                    "estimated_bonus_earn_next_block": "0",
                    "estimated_total_earn_next_block": "0.00091",
                    "estimated_payout_next_block": "0.0009",
                    "unpaid": "0.00840012",
                }
            }
        )

    return [web.get("/v1/earnpay/{user}/{start}/{end}", earnpay), web.get("/v1/statsnap/{user}", statsnap)]
