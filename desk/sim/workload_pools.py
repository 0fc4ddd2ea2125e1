"""The workload's four pools as OCEAN serves them: for any window, the very records a
register built by desk.sim.workload holds (same block hashes, tx ids, amounts and times).

bench/commands.py points `desk reconcile` at them, so the reconciliation it times is the
normal case (every record matched, no break), not the abnormal one of a register that
disagrees with its pools on every entry. The records are computed from the entry index,
not stored: a window of a million-entry register is served without building the register
twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from desk.sim import workload
from desk.sim.encode import dumps
from desk.sim.state import day_param, json_response, midnight

#: OCEAN's times: ISO, to the second, no zone (read as UTC).
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"


class WorkloadPools:
    """`await pools.start()` serves the pools of the workload register of `n` entries
    ending at `now` on a loopback port; `settings_overrides()` points desk at them."""

    def __init__(self, n: int, now: datetime) -> None:
        self.t0 = workload.start_of(n, now)
        self.feed = n - workload.days_of(n)
        self.url = ""
        self._runner: web.AppRunner | None = None
        #: each window's answer, kept once made: a benchmark times desk reading the pools,
        #: not this server computing a month of records again (a fifth of a second per pool)
        self._answers: dict[tuple[str, str, str], str] = {}

    def records(self, pool: str, start: datetime, end: datetime) -> dict[str, list[dict[str, Any]]]:
        """The pool's earnings and payouts dated in [start, end), as OCEAN's `earnpay` lists them."""
        first = max(0, -((self.t0 - start) // workload.STEP))
        last = min(self.feed, -((self.t0 - end) // workload.STEP))
        earnings, payouts = [], []
        for i in range(first, last):
            if workload.pool_of(i) != pool:
                continue
            ts = (self.t0 + workload.STEP * i).strftime(TIME_FORMAT)
            if workload.is_payout(i):
                payouts.append(
                    {
                        "ts": ts,
                        "on_chain_txid": workload.record_hash(i),
                        "total_satoshis_net_paid": workload.payout_sats(i),
                        "is_generation_txn": True,
                    }
                )
            else:
                earnings.append(
                    {
                        "block_hash": workload.record_hash(i),
                        "ts": ts,
                        "fees_collected_satoshis": "0",
                        "satoshis_net_earned": str(workload.earning_sats(i)),
                    }
                )
        return {"earnings": earnings, "payouts": payouts}

    async def _earnpay(self, request: web.Request) -> web.Response:
        pools = {workload.payout_address(pool): pool for pool in workload.POOLS}
        pool = pools.get(request.match_info["user"])
        if pool is None:
            return json_response({"error": "No such user or user has no active workers"}, status=404)
        key = (pool, request.match_info["start"], request.match_info["end"])
        if key not in self._answers:
            start = midnight(day_param(request.match_info["start"], self.t0.date()))
            end = midnight(day_param(request.match_info["end"], self.t0.date()))
            result = {"start_ts": start.strftime(TIME_FORMAT), "end_ts": end.strftime(TIME_FORMAT)}
            self._answers[key] = dumps({"result": result | self.records(pool, start, end)})
        return web.Response(text=self._answers[key], content_type="application/json")

    async def start(self) -> None:
        app = web.Application()
        app.add_routes([web.get("/v1/earnpay/{user}/{start}/{end}", self._earnpay)])
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def settings_overrides(self) -> dict[str, dict[str, dict[str, str]]]:
        """The `pools` table: the four workload pools, OCEAN kind, at this server."""
        return {
            "pools": {
                pool: {"kind": "ocean", "base_url": self.url, "user": workload.payout_address(pool)}
                for pool in workload.POOLS
            }
        }
