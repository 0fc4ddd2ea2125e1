"""BNB Smart Chain JSON-RPC (any Ethereum-compatible node): `eth_getBalance` of an address,
and the BNB movements of watched addresses.

The answer is a hex string of wei (10^-18 BNB). 8,000 BNB is 8 x 10^21 wei, beyond 64 bits:
it goes through int(hex, 16) and Decimal, never float. Errors come as
`{"error": {"code", "message"}}` and become the feed's error.

Movements: the JSON-RPC API has no "transactions of an address" call, so the client scans
the blocks itself. Each `movements` call reads the blocks it has not read yet, up to the tip
(`eth_getBlockByNumber(n, true)`, in JSON-RPC batches; at most `MAX_SCAN` per call, so a
client far behind catches up over several polls and misses nothing), and keeps the rows
that name a watched address for the last `KEEP_BLOCKS` blocks. A transfer still pending is
not in any block: the caller names the tx hashes it has in flight (`tracked`) and each one
missing from the window is read with `eth_getTransactionByHash` (pending: blockNumber null;
mined long ago: its block). A mined movement's fee comes from `eth_getTransactionReceipt`
(gasUsed x effectiveGasPrice); a reverted tx moved nothing and is left out. A pending tx
that vanishes is "replaced" when a mined tx has the same sender and nonce (a fee bump or a
cancel), else "dropped". BSC's fast finality makes reorgs rare; a reorged-out block is not
re-read. Balance and movements read the same node, so a movement nobody recorded also shows
as a balance change; the scan names its tx hash and amount.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, datetime
from typing import Any

from desk.config import DeskSettings
from desk.feeds.chains.base import JsonRpcClient, integer_text, units_to_amount
from desk.feeds.chains.bsc_txs import TxLine, eth_address, quantity, receipt_fee, touches, tx_hash, tx_line
from desk.feeds.chains.movements import PendingMemory, Seen, confirmations, read_row
from desk.feeds.chains.records import ChainBalance, ChainMovement
from desk.feeds.errors import Malformed
from desk.feeds.http import HttpClient
from desk.feeds.parsing import as_list, field, unix_seconds
from desk.feeds.records import Refusal
from desk.money import BNB, Asset

CHAIN = "bsc"
WEI_DECIMALS = 18
#: Blocks read back from the tip when an address is first watched (5 minutes of BSC).
FIRST_WINDOW = 100
#: Blocks whose rows naming a watched address are kept (an hour of BSC).
KEEP_BLOCKS = 1_200
#: Blocks read at most per call; calls per JSON-RPC batch.
MAX_SCAN = 400
BATCH = 50
#: Receipts' fees remembered at most (a mined tx's fee never changes).
FEES_KEPT = 10_000


class BscClient(JsonRpcClient):
    def __init__(self, rpc_url: str, http: HttpClient, *, asset: Asset = BNB, name: str = "bsc") -> None:
        super().__init__(name, rpc_url, http)
        self.asset = asset
        #: the next block to read (None: FIRST_WINDOW blocks back from the tip); a caller may
        #: set it to resume where an earlier process stopped
        self.cursor: int | None = None
        self._watched: set[str] = set()
        self._rows: dict[int, dict[str, Any]] = {}  # block -> {hash: raw row naming a watched address}
        self._times: dict[int, datetime] = {}
        self._fees: dict[str, tuple[bool, int]] = {}  # mined tx hash -> (succeeded, fee wei)
        self._pending = PendingMemory()
        #: the rows the last `movements` call refused alone (the others were kept)
        self.refused: list[Refusal] = []

    async def block_number(self) -> int:
        return integer_text(await self.rpc("eth_blockNumber", []), f"{self.name} eth_blockNumber.result", base=16)

    async def balance(self, address: str) -> ChainBalance:
        """The balance at the latest block, with that block's number read just before."""
        height = await self.block_number()
        result = await self.rpc("eth_getBalance", [address, "latest"])
        where = f"{self.name} eth_getBalance({address}).result"
        wei = integer_text(result, where, base=16)
        if wei >= 10**40:
            raise Malformed(f"{where}: {wei} wei is not a plausible balance")
        amount = units_to_amount(wei, WEI_DECIMALS, self.asset, where)
        return ChainBalance(CHAIN, address, amount, height, self.http.clock.now())

    async def movements(self, address: str, tracked: Collection[str] = ()) -> list[ChainMovement]:
        """The BNB movements of `address` in the blocks kept, plus the `tracked` tx hashes
        (transfers in flight) wherever they are, confirmations from the tip read first; then,
        once each, the pending ones this client reported that vanished (see the module)."""
        address = eth_address(address, f"{self.name} movements: the watched address")
        tip = await self.block_number()
        if address not in self._watched:
            self._watched.add(address)
            self.cursor = min(self.cursor if self.cursor is not None else tip + 1, max(0, tip - FIRST_WINDOW + 1))
        self.refused = []
        today = self.http.clock.now().date()
        await self._scan(tip, today)
        rows = [
            (row, f"{self.name} block {n} tx {h}") for n, kept in sorted(self._rows.items()) for h, row in kept.items()
        ]
        listed = await self._read(rows, address, tip, today)
        present = {seen.movement.txid for seen in listed}
        wanted = {tx_hash(t, f"{self.name} movements: tracked tx") for t in tracked} - present
        extra = [(row, f"{self.name} eth_getTransactionByHash({h})") for h, row in await self._lookup(wanted) if row]
        listed += await self._read(extra, address, tip, today)
        vanished = self._pending.missing(address, listed)
        known = dict(await self._lookup({seen.movement.txid for seen in vanished}))
        still = [(row, f"{self.name} eth_getTransactionByHash({h})") for h, row in known.items() if row]
        listed += await self._read(still, address, tip, today)
        gone = [self._pending.gone(seen, listed) for seen in vanished if known.get(seen.movement.txid) is None]
        self._pending.note(listed)
        return [seen.movement for seen in listed] + gone

    async def _scan(self, tip: int, today: date) -> None:
        """Read the blocks from the cursor up to the tip (at most MAX_SCAN), keeping the rows
        that name a watched address (a block whose shape is wrong is refused alone and passed,
        so one bad answer cannot stop the scan); forget blocks older than KEEP_BLOCKS."""
        start = self.cursor if self.cursor is not None else max(0, tip - FIRST_WINDOW + 1)
        numbers = list(range(start, min(tip, start + MAX_SCAN - 1) + 1))
        for first in range(0, len(numbers), BATCH):
            chunk = numbers[first : first + BATCH]
            blocks = await self.rpc_batch("eth_getBlockByNumber", [[hex(n), True] for n in chunk])
            for number, block in zip(chunk, blocks, strict=True):
                if block is None:  # not there yet on this node: read it next time
                    self.cursor = number
                    return
                where = f"{self.name} eth_getBlockByNumber({hex(number)})"
                read_row(block, where, lambda b, w, n=number: self._keep(n, b, w), self.refused, today)
                self.cursor = number + 1
        oldest = tip - KEEP_BLOCKS
        for kept in (self._rows, self._times):
            for number in [n for n in kept if n < oldest]:
                kept.pop(number)
        while len(self._fees) > FEES_KEPT:
            self._fees.pop(next(iter(self._fees)))

    def _keep(self, number: int, block: Any, where: str) -> None:
        """Keep a block's time and its rows naming a watched address."""
        if quantity(field(block, "number", where), f"{where}.number") != number:
            raise Malformed(f"{where}.number: {block['number']!r} is not the block asked for")
        txs = as_list(field(block, "transactions", where), f"{where}.transactions")
        self._times[number] = unix_seconds(quantity(field(block, "timestamp", where), f"{where}.timestamp"), where)
        mine = {}
        for row in txs:
            if any(touches(row, address) for address in self._watched):
                mine[str(row.get("hash"))] = row
        if mine:
            self._rows[number] = mine

    async def _lookup(self, hashes: set[str]) -> list[tuple[str, Any]]:
        """(hash, transaction object or None when the node does not know it) of each hash."""
        ordered = sorted(hashes)
        found = await self.rpc_batch("eth_getTransactionByHash", [[h] for h in ordered])
        return list(zip(ordered, found, strict=True))

    async def _read(self, rows: list[tuple[Any, str]], address: str, tip: int, today: date) -> list[Seen]:
        """The movements of `address` in `rows` (each with its place), refusing a garbled row
        alone; fees of the mined ones from their receipts (read once, then remembered)."""
        read = (read_row(row, where, tx_line, self.refused, today) for row, where in rows)
        lines = [line for line in read if line is not None]
        mined = sorted({line.hash for line in lines if line.block is not None} - set(self._fees))
        receipts = await self.rpc_batch("eth_getTransactionReceipt", [[h] for h in mined])
        for h, receipt in zip(mined, receipts, strict=True):
            if receipt is not None:
                fee = read_row(receipt, f"{self.name} eth_getTransactionReceipt({h})", receipt_fee, self.refused, today)
                if fee is not None:
                    self._fees[h] = fee
        built = (
            read_row(line, f"{self.name} tx {line.hash}", self._movement(address, tip), self.refused, today)
            for line in lines
        )
        return [seen for seen in built if seen is not None]

    def _movement(self, address: str, tip: int) -> Callable[[TxLine, str], Seen | None]:
        return lambda line, where: self._build(line, address, tip, where)

    def _build(self, line: TxLine, address: str, tip: int, where: str) -> Seen | None:
        """The movement `line` makes at `address` (None: not ours, nothing moved, reverted,
        or its receipt not served yet: read again next time)."""
        if address not in (line.sender, line.to) or line.sender == line.to or line.wei == 0:
            return None
        fee_wei: int | None = None
        if line.block is not None:
            if line.hash not in self._fees:
                return None  # mined but its receipt not served yet: read again next time
            succeeded, fee_wei = self._fees[line.hash]
            if not succeeded:
                return None
        outgoing = line.sender == address
        movement = ChainMovement(
            chain=CHAIN,
            txid=line.hash,
            address=address,
            direction="out" if outgoing else "in",
            amount=units_to_amount(line.wei, WEI_DECIMALS, self.asset, f"{where}.value"),
            fee=None if fee_wei is None else units_to_amount(fee_wei, WEI_DECIMALS, self.asset, f"{where} fee"),
            counterparty=line.to if outgoing else line.sender,
            block_height=line.block,
            block_time=self._times.get(line.block) if line.block is not None else None,
            confirmations=confirmations(tip, line.block),
            status="mempool" if line.block is None else "confirmed",
        )
        return Seen(movement, frozenset({f"{line.sender}:{line.nonce}"}))


def bsc_client(settings: DeskSettings, http: HttpClient) -> BscClient:
    """The BSC client of a DeskSettings, at the configured BNB precision."""
    return BscClient(settings.chains.bsc.rpc_url, http, asset=settings.asset("BNB"))
