"""The chain watch: one poll reads the movements of every configured address, moves each
transfer in flight along its life (matching.py) and turns every movement nobody recorded
into a reconciliation break.

A movement is recorded when a transfer claims it, or an entry carries its txid (a pool
payout, a settlement), or a transfer was broadcast as it. What the chain held before the
watch first read an address is history, not news: the first read marks the height it began
at (a chained action), and mined movements at or below it are left alone.

A deposit into a wallet the pools pay into waits three pool polls before it counts as
unrecorded: the chain may show a payout before the pool's feed reports it.

A chain that cannot be read degrades alone: its addresses' transfers wait (none expires
while the watch is blind to it) and the reason is in the poll's `errors`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from desk.config import CHAIN_ASSETS, AddressSettings, DeskSettings
from desk.feeds.chains.records import ChainMovement
from desk.feeds.custody import CustodianClient
from desk.feeds.errors import FeedError
from desk.money import Amount
from desk.reconcile import Break, BreakKind
from desk.register import EntryRejected, Register
from desk.register.transfers import IN_FLIGHT, Change, Transfer
from desk.transfers.custody import Handed, hand_over
from desk.transfers.matching import Ends, judge

log = logging.getLogger(__name__)


class MovementSource(Protocol):
    """Reads an address's movements (desk.proof.chains.ChainReader is one)."""

    async def movements(self, entry: AddressSettings, tracked: Collection[str] = ()) -> list[ChainMovement]: ...


@dataclass(frozen=True, slots=True)
class Unrecorded:
    """A movement at a watched address that no transfer, entry or payout accounts for."""

    account: str
    movement: ChainMovement

    @property
    def outflow(self) -> bool:
        return self.movement.direction == "out"

    @property
    def message(self) -> str:
        m = self.movement
        if self.outflow:
            return f"unrecorded outflow from {self.account}: {m.amount} in tx {m.txid}"
        return f"unrecorded deposit to {self.account}: {m.amount} in tx {m.txid}"

    def as_break(self, day: datetime) -> Break:
        m = self.movement
        zero = Amount.zero(m.amount.asset)
        kind = BreakKind.UNRECORDED_OUTFLOW if self.outflow else BreakKind.UNRECORDED_DEPOSIT
        return Break(
            scope=self.account,
            day=(m.block_time or day).date(),
            kind=kind,
            # expected minus found: an outflow is money missing, a deposit money that turned up
            difference=m.amount if self.outflow else -m.amount,
            expected=zero,
            found=m.amount,
            key=m.txid,
            why=self.message + f" at {m.address} ({m.status}, {m.confirmations} confirmations)",
            txid=m.txid,
        )


@dataclass(slots=True)
class Poll:
    """What one poll of the watch found and did."""

    at: datetime
    #: (transfer before, the change recorded) in the order they were recorded
    changes: list[tuple[Transfer, Change]] = field(default_factory=list)
    unrecorded: list[Unrecorded] = field(default_factory=list)
    #: address -> why it could not be read
    errors: dict[str, str] = field(default_factory=dict)
    #: the transfers still in flight after the poll
    in_flight: list[Transfer] = field(default_factory=list)

    @property
    def breaks(self) -> list[Break]:
        return [u.as_break(self.at) for u in self.unrecorded]


