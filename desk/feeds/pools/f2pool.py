"""F2Pool v2: POST with a JSON body naming the mining user (or the payout address), BTC as
JSON doubles (parsed to Decimal from the literal text), and errors as `{"code", "msg"}`,
sometimes with HTTP 200.

One `transactions/list` answer holds both the revenue rows (earnings, each with the day's
hashrate in H/s) and the payout rows, so a window is one request. `hash_rate/info` gives the
current hashrate (H/s) for today."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from desk.feeds import fields
from desk.feeds.errors import AuthError, FeedError, Malformed
from desk.feeds.parsing import as_list, btc, decimal, field, hashrate, ident, obj, text, unix_seconds, utc_day
from desk.feeds.pools.base import PoolClient
from desk.feeds.pools.rows import best_day, read_rows
from desk.feeds.records import Earning, Hashrate, Payout, PoolWindow
from desk.money import Amount


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

    async def window(self, since: date, until: date) -> PoolWindow:
        start = datetime.combine(since, time(0), tzinfo=UTC)
        end = datetime.combine(until, time(0), tzinfo=UTC) + timedelta(days=1)
        data = await self._post(
            "/v2/assets/transactions/list",
            {"type": "all", "start_time": int(start.timestamp()), "end_time": int(end.timestamp())},
        )
        return await self.off_loop(lambda: self._read(data, since), self.last_answer_chars)

    def _read(self, data: Any, since: date) -> PoolWindow:
        rows = as_list(field(data, "transactions", "f2pool"), "f2pool transactions")
        window = PoolWindow()

        def day_of(row: Any) -> date:
            return best_day(lambda: utc_day(unix_seconds(row["created_at"], "created_at")), since)

        for record in read_rows(window, rows, "f2pool transactions", "transaction", self._row, day_of):
            if isinstance(record, Earning):
                window.earnings.append(record)
                if record.hashrate_hs is not None:
                    source = "f2pool transactions mining_extra.hash_rate (H/s)"
                    window.hashrates.append(Hashrate(self.name, record.day, record.hashrate_hs, "day", source))
            else:
                window.payouts.append(record)
        return window

    def _row(self, row: Any, where: str) -> Earning | Payout | None:
        row = obj(row, where)
        kind = text(field(row, "type", where), f"{where}.type") or ""
        if kind.startswith("revenue"):
            return self._earning(row, where)
        if kind == "payout":
            return self._payout(row, where)
        return None

    def _earning(self, row: Any, where: str) -> Earning:
        extra = obj(field(row, "mining_extra", where), f"{where}.mining_extra")
        day = utc_day(unix_seconds(field(extra, "mining_date", f"{where}.mining_extra"), f"{where}.mining_date"))
        rate = decimal(extra.get("hash_rate"), f"{where}.mining_extra.hash_rate", optional=True)
        return Earning(
            pool=self.name,
            external_id=f"tx:{ident(field(row, 'id', where), f'{where}.id')}",
            day=day,
            amount=btc(field(row, "changed_balance", where), f"{where}.changed_balance"),
            hashrate_hs=hashrate(rate, "H/s", f"{where}.mining_extra.hash_rate") if rate is not None else None,
            at=unix_seconds(field(row, "created_at", where), f"{where}.created_at"),
        )

    def _payout(self, row: Any, where: str) -> Payout:
        extra = obj(field(row, "payout_extra", where), f"{where}.payout_extra")
        gross = btc(field(row, "changed_balance", where), f"{where}.changed_balance", allow_negative=True)
        if gross.value > 0:
            raise Malformed(f"{where}.changed_balance: a payout must reduce the balance")
        amount = Amount.zero(gross.asset) - gross  # a zero payout stays +0, not -0
        fee = btc(field(extra, "tip", f"{where}.payout_extra"), f"{where}.payout_extra.tip")
        if fee > amount:
            raise Malformed(f"{where}.payout_extra.tip: {fee} is more than the payout itself ({amount})")
        raw_tx = text(extra.get("tx_id"), f"{where}.payout_extra.tx_id", optional=True)
        paid = extra.get("paid_time")
        destination = text(field(extra, "address", f"{where}.payout_extra"), f"{where}.payout_extra.address") or ""
        return Payout(
            pool=self.name,
            external_id=f"tx:{ident(field(row, 'id', where), f'{where}.id')}",
            amount=amount,
            fee=fee,
            destination=fields.address(destination, f"{where}.payout_extra.address"),
            tx_id=fields.tx_id(raw_tx, f"{where}.payout_extra.tx_id") if raw_tx else None,
            status="confirmed" if raw_tx else "queued",
            rail="onchain",
            requested_at=unix_seconds(field(row, "created_at", where), f"{where}.created_at"),
            resolved_at=unix_seconds(paid, f"{where}.paid_time") if paid else None,
        )

    async def hashrate(self, today: date) -> list[Hashrate]:
        """`hash_rate/info`: the last 24 hours' hashrate (`h24_hash_rate`, H/s) for today."""
        data = await self._post("/v2/hash_rate/info", {})
        where = "f2pool hash_rate.info"
        info = obj(field(data, "info", "f2pool hash_rate"), where)
        hs = hashrate(field(info, "h24_hash_rate", where), "H/s", f"{where}.h24_hash_rate")
        return [Hashrate(self.name, today, hs, "snapshot", "f2pool hash_rate/info h24_hash_rate (H/s)")]
