"""Esplora (mempool.space, Blockstream, or a self-hosted one): BTC balances and receipts of
our addresses, and the recent blocks hashprice needs.

Amounts are integer satoshis. An address's confirmed balance is `chain_stats.funded_txo_sum
- spent_txo_sum`; the mempool's is reported apart, never mixed in. `/address/{a}/txs` gives
the mempool's transactions and the newest 25 confirmed ones; older pages come from
`/txs/chain/{last txid}`. A tx pays an address when one of its `vout` names it in
`scriptpubkey_address`.

Fees per block: mempool.space's `/v1/blocks` carries them (`extras.totalFees`, 15 blocks a
request); a plain Esplora has no `/v1` (404), and then each block's coinbase is read once
(`/block/{hash}/txs/0`: outputs minus subsidy) and remembered.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from desk.config import DeskSettings
from desk.feeds.chains.base import ChainClient, ChainError
from desk.feeds.chains.esplora_txs import esplora_movement
from desk.feeds.chains.movements import PendingMemory, Seen, read_movements, read_row
from desk.feeds.chains.records import ChainBalance, ChainMovement, ChainReceipt
from desk.feeds.chains.subsidy import subsidy_sats
from desk.feeds.errors import Malformed
from desk.feeds.fields import tx_id
from desk.feeds.http import HttpClient
from desk.feeds.parsing import as_list, decimal, field, sats, text, unix_seconds
from desk.feeds.records import Refusal
from desk.money import BTC, Amount

CHAIN = "bitcoin"
#: Confirmed transactions per page of /address/{a}/txs and /txs/chain/{txid}.
CHAIN_PAGE = 25
#: Blocks averaged for fees per block: a day of blocks.
FEE_WINDOW = 144
#: How many blocks' fees are remembered (a block's fees never change once it is buried).
FEE_CACHE = 2_000


@dataclass(frozen=True, slots=True)
class AddressState:
    """An address as Esplora reports it: confirmed balance at a tip, and the mempool's net."""

    confirmed: ChainBalance
    mempool: Amount


@dataclass(frozen=True, slots=True)
class Block:
    height: int
    hash: str
    time: datetime
    difficulty: Decimal
    fees_sats: int | None = None  # when the API says (mempool.space's extras.totalFees)


@dataclass(frozen=True, slots=True)
class NetworkStats:
    """Difficulty at the tip and fees over the last `fee_blocks` blocks, with their times, so
    a figure can show its age."""

    tip_height: int
    tip_time: datetime
    difficulty: Decimal
    fee_blocks: int
    fees_sats_total: int
    oldest_time: datetime

    @property
    def avg_fees_sats(self) -> Fraction:
        """Average fees per block in satoshis, exact (a ninth of a satoshi stays a ninth)."""
        return Fraction(self.fees_sats_total, self.fee_blocks)