class TransferWatch:
    """Reads every configured address once per `poll()`; keep one per process (its source
    remembers which mempool txs it reported, to tell a replacement when it sees one)."""

    def __init__(
        self,
        settings: DeskSettings,
        register: Register,
        source: MovementSource,
        clock: Callable[[], datetime],
        custodian: CustodianClient | None = None,
    ) -> None:
        self.settings = settings
        self.register = register
        self.source = source
        self.clock = clock
        #: submits approved transfers for signing and broadcast (`[custody] url`), if any
        self.custodian = custodian

    async def poll(self, *, record: bool = True) -> Poll:
        """One read of every watched address. With `record=False` (a reconciliation that
        only reads) nothing is written or submitted: transfers are matched but not moved on,
        and an address the watch never began on counts its mined history as history."""
        at = self.clock()
        report = Poll(at)
        flying = await self.register.transfers(IN_FLIGHT)
        handed = Handed()
        if record and self.custodian is not None and flying:
            handed = await hand_over(self.settings, self.register, self.custodian, flying)
            report.changes += handed.changes
            report.errors.update(handed.errors)
            if handed.changes:
                flying = await self.register.transfers(IN_FLIGHT)
        tracked = {
            chain: sorted({t.txid for t in flying if t.txid and t.chain == chain} | handed.txids(chain))
            for chain in CHAIN_ASSETS
        }
        entries = list(self.settings.addresses)
        read = await asyncio.gather(*(self._read(e, tracked[e.chain]) for e in entries))
        movements: list[tuple[AddressSettings, ChainMovement]] = []
        blind: set[tuple[str, str]] = set()
        for entry, found, error in read:
            if error is not None:
                report.errors[entry.address] = error
                blind.add((entry.account, entry.chain))
            else:
                movements += [(entry, m) for m in found]
        history = await self._history(read, record=record)
        claimed: set[str] = set()
        expiry = timedelta(hours=self.settings.transfers.expiry_hours)
        for transfer in flying:
            if {(transfer.source, transfer.chain), (transfer.destination, transfer.chain)} & blind:
                continue
            ends = Ends(
                self._addresses(transfer.source, transfer.chain), self._addresses(transfer.destination, transfer.chain)
            )
            relevant = [
                m for e, m in movements if e.chain == transfer.chain and m.address in ends.source | ends.destination
            ]
            required = self.settings.transfers.required(transfer.amount.asset.code)
            match = judge(transfer, ends, relevant, claimed, required=required, now=at, expiry=expiry)
            claimed |= match.txids
            if record and match.change is not None:
                await self._record(report, transfer, match.change)
        unknown = [(e, m) for e, m in movements if m.txid not in claimed and (e.chain, m.txid) not in history]
        known = await self.register.known_txids(m.txid for _, m in unknown)
        seen: set[tuple[str, str]] = set()
        for entry, m in unknown:
            if m.txid in known or m.status not in ("mempool", "confirmed") or (m.address, m.txid) in seen:
                continue
            if self._payout_pending(entry, m, at):
                continue
            seen.add((m.address, m.txid))
            report.unrecorded.append(Unrecorded(entry.account, m))
        report.in_flight = await self.register.transfers(IN_FLIGHT)
        return report

    async def _read(
        self, entry: AddressSettings, tracked: Sequence[str]
    ) -> tuple[AddressSettings, list[ChainMovement], str | None]:
        try:
            found = await self.source.movements(entry, tracked)
        except FeedError as exc:
            return entry, [], f"{entry.chain} unreachable or failing: {exc.reason}"
        if entry.chain == "bsc":  # hex addresses compare without their checksum case
            found = [replace(m, address=m.address.lower(), counterparty=_lower(m.counterparty)) for m in found]
        return entry, found, None

    async def _history(
        self, read: Sequence[tuple[AddressSettings, list[ChainMovement], str | None]], *, record: bool
    ) -> set[tuple[str, str]]:
        """(chain, txid) of the movements that were on chain before the watch began: on the
        first good read of an address, its mined movements; afterwards those at or below
        the height then marked."""
        starts = await self.register.watch_starts()
        history: set[tuple[str, str]] = set()
        for entry, found, error in read:
            if error is not None:
                continue
            key = (entry.chain, entry.address)
            if key not in starts:
                heights = [m.block_height for m in found if m.status == "confirmed" and m.block_height is not None]
                starts[key] = max(heights, default=None)
                if record:
                    await self.register.record_watch_start(entry.chain, entry.address, starts[key])
            start = starts[key]
            if start is None:
                continue
            history |= {(entry.chain, m.txid) for m in found if m.block_height is not None and m.block_height <= start}
        return history

    def _payout_pending(self, entry: AddressSettings, m: ChainMovement, at: datetime) -> bool:
        """A deposit into a wallet the pools pay into may be a payout the pool feed has not
        reported yet: it is a break only once mined and older than three pool polls."""
        wallets = {f"assets:wallet:{pool.pays_into}" for pool in self.settings.pools.values()}
        if m.direction != "in" or entry.account not in wallets:
            return False
        grace = timedelta(seconds=3 * self.settings.sync.pools_interval)
        return m.block_time is None or at - m.block_time < grace

    def _addresses(self, account: str, chain: str) -> frozenset[str]:
        return frozenset(
            a.address.lower() if chain == "bsc" else a.address
            for a in self.settings.addresses
            if a.account == account and a.chain == chain
        )

    async def _record(self, report: Poll, transfer: Transfer, change: Change) -> None:
        try:
            if await self.register.record_transfer(transfer.draft_id, change) is not None:
                report.changes.append((transfer, change))
        except EntryRejected as exc:  # another writer moved it first; the next poll sees where it is
            log.warning("transfer #%s: %s", transfer.draft_id, exc)


def _lower(text: str | None) -> str | None:
    return text.lower() if text else text
