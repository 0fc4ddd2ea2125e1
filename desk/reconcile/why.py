"""What each break says about itself: one sentence per kind, with the figures that make it."""

from __future__ import annotations

from datetime import datetime

from desk.feeds.records import Payout
from desk.money import Amount
from desk.reconcile.breaks import BreakKind


def missing_why(kind: BreakKind, what: str, at: datetime) -> str:
    if kind is BreakKind.TIMING:
        return f"{what} credited {at:%Y-%m-%d %H:%M} UTC, after the last sync: `desk sync` brings it"
    return f"the pool reports this {what} ({at:%Y-%m-%d %H:%M} UTC); the register does not hold it"


def receipt_why(kind: BreakKind, p: Payout, expected: Amount, received: Amount) -> str:
    if kind is BreakKind.UNCONFIRMED:
        return f"tx {p.tx_id} of {received} is in the mempool, not confirmed yet"
    if kind is BreakKind.POOL_FEE:
        return f"the chain shows {received}, the payout less its network fee is {expected}; the fee is {p.fee}"
    return f"the pool says it sent {expected}; the wallet received {received} in tx {p.tx_id}"


def carried_why(kind: BreakKind, balance: Amount, threshold: Amount, pool: str) -> str:
    return {
        BreakKind.DUST: f"{balance} left at the pool, below the payout threshold {threshold}: carried over",
        BreakKind.TIMING: f"{balance} at the pool awaits the next payout (within the timing window)",
        BreakKind.LIGHTNING: f"{balance} at {pool} stays above the threshold with no on-chain payout: OCEAN's "
        "earnpay omits Lightning payouts; record the Lightning payout from the node",
        BreakKind.UNPAID: f"{balance} at the pool, over the threshold {threshold}, and no payout followed",
        BreakKind.NOT_REPORTED: f"the register's pool balance is {balance}: more paid than earned",
    }[kind]
