"""Foundry USA: `X-API-KEY`, BTC as JSON numbers, ISO date-times, windows in unix ms."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from desk.feeds.errors import Malformed
from desk.feeds.parsing import as_list, btc, decimal, field, iso_time, text, utc_day
from desk.feeds.pools.base import PoolClient
from desk.feeds.records import Earning, Payout
from desk.money import Amount


class FoundryClient(PoolClient):
    kind = "foundry"

    async def _get(self, resource: str, since: date, until: date) -> list[Any]:
        start = datetime.combine(since, time(0), tzinfo=UTC)
        end = datetime.combine(until, time(0), tzinfo=UTC) + timedelta(days=1)
        params = {
            "coin": "BTC",
            "startDateUnixMs": str(int(start.timestamp()) * 1000),
            "endDateUnixMs": str(int(end.timestamp()) * 1000),
        }
        path = f"/{resource}/{self.settings.user}"
        response, data = await self.call("GET", path, headers={"X-API-KEY": self.token()}, params=params)
        if response.status != 200:
            message = data.get("message") if isinstance(data, dict) else None
            raise Malformed(f"{self.name} /{resource}: HTTP {response.status} {message or ''}".strip())
        return as_list(data, f"foundry {resource}")

    async def earnings(self, since: date, until: date) -> list[Earning]:
        data = await self._get("earnings", since, until)
        return await self.off_loop(lambda: self._parse_earnings(data), self.last_answer_chars)

    def _parse_earnings(self, data: Any) -> list[Earning]:
        result = []
        for i, row in enumerate(data):
            where = f"foundry earnings[{i}]"
            day = utc_day(iso_time(field(row, "startTime", where), f"{where}.startTime"))
            fee = row.get("feeAmount")
            result.append(
                Earning(
                    pool=self.name,
                    external_id=f"earning:{day.isoformat()}",
                    day=day,
                    amount=btc(field(row, "totalAmount", where), f"{where}.totalAmount"),
                    fees=btc(fee, f"{where}.feeAmount") if fee not in (None, "") else None,
                    hashrate_hs=decimal(row.get("hashrate"), f"{where}.hashrate", optional=True),
                )
            )
        return result

    async def payouts(self, since: date, until: date) -> list[Payout]:
        data = await self._get("transactions", since, until)
        return await self.off_loop(lambda: self._parse_payouts(data), self.last_answer_chars)

    def _parse_payouts(self, data: Any) -> list[Payout]:
        result = []
        for i, row in enumerate(data):
            where = f"foundry transactions[{i}]"
            if field(row, "type", where) != "PAYOUT":
                continue
            requested = iso_time(field(row, "time", where), f"{where}.time")
            tx_id = text(row.get("txId"), f"{where}.txId", optional=True)
            amount = btc(field(row, "amount", where), f"{where}.amount")
            broadcast = row.get("broadcastTime")
            result.append(
                Payout(
                    pool=self.name,
                    external_id=f"payout:{requested.isoformat()}",
                    amount=amount,
                    fee=Amount.zero(amount.asset),
                    destination=text(row.get("address"), f"{where}.address", optional=True) or "",
                    tx_id=tx_id,
                    status="confirmed" if tx_id else "queued",
                    rail="onchain",
                    requested_at=requested,
                    resolved_at=iso_time(broadcast, f"{where}.broadcastTime") if broadcast else None,
                )
            )
        return result
