"""Daily inflows into the reserve, tagged by where they came from."""

from __future__ import annotations

from datetime import timedelta

from desk.money import Amount
from desk.proof.inflows import daily_totals, reserve_inflows
from desk.register import NewEntry, Posting
from tests.builders import NOW


async def test_inflows_are_tagged_by_kind_and_counter_account(settings, register) -> None:
    await register.add_account("income:seized:case-7")
    await register.add_account("assets:reserve:vault")
    btc = register.asset("BTC")

    def amount(text: str) -> Amount:
        return Amount(btc, text)

    day = NOW - timedelta(days=2)
    entries = [
        # pool earnings swept from the revenue wallet into the reserve: mined
        ("earning", [("income:mining:braiins", "-1"), ("assets:pool:braiins", "1")]),
        ("payout", [("assets:pool:braiins", "-1"), ("assets:wallet:ops", "1")]),
        ("seizure", [("income:seized:case-7", "-0.3"), ("assets:reserve:cold", "0.3")]),
    ]
    for kind, postings in entries:
        await register.post(
            NewEntry(kind=kind, ts=day, postings=tuple(Posting(a, amount(v)) for a, v in postings), memo=kind)
        )
    for source, target, value in (
        ("assets:wallet:ops", "assets:reserve:cold", "0.7"),  # swept revenue: mined
        ("assets:reserve:cold", "assets:reserve:vault", "0.2"),  # between reserve accounts: internal
    ):
        draft = await register.draft(
            NewEntry(
                kind="transfer",
                ts=day,
                postings=(Posting(source, -amount(value)), Posting(target, amount(value))),
                memo="sweep",
            )
        )
        register.operator = "second-operator"
        await register.approve(draft)
        register.operator = "chains-test"
    inflows = await reserve_inflows(settings, register)
    tags = {(i.account, i.kind, str(i.amount.value)) for i in inflows if i.day == day.date()}
    assert tags == {
        ("assets:reserve:cold", "seized", "0.30000000"),
        ("assets:reserve:cold", "mined", "0.70000000"),
        ("assets:reserve:vault", "internal transfer", "0.20000000"),
    }
    opening = [i for i in inflows if i.kind == "opening"]
    assert {i.amount.asset.code for i in opening} == {"BTC", "BNB", "KZTE"}
    totals = [(d, a, t, str(v.value)) for d, a, t, v in daily_totals(inflows) if d == day.date()]
    assert totals == [
        (day.date(), "BTC", "mined", "0.70000000"),
        (day.date(), "BTC", "seized", "0.30000000"),
        (day.date(), "BTC", "internal transfer", "0.20000000"),
    ]
