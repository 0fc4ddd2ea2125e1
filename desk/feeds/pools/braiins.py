"""Braiins Pool: BTC strings for rewards, integer sats for payouts, unix seconds, a 403
text/plain for a bad token, and no more than one request per five seconds."""

from __future__ import annotations

from datetime import date
from typing import Any

from desk.feeds.errors import Malformed
from desk.feeds.parsing import as_list, btc, field, sats, text, unix_seconds, utc_day
from desk.feeds.pools.base import PoolClient
from desk.feeds.records import Earning, Payout
from desk.money import Amount


class BraiinsClient(PoolClient):
    kind = "braiins"
    min_interval_s = 5.0  # float-ok: seconds

    def _headers(self) -> dict[str, str]:
        return {"Pool-Auth-Token": self.token()}

    async def _get(self, path: str, since: date, until: date) -> Any:
        params = {"from": since.isoformat(), "to": until.isoformat()}
        response, data = await self.call("GET", path, headers=self._headers(), params=params)
        if response.status != 200:
            raise Malformed(f"{self.name} {path}: HTTP {response.status}")
        return data

    async def earnings(self, since: date, until: date) -> list[Earning]:
        data = await self._get("/accounts/rewards/json/btc", since, until)
        return await self.off_loop(lambda: self._parse_earnings(data), self.last_answer_chars)

    def _parse_earnings(self, data: Any) -> list[Earning]:
        rows = as_list(field(field(data, "btc", "rewards"), "daily_rewards", "rewards.btc"), "rewards.daily_rewards")
        result = []
        for i, row in enumerate(rows):
            where = f"braiins rewards[{i}]"
            day = utc_day(unix_seconds(field(row, "date", where), f"{where}.date"))
            amount = btc(field(row, "total_reward", where), f"{where}.total_reward")
            result.append(Earning(pool=self.name, external_id=f"reward:{day.isoformat()}", day=day, amount=amount))
        return result

    async def payouts(self, since: date, until: date) -> list[Payout]:
        data = await self._get("/accounts/payouts/json/btc", since, until)
        return await self.off_loop(lambda: self._parse_payouts(data), self.last_answer_chars)

    def _parse_payouts(self, data: Any) -> list[Payout]:
        result = []
        for rail in ("onchain", "lightning"):
            for i, row in enumerate(as_list(data.get(rail, []) if isinstance(data, dict) else None, rail)):
                result.append(self._payout(row, rail, f"braiins payouts.{rail}[{i}]"))
        return result

    def _payout(self, row: Any, rail: str, where: str) -> Payout:
        requested = unix_seconds(field(row, "requested_at_ts", where), f"{where}.requested_at_ts")
        resolved_raw = field(row, "resolved_at_ts", where)
        amount = sats(field(row, "amount_sats", where), f"{where}.amount_sats")
        fee = sats(field(row, "fee_sats", where), f"{where}.fee_sats")
        status = text(field(row, "status", where), f"{where}.status")
        if status not in ("queued", "confirmed"):
            raise Malformed(f"{where}.status: {status!r} is not queued or confirmed")
        tx_id = text(row.get("tx_id"), f"{where}.tx_id", optional=True) if rail == "onchain" else None
        return Payout(
            pool=self.name,
            # Braiins gives no payout id: the request time and amount do not change from
            # queued to confirmed, so together they name the payout.
            external_id=f"{rail}:{int(requested.timestamp())}:{amount.units}",
            amount=amount,
            fee=fee if fee else Amount.zero(amount.asset),
            destination=text(field(row, "destination", where), f"{where}.destination") or "",
            tx_id=tx_id,
            status=status,
            rail=rail,
            requested_at=requested,
            resolved_at=unix_seconds(resolved_raw, f"{where}.resolved_at_ts") if resolved_raw is not None else None,
        )
