"""The pure comparison on hand-made facts: the paths the simulator does not take (a Braiins
Lightning payout, a receipt still in the mempool, a pool fee counted twice)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from desk.feeds.chains.records import ChainReceipt
from desk.feeds.records import Earning, Payout
from desk.money import BTC, Amount
from desk.reconcile import BreakKind, Facts, compare
from desk.reconcile.sides import PoolSide, RegisterRow

DAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
WALLET = "bc1qdeskwallet0000000000000000000000000000"
PAID_AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def sats(n: int) -> Amount:
    return Amount.from_units(BTC, n)


def payout(rail: str = "onchain", tx_id: str | None = "aa" * 32, amount: int = 5_000_000, fee: int = 0) -> Payout:
    destination = WALLET if rail == "onchain" else "ops@example.invalid"  # a Lightning address on Lightning
    return Payout(
        "braiins", f"{rail}:1", sats(amount), sats(fee), destination, tx_id, "confirmed", rail, PAID_AT, PAID_AT
    )


def row(seq: int, external_id: str, *, income: int = 0, delta: int = 0, ts: datetime = PAID_AT) -> RegisterRow:
    return RegisterRow(seq, ts, "payout", "braiins payout", "pool:braiins", external_id, None, income, delta)


def facts(pool: PoolSide, rows: list[RegisterRow], receipts: list[ChainReceipt]) -> Facts:
    return Facts(
        since=DAY,
        until=DAY,
        now=NOW,
        window=timedelta(hours=26),
        pools=[pool],
        rows={"braiins": rows},
        balances={"braiins": {DAY: sats(0)}},
        thresholds={"braiins": sats(1_000_000)},
        wallets={"ops": [WALLET]},
        receipts={WALLET: receipts},
    )


def receipt(amount: int, confirmations: int = 6, txid: str = "aa" * 32) -> ChainReceipt:
    height = None if confirmations == 0 else 925_000
    when = None if confirmations == 0 else PAID_AT + timedelta(minutes=40)
    return ChainReceipt("bitcoin", txid, WALLET, sats(amount), height, when, confirmations)


def test_a_braiins_lightning_payout_is_the_rail_not_missing() -> None:
    p = payout(rail="lightning", tx_id=None)
    side = PoolSide("braiins", "braiins", "ops", payouts=(p,))
    (b,) = compare(facts(side, [row(1, "payout:lightning:1", delta=-5_000_000)], [])).breaks
    assert b.kind is BreakKind.LIGHTNING and b.explained and b.difference == sats(5_000_000)


def test_a_receipt_in_the_mempool_is_unconfirmed() -> None:
    side = PoolSide("braiins", "braiins", "ops", payouts=(payout(),))
    report = compare(facts(side, [row(1, "payout:onchain:1", delta=-5_000_000)], [receipt(5_000_000, 0)]))
    (b,) = report.breaks
    assert b.kind is BreakKind.UNCONFIRMED and b.found == sats(5_000_000) and report.open_breaks == []
    assert report.days[0].received_chain == sats(0)  # not money until confirmed


def test_a_chain_amount_off_by_exactly_the_network_fee_is_the_pool_fee() -> None:
    side = PoolSide("braiins", "braiins", "ops", payouts=(payout(fee=1_000),))
    (b,) = compare(facts(side, [row(1, "payout:onchain:1", delta=-5_000_000)], [receipt(5_000_000)])).breaks
    assert b.kind is BreakKind.POOL_FEE and b.difference == -sats(1_000)


def test_an_earning_the_register_books_gross_of_the_pool_fee_is_the_pool_fee() -> None:
    earning = Earning("braiins", "reward:2026-11-20", DAY, sats(4_800_000), fees=sats(200_000))
    side = PoolSide("braiins", "braiins", "ops", earnings=(earning,))
    booked = row(
        1, "earning:reward:2026-11-20", income=5_000_000, delta=5_000_000, ts=datetime(2026, 11, 20, 23, 59, tzinfo=UTC)
    )
    report = compare(facts(side, [booked], []))
    (b,) = report.breaks
    assert b.kind is BreakKind.POOL_FEE and b.difference == -sats(200_000)
    assert report.days[0].earned_pool == sats(4_800_000) and report.days[0].earned_register == sats(5_000_000)


def test_an_old_earning_missing_from_the_register_is_unexplained() -> None:
    earning = Earning("braiins", "reward:2026-11-20", DAY, sats(4_800_000))
    side = PoolSide("braiins", "braiins", "ops", earnings=(earning,), last_sync=NOW - timedelta(minutes=5))
    (b,) = compare(facts(side, [], [])).open_breaks
    assert b.kind is BreakKind.MISSING_IN_REGISTER and b.difference == sats(4_800_000)
