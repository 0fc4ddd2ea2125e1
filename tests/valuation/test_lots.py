"""FIFO lots against hand-computed cases: partial disposals, fees, moves, shortfalls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from desk.valuation.lots import Cost, Move, Step, replay

T = datetime(2026, 11, 1, tzinfo=UTC)
BTC = 100_000_000  # satoshis per BTC

#: what each new lot cost: earning 1 at $50,000, earning 2 at $60,000 (KZT at 500 per USD),
#: the USDT bought in step 6 at par
COSTS = {
    (1, "BTC"): Cost(Decimal(50_000), Decimal(25_000_000), "valuation #1"),
    (2, "BTC"): Cost(Decimal(60_000), Decimal(30_000_000), "valuation #2"),
    (6, "USDT"): Cost(Decimal(18_000), Decimal(9_000_000), "#6 conversion", usdt_priced=True),
}


def cost_of(step: Step, asset: str, units: int) -> Cost:
    return COSTS.get((step.seq, asset), Cost(None, None, "unknown"))


def step(seq: int, kind: str, *moves: tuple[str, str, int]) -> Step:
    return Step(seq, T + timedelta(hours=seq), kind, tuple(Move(*m) for m in moves))


STEPS = [
    step(1, "earning", ("income:mining:p", "BTC", -BTC), ("assets:pool:p", "BTC", BTC)),
    step(2, "earning", ("income:mining:p", "BTC", -BTC), ("assets:pool:p", "BTC", BTC)),
    # payout of 1.5 BTC, 0.0001 network fee: the fee consumes the oldest lot first
    step(
        3,
        "payout",
        ("assets:pool:p", "BTC", -150_000_000),
        ("assets:wallet:ops", "BTC", 149_990_000),
        ("expenses:fees", "BTC", 10_000),
    ),
    step(4, "transfer", ("assets:wallet:ops", "BTC", -120_000_000), ("assets:reserve:cold", "BTC", 120_000_000)),
    step(5, "transfer", ("assets:reserve:cold", "BTC", -30_000_000), ("assets:exchange:aix", "BTC", 30_000_000)),
    # the 0.3 BTC sold on the exchange for 18,000 USDT: a partial disposal
    step(6, "conversion", ("assets:exchange:aix", "BTC", -30_000_000), ("assets:exchange:aix", "USDT", 18_000_000_000)),
]


def test_fifo_partial_disposals_and_fees_by_hand() -> None:
    book = replay(STEPS, cost_of)
    # fee: 0.0001 BTC of lot 1 = $5; sold: 0.3 BTC of lot 1 = $15,000
    assert [(lot.entry_seq, lot.units, lot.cost_usd) for lot in book.consumed] == [
        (1, 10_000, Decimal("5.000000000000")),
        (1, 30_000_000, Decimal("15000.000000000000")),
    ]
    reserve = book.held()
    # lot 1: 1 - 0.0001 - 0.3 = 0.6999 BTC costing $34,995; lot 2: 0.2001 BTC of $60,000 = $12,006
    assert [(lot.entry_seq, lot.units, lot.cost_usd, lot.cost_kzt) for lot in reserve] == [
        (1, 69_990_000, Decimal("34995.000000000000"), Decimal("17497500.000000000000")),
        (2, 20_010_000, Decimal("12006.000000000000"), Decimal("6003000.000000000000")),
    ]
    assert {lot.source for lot in reserve} == {"mined"} and reserve[0].acquired == T + timedelta(hours=1)
    # what stayed behind: 0.5 BTC in the pool ($30,000), 0.2999 in the wallet ($17,994)
    pool, wallet = book.held("assets:pool:"), book.held("assets:wallet:")
    assert [(lot.units, lot.cost_usd) for lot in pool] == [(50_000_000, Decimal("30000.000000000000"))]
    assert [(lot.units, lot.cost_usd) for lot in wallet] == [(29_990_000, Decimal("17994.000000000000"))]
    (usdt,) = book.held("assets:exchange:")  # the BTC there was all sold
    assert (usdt.asset, usdt.source, usdt.cost_usd, usdt.usdt_priced) == ("USDT", "purchased", Decimal(18_000), True)


def test_costs_are_conserved_exactly_through_splits() -> None:
    book = replay(STEPS, cost_of)
    btc = [lot for lot in book.consumed + [lot for q in book.lots.values() for lot in q] if lot.asset == "BTC"]
    assert sum(lot.units for lot in btc) == 2 * BTC
    assert sum(lot.cost_usd for lot in btc) == Decimal(110_000)
    assert sum(lot.cost_kzt for lot in btc) == Decimal(55_000_000)


def test_thirds_split_keeps_the_remainder_on_the_lot() -> None:
    steps = [step(1, "earning", ("income:mining:p", "BTC", -3), ("assets:pool:p", "BTC", 3))]
    steps += [step(10 + i, "fee", ("assets:pool:p", "BTC", -1), ("expenses:fees", "BTC", 1)) for i in range(2)]
    book = replay(steps, lambda s, a, u: Cost(Decimal(100), Decimal(1), "x"))
    # $100 over 3 units: each split rounds to 12 places, the lot keeps the exact remainder
    assert [lot.cost_usd for lot in book.consumed] == [Decimal("33.333333333333"), Decimal("33.333333333334")]
    (left,) = book.held("assets:pool:")
    assert left.cost_usd == Decimal("33.333333333333") and left.units == 1
    assert sum(lot.cost_usd for lot in [*book.consumed, left]) == Decimal(100)


def test_seized_coins_and_a_shortfall() -> None:
    steps = [
        step(1, "seizure", ("income:seized:case-17", "BTC", -2 * BTC), ("assets:reserve:custody", "BTC", 2 * BTC)),
        # a payout from a pool whose earlier history the register never saw
        step(2, "payout", ("assets:pool:p", "BTC", -BTC), ("assets:wallet:ops", "BTC", BTC)),
        step(3, "opening", ("equity:opening", "BTC", -BTC), ("assets:reserve:cold", "BTC", BTC)),
    ]
    book = replay(steps, cost_of)
    sources = {(lot.account, lot.source, lot.cost_usd) for q in book.lots.values() for lot in q}
    assert sources == {
        ("assets:reserve:custody", "seized", Decimal(50_000)),
        ("assets:wallet:ops", "transferred in", None),
        ("assets:reserve:cold", "transferred in", None),
    }
    (wallet,) = book.held("assets:wallet:")
    assert wallet.basis.startswith("unknown: #2 took more than assets:pool:p held")
