"""Balances are exact, equal to the sum of postings, now and as of any past date."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desk.config import DeskSettings
from desk.money import BNB, BTC, Amount
from desk.register import NewEntry, Posting, Register
from tests.register.conftest import T0

#: Moves the account rules allow from a feed (desk/register/rules.py): (kind, from, to).
FLOWS = [
    ("earning", "income:mining:f2main", "assets:pool:f2main"),
    ("earning", "income:mining:ocean", "assets:pool:ocean"),
    ("payout", "assets:pool:f2main", "assets:wallet:ops"),
    ("payout", "assets:pool:ocean", "assets:wallet:ops"),
    ("payout", "assets:pool:ocean", "expenses:fees"),
    ("fee", "assets:wallet:ops", "expenses:fees"),
]

moves = st.lists(
    st.tuples(
        st.sampled_from(FLOWS),
        st.sampled_from([BTC, BNB]),
        st.integers(min_value=1, max_value=10**24),
        st.integers(min_value=0, max_value=40),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves)
async def test_random_entries_keep_every_balance_equal_to_the_sum_of_its_postings(
    settings: DeskSettings, tmp_path_factory, data: list
) -> None:
    path = tmp_path_factory.mktemp("prop") / "r.sqlite"
    expected: dict[tuple[str, str], int] = defaultdict(int)
    by_day: dict[tuple[str, str, date], int] = defaultdict(int)
    async with Register.open(path, operator="aliya", create=True) as reg:
        await reg.init_accounts(settings)
        batch = []
        for i, ((kind, src, dst), asset, units, day) in enumerate(data):
            amount = Amount.from_units(asset, units)
            ts = T0 + timedelta(days=day, minutes=i)
            batch.append(
                NewEntry(
                    kind=kind,
                    ts=ts,
                    postings=(Posting(src, -amount), Posting(dst, amount)),
                    source="prop",
                    external_id=str(i),
                )
            )
            expected[(src, asset.code)] -= units
            expected[(dst, asset.code)] += units
            by_day[(src, asset.code, ts.date())] -= units
            by_day[(dst, asset.code, ts.date())] += units
        # half posted one by one, half as one batch: both paths maintain balances
        for entry in batch[: len(batch) // 2]:
            await reg.ingest([entry])
        await reg.ingest(batch[len(batch) // 2 :])
        balances = await reg.balances()
        assert {k: v.units for k, v in balances.items()} == {k: v for k, v in expected.items() if v}
        some_day = (T0 + timedelta(days=20)).date()
        for (account, asset), _ in expected.items():
            at = sum(v for (a, s, d), v in by_day.items() if a == account and s == asset and d <= some_day)
            assert (await reg.balance(account, asset, at=some_day)).units == at
        assert (await reg.verify()).ok


async def test_balance_as_of_a_datetime_counts_postings_up_to_that_moment(register: Register) -> None:
    from tests.register.conftest import earning

    await register.ingest([earning(i) for i in range(10)])  # minute i of day 0
    assert (await register.balance("assets:pool:f2main", "BTC", at=T0 + timedelta(minutes=4, seconds=30))) == Amount(
        BTC, "0.05"
    )
    assert (await register.balance("assets:pool:f2main", "BTC", at=T0.date() - timedelta(days=1))) == Amount(BTC, 0)
