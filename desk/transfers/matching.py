"""A transfer in flight against what the chain shows: which movements are its transaction
(by txid, else by the source or destination address and the exact amount), and what state
that makes it. Pure functions over records, so every rule is tested without a socket.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from desk.feeds.chains.records import ChainMovement
from desk.register.transfers import (
    BROADCAST,
    CONFIRMING,
    EXPIRED,
    FAILED,
    REPLACED,
    SETTLED,
    Change,
    Transfer,
)


@dataclass(frozen=True, slots=True)
class Ends:
    """The watched addresses of a transfer's two accounts on its chain."""

    source: frozenset[str]
    destination: frozenset[str]


@dataclass(frozen=True, slots=True)
class Match:
    """The movements that are a transfer's transaction, and the change they make."""

    txids: frozenset[str]
    change: Change | None


def _pays(movement: ChainMovement, transfer: Transfer, ends: Ends) -> bool:
    """Whether `movement` is the transfer's amount leaving its source or reaching its
    destination (the chain's own view of one of its two ends)."""
    if movement.amount != transfer.amount:
        return False
    if movement.direction == "out" and movement.address in ends.source:
        return movement.counterparty is None or not ends.destination or movement.counterparty in ends.destination
    return movement.direction == "in" and movement.address in ends.destination


def candidates(
    transfer: Transfer, ends: Ends, movements: Sequence[ChainMovement], claimed: Collection[str]
) -> list[str]:
    """Txids that could be `transfer`'s transaction: its recorded txid, the replacement the
    chain names for it, or — while no txid is known, or the known one was replaced — a
    movement of exactly its amount at one of its ends that nothing else claimed."""
    by_txid: dict[str, list[ChainMovement]] = {}
    for m in movements:
        by_txid.setdefault(m.txid, []).append(m)
    found: list[str] = []
    txid = transfer.txid
    if txid and txid in by_txid:
        found.append(txid)
        for m in by_txid[txid]:
            if m.status == "replaced" and m.replaced_by and m.replaced_by in by_txid:
                found.append(m.replaced_by)
    known_gone = not txid or txid not in by_txid or any(m.status in ("replaced", "dropped") for m in by_txid[txid])
    if known_gone:
        for m in movements:
            free = m.txid not in claimed and m.txid not in found
            if free and m.status in ("mempool", "confirmed") and _pays(m, transfer, ends):
                found.append(m.txid)
    return found


def judge(
    transfer: Transfer,
    ends: Ends,
    movements: Sequence[ChainMovement],
    claimed: Collection[str],
    *,
    required: int,
    now: datetime,
    expiry: timedelta,
) -> Match:
    """The change the chain's movements make to `transfer`, and the txids that are its own.

    A tx that spends the transfer's coins elsewhere (double-spent) fails the transfer — its
    coins return to the source in the book — and is not claimed: it stays an unrecorded
    outflow, a break for a person to look at."""
    txids = candidates(transfer, ends, movements, claimed)
    mine = [m for m in movements if m.txid in txids]
    ours = {t for t in txids if _pays_destination(mine, t, transfer, ends)}
    live = [m for m in mine if m.status in ("mempool", "confirmed")]
    best = _best(live)
    if best is not None and best.txid not in ours:
        return Match(frozenset(ours), Change(FAILED, txid=transfer.txid, note=f"double-spent by tx {best.txid}"))
    mined = best is not None and best.status == "confirmed" and best.confirmations > 0
    if not mined and transfer.confirmations == 0 and now - transfer.approved_at >= expiry:
        hours = int(expiry.total_seconds() // 3600)
        return Match(frozenset(ours), Change(EXPIRED, note=f"not mined within {hours} h of its approval"))
    if best is None:
        # dropped from the mempool: the coins did not move; it expires in its time unless a
        # replacement turns up. Replaced by a tx that pays elsewhere: it failed.
        gone = next((m for m in mine if m.status == "replaced" and m.replaced_by), None)
        if gone is not None and transfer.confirmations == 0:
            note = f"replaced by tx {gone.replaced_by}, which pays elsewhere"
            return Match(frozenset(ours), Change(FAILED, txid=transfer.txid, note=note))
        return Match(frozenset(ours), None)
    fee = _fee(mine, best.txid)
    if transfer.txid is not None and best.txid != transfer.txid:
        # a replacement (RBF) is recorded as such before it counts confirmations
        note = f"replaces {transfer.txid}"
        return Match(frozenset(ours), Change(REPLACED, txid=best.txid, fee_units=fee, note=note))
    if mined and best.confirmations >= required:
        change = Change(SETTLED, txid=best.txid, confirmations=best.confirmations, fee_units=fee)
    elif mined:
        change = Change(CONFIRMING, txid=best.txid, confirmations=best.confirmations, fee_units=fee)
    elif transfer.state in (REPLACED, CONFIRMING):
        change = None  # already past broadcast: wait for the chain to mine it (again)
    else:
        change = Change(BROADCAST, txid=best.txid, fee_units=fee)
    return Match(frozenset(ours), change)


def _best(live: Iterable[ChainMovement]) -> ChainMovement | None:
    """The most advanced live movement: mined deepest, else any in the mempool."""
    ranked = sorted(live, key=lambda m: (m.status == "confirmed", m.confirmations), reverse=True)
    return ranked[0] if ranked else None


def _fee(mine: Sequence[ChainMovement], txid: str) -> int | None:
    for m in mine:
        if m.txid == txid and m.direction == "out" and m.fee is not None and m.fee.asset == m.amount.asset:
            return m.fee.units
    return None


def _pays_destination(mine: Sequence[ChainMovement], txid: str, transfer: Transfer, ends: Ends) -> bool:
    """A tx of the transfer pays its destination unless the chain shows it paying elsewhere
    (an outgoing movement whose counterparty is none of the destination's addresses)."""
    legs = [m for m in mine if m.txid == txid]
    if any(m.direction == "in" and m.address in ends.destination for m in legs):
        return True
    outs = [m for m in legs if m.direction == "out" and m.counterparty is not None]
    return not outs or any(m.counterparty in ends.destination for m in outs)
