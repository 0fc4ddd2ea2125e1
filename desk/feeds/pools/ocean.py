"""OCEAN: no token (the user is the payout address), every number a string (sats sometimes a
bare number), ISO times without a zone, `{"error": ...}` whatever the HTTP status, the fee
spelled two ways, and no Lightning payouts in the API."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from desk.feeds.errors import AuthError, FeedError
from desk.feeds.parsing import as_list, field, iso_time, sats, text, utc_day
from desk.feeds.pools.base import PoolClient
from desk.feeds.records import Earning, Payout
from desk.money import Amount


class OceanClient(PoolClient):
    kind = "ocean"

    async def _earnpay(self, since: date, until: date) -> Any:
        path = f"/v1/earnpay/{self.settings.user}/{since.isoformat()}/{(until + timedelta(days=1)).isoformat()}"
        _, data = await self.call("GET", path)
        if isinstance(data, dict) and "error" in data:
            message = str(data["error"])[:120]
            raise (AuthError if "user" in message.lower() else FeedError)(f"{self.name}: OCEAN says: {message}")
        return field(data, "result", "ocean earnpay")

    async def earnings(self, since: date, until: date) -> list[Earning]:
        data = await self._earnpay(since, until)
        return await self.off_loop(lambda: self._parse_earnings(data), self.last_answer_chars)

    def _parse_earnings(self, data: Any) -> list[Earning]:
        result = []
        for i, row in enumerate(as_list(field(data, "earnings", "ocean"), "earnings")):
            where = f"ocean earnings[{i}]"
            at = iso_time(field(row, "ts", where), f"{where}.ts")
            fee_raw = row.get("fees_collected_satoshis", row.get("fees_colected_satoshis"))
            result.append(
                Earning(
                    pool=self.name,
                    external_id=f"block:{text(field(row, 'block_hash', where), f'{where}.block_hash')}",
                    day=utc_day(at),
                    at=at,
                    amount=sats(field(row, "satoshis_net_earned", where), f"{where}.satoshis_net_earned"),
                    fees=sats(fee_raw, f"{where}.fees_collected_satoshis") if fee_raw not in (None, "") else None,
                )
            )
        return result

    async def payouts(self, since: date, until: date) -> list[Payout]:
        data = await self._earnpay(since, until)
        return await self.off_loop(lambda: self._parse_payouts(data), self.last_answer_chars)

    def _parse_payouts(self, data: Any) -> list[Payout]:
        result = []
        for i, row in enumerate(as_list(field(data, "payouts", "ocean"), "payouts")):
            where = f"ocean payouts[{i}]"
            tx_id = text(field(row, "on_chain_txid", where), f"{where}.on_chain_txid")
            amount = sats(field(row, "total_satoshis_net_paid", where), f"{where}.total_satoshis_net_paid")
            at = iso_time(field(row, "ts", where), f"{where}.ts")
            result.append(
                Payout(
                    pool=self.name,
                    external_id=f"tx:{tx_id}",
                    amount=amount,
                    fee=Amount.zero(amount.asset),
                    destination=self.settings.user or "",
                    tx_id=tx_id,
                    status="confirmed",
                    rail="onchain",
                    requested_at=at,
                    resolved_at=at,
                )
            )
        return result
