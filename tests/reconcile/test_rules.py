"""Each classification rule on its own: the facts that make a break of each kind."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

from desk.money import BTC, Amount
from desk.reconcile import EXPLAINED, Break, BreakKind, rules
from desk.reconcile.breaks import break_id

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
WINDOW = timedelta(hours=26)


def sats(n: int) -> Amount:
    return Amount.from_units(BTC, n)


def test_a_record_credited_after_the_last_sync_is_timing_an_old_one_is_missing() -> None:
    last_sync = NOW - timedelta(hours=12)
    assert rules.record_not_in_register(NOW - timedelta(hours=11), last_sync, NOW, WINDOW) is BreakKind.TIMING
    assert (
        rules.record_not_in_register(NOW - timedelta(days=3), last_sync, NOW, WINDOW) is BreakKind.MISSING_IN_REGISTER
    )
    assert rules.record_not_in_register(NOW - timedelta(days=3), None, NOW, WINDOW) is BreakKind.TIMING


def test_a_difference_of_exactly_the_fee_is_the_pool_fee() -> None:
    assert rules.amount_differs(sats(-1_000), sats(1_000)) is BreakKind.POOL_FEE
    assert rules.amount_differs(sats(1_001), sats(1_000)) is BreakKind.AMOUNT_MISMATCH
    assert rules.amount_differs(sats(5), None) is BreakKind.AMOUNT_MISMATCH


def test_refunds_and_compensation_say_so() -> None:
    assert rules.register_row_not_from_pool("F2Pool refund of 11-19 fees") is BreakKind.ADJUSTMENT
    assert rules.register_row_not_from_pool("Outage compensation") is BreakKind.ADJUSTMENT
    assert rules.register_row_not_from_pool("braiins payout to bc1q...") is BreakKind.NOT_REPORTED


def test_a_payout_without_receipt_by_rail_queue_and_destination() -> None:
    facts = dict(
        requested_at=NOW - timedelta(hours=2),
        now=NOW,
        window=WINDOW,
        destination_is_ours=True,
        seen_at_other_address=False,
    )
    assert rules.payout_without_receipt(rail="lightning", tx_id=None, **facts) is BreakKind.LIGHTNING
    assert rules.payout_without_receipt(rail="onchain", tx_id=None, **facts) is BreakKind.TIMING
    assert rules.payout_without_receipt(rail="onchain", tx_id="ab", **facts) is BreakKind.MISSING_ON_CHAIN
    assert (
        rules.payout_without_receipt(rail="onchain", tx_id="ab", **{**facts, "seen_at_other_address": True})
        is BreakKind.WRONG_ADDRESS
    )
    assert (
        rules.payout_without_receipt(rail="onchain", tx_id="ab", **{**facts, "destination_is_ours": False})
        is BreakKind.WRONG_ADDRESS
    )
    old = {**facts, "requested_at": NOW - timedelta(days=3)}
    assert rules.payout_without_receipt(rail="onchain", tx_id=None, **old) is BreakKind.MISSING_ON_CHAIN


def test_a_receipt_against_its_payout() -> None:
    fee = sats(1_000)
    assert rules.receipt_differs(sats(50_000), sats(50_000), fee, 3) is None
    assert rules.receipt_differs(sats(50_000), sats(50_000), fee, 0) is BreakKind.UNCONFIRMED
    assert rules.receipt_differs(sats(50_000), sats(51_000), fee, 3) is BreakKind.POOL_FEE
    assert rules.receipt_differs(sats(50_000), sats(49_999), fee, 3) is BreakKind.SHORT
    assert rules.receipt_differs(sats(50_000), sats(60_000), fee, 3) is BreakKind.OVERPAID


def test_a_carried_balance_is_dust_timing_rail_or_unpaid() -> None:
    threshold = sats(1_000_000)

    def rule(balance: int, after: int | None, elapsed: bool, kind: str = "braiins") -> BreakKind | None:
        return rules.carried_balance(
            balance=sats(balance),
            threshold=threshold,
            after_next_payout=None if after is None else sats(after),
            window_elapsed=elapsed,
            pool_kind=kind,
        )

    assert rule(0, None, True) is None
    assert rule(999_999, None, True) is BreakKind.DUST
    assert rule(4_000_000, 0, True) is None  # the next payout took it
    assert rule(4_000_000, None, False) is BreakKind.TIMING
    assert rule(4_000_000, 4_000_000, True, "ocean") is BreakKind.LIGHTNING
    assert rule(4_000_000, None, True) is BreakKind.UNPAID
    assert rule(-5, None, True) is BreakKind.NOT_REPORTED


def test_explained_kinds_leave_the_queue_and_ids_are_stable() -> None:
    day = date(2026, 11, 20)
    timing = Break("braiins", day, BreakKind.TIMING, sats(1), None, None, "k", "why")
    short = Break("braiins", day, BreakKind.SHORT, sats(1), None, None, "k", "why")
    assert timing.explained and not timing.open and timing.state == "explained"
    assert short.open and short.state == "open"
    assert short.id == break_id("braiins", day, BreakKind.SHORT, "k") != timing.id
    assert short.id.startswith("rb-") and len(short.id) == 15
    assert BreakKind.NON_REVENUE not in EXPLAINED and BreakKind.LIGHTNING in EXPLAINED


def test_reconciliation_never_imports_textual() -> None:
    code = "import sys, desk.reconcile, desk.reconcile.view, desk.cli.reconcile_cmds; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
