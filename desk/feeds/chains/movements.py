"""What the three chain clients share when they read the movements of a watched address.

A chain answers "what is there now": a tx that left the mempool without being mined simply
stops being listed. The transfer lifecycle needs to hear that it happened, so each client
remembers the mempool movements it has reported (`PendingMemory`) and, when one is no longer
listed and the node no longer knows it, reports it once more as "replaced" (when a listed tx
spends the same coins: the same outpoint on Bitcoin, the same sender and nonce on BSC) or
"dropped". The memory lives as long as the client; after a restart a vanished tx is not
reported again, and the lifecycle matches the replacement by (address, amount) or lets the
transfer expire (its amount excludes the fee, so a fee bump keeps it).

A row that breaks a rule (a garbled amount, a tx id that is not one) is refused alone with
its place and reason, as a pool's rows are (`Refusal`, kind "movement"); the other rows of
the same answer are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, TypeVar

from desk.feeds.chains.records import ChainMovement
from desk.feeds.errors import Malformed
from desk.feeds.pools.rows import row_key
from desk.feeds.records import Refusal

R = TypeVar("R")
#: Pending movements remembered per client at most (oldest forgotten first).
MEMORY = 2_000


@dataclass(frozen=True, slots=True)
class Seen:
    """A movement as read, with what it spends: outpoints ("txid:vout") on Bitcoin,
    "sender:nonce" on BSC; empty where the chain has no such notion (Solana)."""

    movement: ChainMovement
    spends: frozenset[str] = frozenset()


class PendingMemory:
    """The mempool movements a client reported, by (address, txid), until they are mined or
    reported gone."""

    def __init__(self) -> None:
        self._pending: dict[tuple[str, str], Seen] = {}

    def note(self, listed: Iterable[Seen]) -> None:
        """Remember the mempool ones of `listed`; forget the ones now mined."""
        for seen in listed:
            key = (seen.movement.address, seen.movement.txid)
            if seen.movement.status == "mempool":
                self._pending[key] = seen
                if len(self._pending) > MEMORY:
                    self._pending.pop(next(iter(self._pending)))
            else:
                self._pending.pop(key, None)

    def missing(self, address: str, listed: Iterable[Seen]) -> list[Seen]:
        """The remembered mempool movements of `address` that `listed` no longer has."""
        present = {seen.movement.txid for seen in listed}
        return [seen for (addr, txid), seen in self._pending.items() if addr == address and txid not in present]

    def gone(self, seen: Seen, listed: Iterable[Seen]) -> ChainMovement:
        """`seen` reported as replaced by the listed tx spending the same coins, else dropped;
        forgotten from now on."""
        self._pending.pop((seen.movement.address, seen.movement.txid), None)
        for other in listed:
            if other.movement.txid != seen.movement.txid and seen.spends & other.spends:
                return replace(seen.movement, status="replaced", replaced_by=other.movement.txid, confirmations=0)
        return replace(seen.movement, status="dropped", confirmations=0)


def read_movements(
    rows: Iterable[Any],
    where: str,
    read: Callable[[Any, str], R | None],
    refused: list[Refusal],
    today: date,
) -> list[R]:
    """Read each row with `read(row, where)`; keep what it returns (None: the row does not
    move the address's asset), and note a row it refuses in `refused`."""
    kept = (read_row(row, f"{where}[{i}]", read, refused, today) for i, row in enumerate(rows))
    return [record for record in kept if record is not None]


def read_row(
    row: Any, here: str, read: Callable[[Any, str], R | None], refused: list[Refusal], today: date
) -> R | None:
    """`read(row, here)`, or None with the refusal noted in `refused` when the row breaks a rule."""
    try:
        return read(row, here)
    except Malformed as exc:
        reason = exc.reason if exc.reason.startswith(here) else f"{here}: {exc.reason}"
        refused.append(Refusal("movement", row_key("movement", row), today, here, reason))
        return None


def confirmations(tip: int, height: int | None) -> int:
    """Blocks on top of and including the tx's block, counted from the tip read with it."""
    return max(0, tip - height + 1) if height is not None else 0
