"""OCEAN: no token (the user is the payout address), every number a string (sats sometimes a
bare number), ISO times without a zone, `{"error": ...}` whatever the HTTP status, the fee
spelled two ways, and no Lightning payouts in the API.

One `earnpay` answer holds both the earnings (per block, TIDES) and the payouts, so a window
is one request. `statsnap` gives the user's current hashrate (H/s, a string)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from desk.feeds import fields
from desk.feeds.errors import AuthError, FeedError
from desk.feeds.parsing import as_list, field, hashrate, iso_time, obj, sats, unix_seconds, utc_day
from desk.feeds.pools.base import PoolClient
from desk.feeds.pools.rows import best_day, read_rows
from desk.feeds.records import Earning, Hashrate, Payout, PoolWindow
from desk.money import Amount


class OceanClient(PoolClient):
    kind = "ocean"

    async def _result(self, path: str, where: str) -> Any:
        _, data = await self.call("GET", path)
        if isinstance(data, dict) and "error" in data:
            message = str(data["error"])[:120]
            raise (AuthError if "user" in message.lower() else FeedError)(f"{self.name}: OCEAN says: {message}")
        return field(data, "result", where)

    async def window(self, since: date, until: date) -> PoolWindow:
        path = f"/v1/earnpay/{self.settings.user}/{since.isoformat()}/{(until + timedelta(days=1)).isoformat()}"
        data = await self._result(path, "ocean earnpay")
        return await self.off_loop(lambda: self._read(data, since), self.last_answer_chars)

    def _read(self, data: Any, since: date) -> PoolWindow:
        window = PoolWindow()
        earnings = as_list(field(data, "earnings", "ocean"), "earnings")
        payouts = as_list(field(data, "payouts", "ocean"), "payouts")

        def day_of(row: Any) -> date:
            return best_day(lambda: utc_day(iso_time(row["ts"], "ts")), since)

        window.earnings = read_rows(window, earnings, "ocean earnings", "earning", self._earning, day_of)
        window.payouts = read_rows(window, payouts, "ocean payouts", "payout", self._payout, day_of)
        return window

    def _earning(self, row: Any, where: str) -> Earning:
        row = obj(row, where)
        at = iso_time(field(row, "ts", where), f"{where}.ts")
        fee_raw = row.get("fees_collected_satoshis", row.get("fees_colected_satoshis"))
        block = fields.tx_id(field(row, "block_hash", where), f"{where}.block_hash")
        return Earning(
            pool=self.name,
            external_id=f"block:{block}",
            day=utc_day(at),
            at=at,
            amount=sats(field(row, "satoshis_net_earned", where), f"{where}.satoshis_net_earned"),
            fees=sats(fee_raw, f"{where}.fees_collected_satoshis") if fee_raw not in (None, "") else None,
        )

    def _payout(self, row: Any, where: str) -> Payout:
        row = obj(row, where)
        tx_id = fields.tx_id(field(row, "on_chain_txid", where), f"{where}.on_chain_txid")
        amount = sats(field(row, "total_satoshis_net_paid", where), f"{where}.total_satoshis_net_paid")
        at = iso_time(field(row, "ts", where), f"{where}.ts")
        return Payout(
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

    async def hashrate(self, today: date) -> list[Hashrate]:
        """`statsnap`: the last five minutes' hashrate (`hashrate_300s`, H/s) on the day of
        the snapshot. OCEAN gives no daily figure: the day's last snapshot stands for it."""
        data = await self._result(f"/v1/statsnap/{self.settings.user}", "ocean statsnap")
        where = "ocean statsnap.result"
        snap = obj(data, where)
        day = utc_day(unix_seconds(field(snap, "snap_ts", where), f"{where}.snap_ts"))
        hs = hashrate(field(snap, "hashrate_300s", where), "H/s", f"{where}.hashrate_300s")
        return [Hashrate(self.name, day, hs, "snapshot", "ocean statsnap hashrate_300s (H/s)")]
