"""Braiins Pool: BTC strings for rewards, integer sats for payouts, unix seconds, a 403
text/plain for a bad token, no more than one request per five seconds, and the hashrate on
the profile in the unit it names (`hash_rate_unit`: Gh/s, Th/s, Ph/s; numbers or strings)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from desk.feeds import fields
from desk.feeds.errors import Malformed
from desk.feeds.parsing import as_list, btc, field, hashrate, obj, sats, text, unix_seconds, utc_day
from desk.feeds.pools.base import PoolClient
from desk.feeds.pools.rows import best_day, read_rows
from desk.feeds.records import Earning, Hashrate, Payout, PoolWindow

PROFILE = "/accounts/profile/json/btc/"


class BraiinsClient(PoolClient):
    kind = "braiins"
    min_interval_s = 5.0  # float-ok: seconds

    def _headers(self) -> dict[str, str]:
        return {"Pool-Auth-Token": self.token()}

    async def _get(self, path: str, params: dict[str, str] | None = None) -> Any:
        response, data = await self.call("GET", path, headers=self._headers(), params=params)
        if response.status != 200:
            raise Malformed(f"{self.name} {path}: HTTP {response.status}")
        return data

    async def window(self, since: date, until: date) -> PoolWindow:
        params = {"from": since.isoformat(), "to": until.isoformat()}
        result = PoolWindow()
        rewards = await self._get("/accounts/rewards/json/btc", params)
        result.earnings = await self.off_loop(lambda: self._earnings(rewards, result, since), self.last_answer_chars)
        payouts = await self._get("/accounts/payouts/json/btc", params)
        result.payouts = await self.off_loop(lambda: self._payouts(payouts, result, since), self.last_answer_chars)
        return result

    def _earnings(self, data: Any, window: PoolWindow, since: date) -> list[Earning]:
        rows = as_list(field(field(data, "btc", "rewards"), "daily_rewards", "rewards.btc"), "rewards.daily_rewards")

        def day_of(row: Any) -> date:
            return best_day(lambda: utc_day(unix_seconds(row["date"], "date")), since)

        return read_rows(window, rows, "braiins rewards", "earning", self._earning, day_of)

    def _earning(self, row: Any, where: str) -> Earning:
        row = obj(row, where)
        day = utc_day(unix_seconds(field(row, "date", where), f"{where}.date"))
        amount = btc(field(row, "total_reward", where), f"{where}.total_reward")
        return Earning(pool=self.name, external_id=f"reward:{day.isoformat()}", day=day, amount=amount)

    def _payouts(self, data: Any, window: PoolWindow, since: date) -> list[Payout]:
        result: list[Payout] = []

        def day_of(row: Any) -> date:
            return best_day(lambda: utc_day(unix_seconds(row["requested_at_ts"], "requested_at_ts")), since)

        for rail in ("onchain", "lightning"):
            rows = as_list(data.get(rail, []) if isinstance(data, dict) else None, rail)
            result += read_rows(
                window,
                rows,
                f"braiins payouts.{rail}",
                "payout",
                lambda row, where, rail=rail: self._payout(row, rail, where),
                day_of,
            )
        return result

    def _payout(self, row: Any, rail: str, where: str) -> Payout:
        row = obj(row, where)
        requested = unix_seconds(field(row, "requested_at_ts", where), f"{where}.requested_at_ts")
        resolved_raw = field(row, "resolved_at_ts", where)
        amount = sats(field(row, "amount_sats", where), f"{where}.amount_sats")
        fee = sats(field(row, "fee_sats", where), f"{where}.fee_sats")
        if fee.units > amount.units:
            raise Malformed(f"{where}.fee_sats: {fee.units} sats is more than the payout's {amount.units} sats")
        status = text(field(row, "status", where), f"{where}.status")
        if status not in ("queued", "confirmed"):
            raise Malformed(f"{where}.status: {status!r} is not queued or confirmed")
        raw_tx = row.get("tx_id") if rail == "onchain" else None
        return Payout(
            pool=self.name,
            # Braiins gives no payout id: the request time and amount do not change from
            # queued to confirmed, so together they name the payout.
            external_id=f"{rail}:{int(requested.timestamp())}:{amount.units}",
            amount=amount,
            fee=fee,
            destination=fields.address(field(row, "destination", where), f"{where}.destination", rail=rail),
            tx_id=fields.tx_id(raw_tx, f"{where}.tx_id") if raw_tx is not None else None,
            status=status,
            rail=rail,
            requested_at=requested,
            resolved_at=unix_seconds(resolved_raw, f"{where}.resolved_at_ts") if resolved_raw is not None else None,
        )

    async def hashrate(self, today: date) -> list[Hashrate]:
        """From the profile: yesterday's average (`hash_rate_yesterday`) as that day's figure
        and the last 24 hours (`hash_rate_24h`) as today's, in `hash_rate_unit`."""
        data = await self._get(PROFILE)
        btc_part = field(data, "btc", "braiins profile")
        where = "braiins profile.btc"
        unit = field(btc_part, "hash_rate_unit", where)
        figures = []
        for key, day, basis in (
            ("hash_rate_yesterday", today - timedelta(days=1), "day"),
            ("hash_rate_24h", today, "snapshot"),
        ):
            if btc_part.get(key) is None:
                continue
            hs = hashrate(btc_part[key], unit, f"{where}.{key}")
            figures.append(Hashrate(self.name, day, hs, basis, f"braiins profile {key} ({unit})"))
        return figures
