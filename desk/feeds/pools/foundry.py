"""Foundry USA: `X-API-KEY`, BTC as JSON numbers, ISO date-times, windows in unix ms; each
earnings row carries the day's hashrate (H/s), and `subaccount_hashrate_day` gives the
accepted hashrate per day (H/s), today's included (the pool's OpenAPI spec v6.0.0)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from desk.feeds import fields
from desk.feeds.errors import Malformed
from desk.feeds.parsing import as_list, btc, decimal, field, hashrate, iso_time, obj, text, utc_day
from desk.feeds.pools.base import PoolClient
from desk.feeds.pools.rows import best_day, read_rows
from desk.feeds.records import Earning, Hashrate, Payout, PoolWindow
from desk.money import Amount


class FoundryClient(PoolClient):
    kind = "foundry"

    async def _get(self, resource: str, params: dict[str, str]) -> list[Any]:
        path = f"/{resource}/{self.settings.user}"
        response, data = await self.call("GET", path, headers={"X-API-KEY": self.token()}, params=params)
        if response.status != 200:
            message = data.get("message") if isinstance(data, dict) else None
            raise Malformed(f"{self.name} /{resource}: HTTP {response.status} {message or ''}".strip())
        return as_list(data, f"foundry {resource}")

    async def window(self, since: date, until: date) -> PoolWindow:
        start = datetime.combine(since, time(0), tzinfo=UTC)
        end = datetime.combine(until, time(0), tzinfo=UTC) + timedelta(days=1)
        params = {
            "coin": "BTC",
            "startDateUnixMs": str(int(start.timestamp()) * 1000),
            "endDateUnixMs": str(int(end.timestamp()) * 1000),
        }
        result = PoolWindow()
        earnings = await self._get("earnings", params)
        result.earnings = await self.off_loop(lambda: self._earnings(earnings, result, since), self.last_answer_chars)
        transactions = await self._get("transactions", params)
        result.payouts = await self.off_loop(lambda: self._payouts(transactions, result, since), self.last_answer_chars)
        return result

    def _earnings(self, rows: list[Any], window: PoolWindow, since: date) -> list[Earning]:
        def day_of(row: Any) -> date:
            return best_day(lambda: utc_day(iso_time(row["startTime"], "startTime")), since)

        earnings = read_rows(window, rows, "foundry earnings", "earning", self._earning, day_of)
        source = "foundry earnings hashrate (H/s)"
        window.hashrates += [
            Hashrate(self.name, e.day, e.hashrate_hs, "day", source) for e in earnings if e.hashrate_hs is not None
        ]
        return earnings

    def _earning(self, row: Any, where: str) -> Earning:
        row = obj(row, where)
        day = utc_day(iso_time(field(row, "startTime", where), f"{where}.startTime"))
        fee = row.get("feeAmount")
        rate = decimal(row.get("hashrate"), f"{where}.hashrate", optional=True)
        return Earning(
            pool=self.name,
            external_id=f"earning:{day.isoformat()}",
            day=day,
            amount=btc(field(row, "totalAmount", where), f"{where}.totalAmount"),
            fees=btc(fee, f"{where}.feeAmount") if fee not in (None, "") else None,
            hashrate_hs=hashrate(rate, "H/s", f"{where}.hashrate") if rate is not None else None,
        )

    def _payouts(self, rows: list[Any], window: PoolWindow, since: date) -> list[Payout]:
        def day_of(row: Any) -> date:
            return best_day(lambda: utc_day(iso_time(row["time"], "time")), since)

        return read_rows(window, rows, "foundry transactions", "payout", self._payout, day_of)

    def _payout(self, row: Any, where: str) -> Payout | None:
        row = obj(row, where)
        if field(row, "type", where) != "PAYOUT":
            return None
        requested = iso_time(field(row, "time", where), f"{where}.time")
        raw_tx = text(row.get("txId"), f"{where}.txId", optional=True)
        amount = btc(field(row, "amount", where), f"{where}.amount")
        broadcast = row.get("broadcastTime")
        destination = text(row.get("address"), f"{where}.address", optional=True) or ""
        return Payout(
            pool=self.name,
            external_id=f"payout:{requested.isoformat()}",
            amount=amount,
            fee=Amount.zero(amount.asset),
            destination=fields.address(destination, f"{where}.address") if destination else "",
            tx_id=fields.tx_id(raw_tx, f"{where}.txId") if raw_tx else None,
            status="confirmed" if raw_tx else "queued",
            rail="onchain",
            requested_at=requested,
            resolved_at=iso_time(broadcast, f"{where}.broadcastTime") if broadcast else None,
        )

    async def hashrate(self, today: date) -> list[Hashrate]:
        """`subaccount_hashrate_day` for yesterday and today: the accepted hashrate per day in
        H/s; a past day's is that day's figure, today's a snapshot of the day so far."""
        params = {"coin": "BTC", "start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat()}
        rows = await self._get("subaccount_hashrate_day", params)
        figures = []
        source = "foundry subaccount_hashrate_day hashrateAccepted (H/s)"
        for i, row in enumerate(rows):
            where = f"foundry subaccount_hashrate_day[{i}]"
            row = obj(row, where)
            day = utc_day(iso_time(field(row, "time", where), f"{where}.time"))
            hs = hashrate(field(row, "hashrateAccepted", where), "H/s", f"{where}.hashrateAccepted")
            basis = "snapshot" if day >= today else "day"
            figures.append(Hashrate(self.name, day, hs, basis, source))
        return figures
