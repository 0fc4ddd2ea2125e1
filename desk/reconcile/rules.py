"""The classification rules: small pure functions, each saying which kind a break is and why.

They take plain facts (amounts, times, flags) and return a `BreakKind`, or None when the
facts are not a break at all. Keeping them free of I/O means each rule is read, tested and
argued about on its own; `engine.py` gathers the facts and calls them.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from desk.money import Amount
from desk.reconcile.breaks import BreakKind

#: Words by which a pool or an operator marks a row that is not ordinary daily revenue.
_ADJUSTMENT_WORDS = re.compile(r"refund|compensat|adjust|correction|bonus|referral|reimburs", re.IGNORECASE)


def record_not_in_register(
    credited_at: datetime, last_sync: datetime | None, now: datetime, window: timedelta
) -> BreakKind:
    """A pool record the register does not hold.

    Why timing: pools credit a day's earnings at about 01:00 UTC the next day and pay some
    hours later, so a record credited after the last successful sync (or within the timing
    window of now) simply has not been fetched yet; the next `desk sync` brings it. Anything
    older was missed or lost: unexplained."""
    if last_sync is None or credited_at > last_sync or now - credited_at <= window:
        return BreakKind.TIMING
    return BreakKind.MISSING_IN_REGISTER


def amount_differs(difference: Amount, fee: Amount | None) -> BreakKind:
    """The pool and the register (or the chain) hold the same record with different amounts.

    Why pool fee: a pool that reports a gross figure in one place and a net one in another
    differs by exactly its fee (FPPS fee on earnings, the network fee on a payout). A
    difference equal to the record's fee, to the satoshi, is that; any other is unexplained."""
    if fee is not None and fee and abs(difference) == fee:
        return BreakKind.POOL_FEE
    return BreakKind.AMOUNT_MISMATCH


def register_row_not_from_pool(text: str) -> BreakKind:
    """A register row on the pool's accounts that the pool does not report.

    Why refund or compensation: operators book a pool's refunds, outage compensation or
    referral bonuses by hand (or a pool lists them as separate rows), and they say so in the
    memo or id. A row that says nothing of the kind is unexplained."""
    if _ADJUSTMENT_WORDS.search(text):
        return BreakKind.ADJUSTMENT
    return BreakKind.NOT_REPORTED


def payout_without_receipt(
    *,
    rail: str,
    tx_id: str | None,
    requested_at: datetime,
    now: datetime,
    window: timedelta,
    destination_is_ours: bool,
    seen_at_other_address: bool,
) -> BreakKind:
    """A pool payout with no receipt at the wallet it should have paid.

    Why each kind: a Lightning payout never appears on chain (Braiins marks the rail), so its
    absence is the rail. A payout still queued at the pool (no tx id yet) inside the timing
    window is paid later. A tx that turned up at another of our addresses, or a destination
    the pool names that is not an address of the wallet, is a payout to the wrong address.
    Everything else claims a tx the destination never received: missing on chain."""
    if rail == "lightning":
        return BreakKind.LIGHTNING
    if tx_id is None and now - requested_at <= window:
        return BreakKind.TIMING
    if seen_at_other_address or not destination_is_ours:
        return BreakKind.WRONG_ADDRESS
    return BreakKind.MISSING_ON_CHAIN


def receipt_differs(expected: Amount, received: Amount, fee: Amount, confirmations: int) -> BreakKind | None:
    """The receipt of a payout's tx at our address, against what the pool says it sent.

    Why: a receipt still in the mempool (no confirmation) is not money yet: unconfirmed,
    whatever its amount. A confirmed receipt equal to the payout is clean. A difference of
    exactly the payout's network fee is the pool fee (the pool counted it on the other side).
    Less is a short payment, more an over-payment; both unexplained."""
    if confirmations < 1:
        return BreakKind.UNCONFIRMED
    difference = expected - received
    if not difference:
        return None
    if fee and abs(difference) == fee:
        return BreakKind.POOL_FEE
    return BreakKind.SHORT if difference.value > 0 else BreakKind.OVERPAID


def carried_balance(
    *,
    balance: Amount,
    threshold: Amount,
    after_next_payout: Amount | None,
    window_elapsed: bool,
    pool_kind: str,
) -> BreakKind | None:
    """What the pool still owes at the end of a day, per the register, given the pool balance
    right after the next payout within the timing window (None: no payout in the window).

    Why: a balance below the payout threshold is dust the pool carries over until it grows
    (explained). A balance at or above it is normally paid by the next payout, which takes
    the pool balance below the threshold again: then nothing is wrong. If no payout has done
    so and the window has not elapsed yet, it is timing. OCEAN pays over Lightning too and
    its earnpay API omits those payouts, so an OCEAN balance that stays above the threshold
    is the Lightning rail; for any other pool an overdue payout is unexplained. A negative
    balance (paid more than earned) is unexplained too."""
    if not balance:
        return None
    if balance.value < 0:
        return BreakKind.NOT_REPORTED
    if balance < threshold:
        return BreakKind.DUST
    if after_next_payout is not None and after_next_payout < threshold:
        return None
    if not window_elapsed:
        return BreakKind.TIMING
    return BreakKind.LIGHTNING if pool_kind == "ocean" else BreakKind.UNPAID