class EsploraClient(ChainClient):
    def __init__(self, base_url: str, http: HttpClient, name: str = "esplora") -> None:
        super().__init__(name, base_url, http)
        self._fees: dict[str, int] = {}
        #: whether the API has mempool.space's /v1/blocks (None: not asked yet)
        self._extras: bool | None = None
        self._pending = PendingMemory()
        #: the rows the last `movements` call refused alone (the others were kept)
        self.refused: list[Refusal] = []

    async def _get(self, path: str) -> tuple[str, Any]:
        """GET `path`; the raw text and, when it is JSON, the parsed answer."""
        response = await self.http.request("GET", self.url + path)
        where = f"{self.name} {path}"
        if response.status != 200:
            detail = f"{where}: HTTP {response.status} {response.text.strip()[:120]}".strip()
            raise ChainError(detail, response.status)
        body = response.text.strip()
        if body[:1] in ("{", "["):
            return body, await self.json_of(response, where)
        return body, None

    # ------------------------------------------------------------------ blocks

    async def tip_height(self) -> int:
        body, _ = await self._get("/blocks/tip/height")
        if not body.isdigit():
            raise Malformed(f"{self.name} /blocks/tip/height: {body[:40]!r} is not a block height")
        return int(body)

    async def blocks(self, start_height: int | None = None) -> list[Block]:
        """The latest blocks, newest first, from `start_height` (default: the tip) down: 15
        with their fees from mempool.space's /v1/blocks, else 10 from Esplora's /blocks."""
        suffix = "" if start_height is None else f"/{start_height}"
        if self._extras is not False:
            try:
                page = await self._blocks_page(f"/v1/blocks{suffix}")
            except ChainError as exc:
                if self._extras is not None or exc.status != 404:
                    raise
                self._extras = False
            else:
                self._extras = True
                return page
        return await self._blocks_page(f"/blocks{suffix}")

    async def _blocks_page(self, path: str) -> list[Block]:
        _, data = await self._get(path)
        return [self._block(row, f"{self.name} {path}[{i}]") for i, row in enumerate(as_list(data, path))]

    async def tip(self) -> Block:
        latest = await self.blocks()
        if not latest:
            raise Malformed(f"{self.name} /blocks: no blocks")
        return latest[0]

    def _block(self, row: Any, where: str) -> Block:
        height = field(row, "height", where)
        if not isinstance(height, int) or height < 0:
            raise Malformed(f"{where}.height: {height!r} is not a block height")
        difficulty = decimal(field(row, "difficulty", where), f"{where}.difficulty")
        if difficulty is None or difficulty <= 0:
            raise Malformed(f"{where}.difficulty: {difficulty} is not a positive difficulty")
        extras = row.get("extras") if isinstance(row, dict) else None
        fees = None
        if isinstance(extras, dict) and "totalFees" in extras:
            fees = sats(extras["totalFees"], f"{where}.extras.totalFees").units
        return Block(
            height=height,
            hash=text(field(row, "id", where), f"{where}.id") or "",
            time=unix_seconds(field(row, "timestamp", where), f"{where}.timestamp"),
            difficulty=difficulty,
            fees_sats=fees,
        )

    async def block_fees_sats(self, block: Block) -> int:
        """Fees collected by `block`: its coinbase outputs minus the subsidy of its height
        (zero when a miner claimed less than it could), unless the block came with its fees."""
        if block.fees_sats is not None:
            return block.fees_sats
        if block.hash in self._fees:
            return self._fees[block.hash]
        path = f"/block/{block.hash}/txs/0"
        _, data = await self._get(path)
        txs = as_list(data, f"{self.name} {path}")
        if not txs:
            raise Malformed(f"{self.name} {path}: a block without transactions")
        where = f"{self.name} {path}[0]"
        vin = as_list(field(txs[0], "vin", where), f"{where}.vin")
        if not vin or field(vin[0], "is_coinbase", f"{where}.vin[0]") is not True:
            raise Malformed(f"{where}: the first transaction is not the coinbase")
        claimed = sum(
            sats(field(out, "value", f"{where}.vout[{i}]"), f"{where}.vout[{i}].value").units
            for i, out in enumerate(as_list(field(txs[0], "vout", where), f"{where}.vout"))
        )
        fees = max(0, claimed - subsidy_sats(block.height))
        if len(self._fees) >= FEE_CACHE:
            self._fees.pop(next(iter(self._fees)))
        self._fees[block.hash] = fees
        return fees

    async def network_stats(self, window: int = FEE_WINDOW) -> NetworkStats:
        """Difficulty at the tip and the fees of the last `window` blocks."""
        if window < 1:
            raise ValueError("the fee window needs at least one block")
        recent: list[Block] = []
        start: int | None = None
        while len(recent) < window:
            page = await self.blocks(start)
            if not page:
                break
            recent.extend(page)
            start = page[-1].height - 1
            if start < 0:
                break
        recent = recent[:window]
        if not recent:
            raise Malformed(f"{self.name} /blocks: no blocks")
        total = 0
        for block in recent:
            total += await self.block_fees_sats(block)
        tip = recent[0]
        return NetworkStats(tip.height, tip.time, tip.difficulty, len(recent), total, recent[-1].time)

    # ------------------------------------------------------------------ addresses

    async def address_state(self, address: str) -> AddressState:
        """Confirmed balance as of the tip read just before, and the mempool's net change."""
        height = await self.tip_height()
        path = f"/address/{address}"
        _, data = await self._get(path)
        where = f"{self.name} {path}"
        confirmed = self._net(field(data, "chain_stats", where), f"{where}.chain_stats")
        mempool = self._net(field(data, "mempool_stats", where), f"{where}.mempool_stats")
        if confirmed < 0:
            raise Malformed(f"{where}.chain_stats: spent more than funded")
        balance = ChainBalance(CHAIN, address, Amount.from_units(BTC, confirmed), height, self.http.clock.now())
        return AddressState(balance, Amount.from_units(BTC, mempool))

    def _net(self, stats: Any, where: str) -> int:
        funded = sats(field(stats, "funded_txo_sum", where), f"{where}.funded_txo_sum").units
        spent = sats(field(stats, "spent_txo_sum", where), f"{where}.spent_txo_sum").units
        return funded - spent

    async def balance(self, address: str) -> ChainBalance:
        """The confirmed balance (the mempool is not money yet)."""
        return (await self.address_state(address)).confirmed

    async def receipts(self, address: str, since: datetime | None = None) -> list[ChainReceipt]:
        """Every output paying `address`: the mempool's first, then confirmed ones newest
        first, paging back until a block older than `since` (all history when None)."""
        tip = await self.tip_height()
        path = f"/address/{address}/txs"
        result: list[ChainReceipt] = []
        seen: set[str] = set()
        while True:
            _, data = await self._get(path)
            page = as_list(data, f"{self.name} {path}")
            confirmed = 0
            last_txid = None
            reached_since = False
            for i, tx in enumerate(page):
                where = f"{self.name} {path}[{i}]"
                txid = text(field(tx, "txid", where), f"{where}.txid") or ""
                if txid in seen:
                    raise Malformed(f"{where}: tx {txid} seen twice while paging")
                seen.add(txid)
                receipts = self._receipts_of(tx, address, tip, where)
                status = field(tx, "status", where)
                if field(status, "confirmed", f"{where}.status") is True:
                    confirmed += 1
                    last_txid = txid
                    block_time = receipts[0].block_time if receipts else self._status_time(status, where)
                    if since is not None and block_time is not None and block_time < since:
                        reached_since = True
                        continue
                result.extend(receipts)
            if reached_since or confirmed < CHAIN_PAGE or last_txid is None:
                return result
            path = f"/address/{address}/txs/chain/{last_txid}"

    def _status_time(self, status: Any, where: str) -> datetime | None:
        raw = status.get("block_time") if isinstance(status, dict) else None
        return unix_seconds(raw, f"{where}.status.block_time") if raw is not None else None

    def _receipts_of(self, tx: Any, address: str, tip: int, where: str) -> list[ChainReceipt]:
        txid = text(field(tx, "txid", where), f"{where}.txid") or ""
        status = field(tx, "status", where)
        height: int | None = None
        block_time: datetime | None = None
        if field(status, "confirmed", f"{where}.status") is True:
            height = field(status, "block_height", f"{where}.status")
            if not isinstance(height, int) or height < 0:
                raise Malformed(f"{where}.status.block_height: {height!r} is not a block height")
            block_time = unix_seconds(field(status, "block_time", f"{where}.status"), f"{where}.status.block_time")
        confirmations = max(0, tip - height + 1) if height is not None else 0
        result = []
        for i, out in enumerate(as_list(field(tx, "vout", where), f"{where}.vout")):
            if isinstance(out, dict) and out.get("scriptpubkey_address") == address:
                amount = sats(field(out, "value", f"{where}.vout[{i}]"), f"{where}.vout[{i}].value")
                result.append(ChainReceipt(CHAIN, txid, address, amount, height, block_time, confirmations))
        return result

    # ------------------------------------------------------------------ movements

    async def movements(self, address: str, tracked: Collection[str] = ()) -> list[ChainMovement]:
        """Every tx of `address` the node lists (its mempool ones, then the newest page of
        confirmed ones) as a movement in or out, confirmations counted from the tip read just
        before, and each `tracked` txid (a transfer in flight) the page no longer shows,
        read by itself; then, once each, the mempool txs this client reported before that the
        node no longer knows, as "replaced" (a listed tx spends the same outpoint) or
        "dropped". A garbled row is refused alone: see `self.refused`."""
        tip = await self.tip_height()
        path = f"/address/{address}/txs"
        _, data = await self._get(path)
        where = f"{self.name} {path}"
        self.refused = []
        listed = read_movements(
            as_list(data, where),
            where,
            lambda tx, here: esplora_movement(tx, address, tip, here),
            self.refused,
            self.http.clock.now().date(),
        )
        later: list[Seen] = []
        listed_ids = {seen.movement.txid for seen in listed}
        for txid in sorted({tx_id(t, f"{where}: tracked txid") for t in tracked} - listed_ids):
            found = await self._tx(txid, address, tip)
            if found is not None:
                later.append(found)
        gone = []
        for seen in self._pending.missing(address, listed + later):
            found = await self._tx(seen.movement.txid, address, tip)
            if found is not None:
                later.append(found)  # mined, and paged out of the newest confirmed ones
            else:
                gone.append(self._pending.gone(seen, listed))
        self._pending.note(listed + later)
        return [seen.movement for seen in listed + later] + gone

    async def _tx(self, txid: str, address: str, tip: int) -> Seen | None:
        """`GET /tx/{txid}` as a movement of `address`; None when the node does not know it
        (Esplora's 404 "Transaction not found": dropped from the mempool or replaced)."""
        path = f"/tx/{txid}"
        try:
            _, data = await self._get(path)
        except ChainError as exc:
            if exc.status == 404:
                return None
            raise
        today = self.http.clock.now().date()
        reader = lambda tx, here: esplora_movement(tx, address, tip, here)  # noqa: E731
        return read_row(data, f"{self.name} {path}", reader, self.refused, today)


def esplora_client(settings: DeskSettings, http: HttpClient) -> EsploraClient:
    """The Esplora client of a DeskSettings (`settings.chains.esplora`)."""
    return EsploraClient(settings.chains.esplora.url, http)
