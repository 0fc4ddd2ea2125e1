"""F2Pool v2: POST with a JSON body naming the mining user (or the payout address), BTC as
JSON doubles (parsed to Decimal from the literal text), and errors as `{"code", "msg"}`,
sometimes with HTTP 200."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from desk.feeds.errors import AuthError, FeedError, Malformed
from desk.feeds.parsing import as_list, btc, decimal, field, text, unix_seconds, utc_day
from desk.feeds.pools.base import PoolClient
from desk.feeds.records import Earning, Payout


class F2PoolClient(PoolClient):
    kind = "f2pool"

    def _identity(self) -> dict[str, str]:
        if self.settings.user:
            return {"currency": "bitcoin", "mining_user_name": self.settings.user}
        return {"currency": "bitcoin", "address": self.settings.address or ""}

    async def _post(self, path: str, extra: dict[str, Any]) -> Any:
        response, data = await self.call(
            "POST", path, headers={"F2P-API-SECRET": self.token()}, body={**self._identity(), **extra}
        )
        if isinstance(data, dict) and "code" in data and data.get("code") not in (0, None):
            message = str(data.get("msg", ""))[:120]
            error = AuthError if "permission" in message or "auth" in message.lower() else FeedError
            raise error(f"{self.name} {path}: F2Pool error {data['code']}: {message}")
        if response.status != 200:
            raise Malformed(f"{self.name} {path}: HTTP {response.status}")
        return data

    async def _transactions(self, since: date, until: date) -> list[Any]:
        start = datetime.combine(since, time(0), tzinfo=UTC)
        end = datetime.combine(until, time(0), tzinfo=UTC) + timedelta(days=1)
        data = await self._post(
            "/v2/assets/transactions/list",
            {"type": "all", "start_time": int(start.timestamp()), "end_time": int(end.timestamp())},
        )
        return as_list(field(data, "transactions", "f2pool"), "f2pool transactions")

    async def earnings(self, since: date, until: date) -> list[Earning]:
        data = await self._transactions(since, until)
        return await self.off_loop(lambda: self._parse_earnings(data), self.last_answer_chars)

    def _parse_earnings(self, data: Any) -> list[Earning]:
        result = []
        for i, row in enumerate(data):
            where = f"f2pool transactions[{i}]"
            kind = text(field(row, "type", where), f"{where}.type") or ""
            if not kind.startswith("revenue"):
                continue
            extra = field(row, "mining_extra", where)
            day = utc_day(unix_seconds(field(extra, "mining_date", f"{where}.mining_extra"), f"{where}.mining_date"))
            result.append(
                Earning(
                    pool=self.name,
                    external_id=f"tx:{field(row, 'id', where)}",
                    day=day,
                    amount=btc(field(row, "changed_balance", where), f"{where}.changed_balance"),
                    hashrate_hs=decimal(extra.get("hash_rate"), f"{where}.mining_extra.hash_rate", optional=True),
                    at=unix_seconds(field(row, "created_at", where), f"{where}.created_at"),
                )
            )
        return result

    async def payouts(self, since: date, until: date) -> list[Payout]:
        data = await self._transactions(since, until)
        return await self.off_loop(lambda: self._parse_payouts(data), self.last_answer_chars)

    def _parse_payouts(self, data: Any) -> list[Payout]:
        result = []
        for i, row in enumerate(data):
            where = f"f2pool transactions[{i}]"
            if field(row, "type", where) != "payout":
                continue
            extra = field(row, "payout_extra", where)
            gross = btc(field(row, "changed_balance", where), f"{where}.changed_balance", allow_negative=True)
            if gross.value >= 0:
                raise Malformed(f"{where}.changed_balance: a payout must reduce the balance")
            tx_id = text(
                extra.get("tx_id") if isinstance(extra, dict) else None, f"{where}.payout_extra.tx_id", optional=True
            )
            paid = extra.get("paid_time") if isinstance(extra, dict) else None
            result.append(
                Payout(
                    pool=self.name,
                    external_id=f"tx:{field(row, 'id', where)}",
                    amount=-gross,
                    fee=btc(field(extra, "tip", f"{where}.payout_extra"), f"{where}.payout_extra.tip"),
                    destination=text(field(extra, "address", f"{where}.payout_extra"), f"{where}.address") or "",
                    tx_id=tx_id,
                    status="confirmed" if tx_id else "queued",
                    rail="onchain",
                    requested_at=unix_seconds(field(row, "created_at", where), f"{where}.created_at"),
                    resolved_at=unix_seconds(paid, f"{where}.paid_time") if paid else None,
                )
            )
        return result
