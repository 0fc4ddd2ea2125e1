"""Each rule: allowed below, refused at and above, with the rule's name in the refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk.money import BTC, KZTE, Amount
from desk.register import EntryRejected, PolicyRefused
from tests.controls.conftest import T0, move

OPEN_POLICY = """
[policy.allowlist]
BTC = ["assets:reserve:cold", "bc1qdeskexchangedeposit000000000000000000"]
[[addresses]]
account = "assets:exchange:aix"
chain = "bitcoin"
asset = "BTC"
address = "bc1qdeskexchangedeposit000000000000000000"
"""


async def test_allowlist_admits_listed_accounts_and_configured_addresses_only(make_desk) -> None:
    open_as = await make_desk(
        OPEN_POLICY.replace(
            "bc1qdeskexchangedeposit000000000000000000", "bc1qsomeoneelse0000000000000000000000000000", 1
        )
    )
    async with open_as("aliya") as reg:
        assert await reg.draft(move("1")) == 1
        with pytest.raises(PolicyRefused, match=r"rule allowlist:BTC: assets:exchange:aix is not an allowed BTC"):
            await reg.draft(move("1", to="assets:exchange:aix"))
        assert len(await reg.drafts()) == 1


async def test_an_allowlisted_address_admits_the_account_it_belongs_to(make_desk) -> None:
    open_as = await make_desk(OPEN_POLICY)
    async with open_as("aliya") as reg:
        await reg.draft(move("1", to="assets:exchange:aix"))


async def test_an_asset_whose_allowlist_was_emptied_goes_nowhere(make_desk) -> None:
    open_as = await make_desk("[policy.allowlist]\nBTC = []\n")
    async with open_as("aliya") as reg:
        with pytest.raises(PolicyRefused, match=r"allowlist:BTC: .*\(allowed: nothing yet\)"):
            await reg.draft(move("1"))


@pytest.mark.parametrize(("amount", "allowed"), [("0.99999999", True), ("1", False), ("1.5", False)])
async def test_per_transfer_limit_in_the_asset(make_desk, amount: str, allowed: bool) -> None:
    open_as = await make_desk('[[policy.limits]]\nper = "transfer"\nasset = "BTC"\nbelow = "1"\n')
    async with open_as("aliya") as reg:
        if allowed:
            await reg.draft(move(amount))
        else:
            with pytest.raises(
                PolicyRefused,
                match=rf"rule limit:transfer:BTC: this moves {amount} BTC; it must be below 1 BTC per transfer",
            ) as err:
                await reg.draft(move(amount))
            assert err.value.rule == "limit:transfer:BTC"
            assert await reg.drafts() == []


@pytest.mark.parametrize(
    ("amount", "allowed", "worth"), [("0.99999999", True, ""), ("1", False, "50,000,000"), ("2", False, "100,000,000")]
)
async def test_per_transfer_limit_in_kzt_values_at_the_recorded_price(
    make_desk, amount: str, allowed: bool, worth: str
) -> None:
    # 1 BTC = 100,000 USD x 500 KZT/USD = 50,000,000 KZT
    open_as = await make_desk('[[policy.limits]]\nper = "transfer"\ncurrency = "KZT"\nbelow = "50000000"\n')
    async with open_as("aliya") as reg:
        if allowed:
            await reg.draft(move(amount))
        else:
            message = f"rule limit:transfer:KZT: this moves {worth} KZT; it must be below 50,000,000 KZT per transfer"
            with pytest.raises(PolicyRefused, match=message):
                await reg.draft(move(amount))


async def test_a_value_limit_without_a_price_refuses_and_says_why(make_desk) -> None:
    open_as = await make_desk('[[policy.limits]]\nper = "transfer"\ncurrency = "USD"\nbelow = "1000000"\n')
    async with open_as("aliya") as reg:
        with pytest.raises(
            PolicyRefused, match=r"rule limit:transfer:USD: cannot value 0.10000000 BTC in USD: no price"
        ):
            await reg.draft(move("0.1", at=T0 - timedelta(days=30)))


DAY_LIMIT = '[[policy.limits]]\nper = "day"\nasset = "BTC"\nbelow = "2"\n'


async def test_day_limit_counts_posted_transfers_at_entry(make_desk) -> None:
    open_as = await make_desk(DAY_LIMIT)
    async with open_as("aliya") as maker, open_as("bolat") as checker:
        await checker.approve(await maker.draft(move("1.5")))
        await maker.draft(move("0.49999999", at=T0 + timedelta(hours=1)))
        with pytest.raises(
            PolicyRefused,
            match=r"rule limit:day:BTC: 1.5 BTC already posted or approved on 2026-11-02, plus this 0.5 makes 2",
        ):
            await maker.draft(move("0.5", at=T0 + timedelta(hours=2)))
        # the next UTC day starts a new window
        await maker.draft(move("1.9", at=T0 + timedelta(days=1)))


async def test_day_limit_is_checked_again_at_approval_against_what_was_posted_since(make_desk) -> None:
    open_as = await make_desk(DAY_LIMIT)
    async with open_as("aliya") as maker, open_as("bolat") as checker:
        first = await maker.draft(move("1.5"))
        second = await maker.draft(move("1", at=T0 + timedelta(hours=1)))  # alone it is fine
        await checker.approve(first)
        with pytest.raises(
            PolicyRefused,
            match=r"limit:day:BTC: 1.5 BTC already posted or approved on 2026-11-02, plus this 1 makes 2.5",
        ):
            await checker.approve(second)
        assert [d.id for d in await checker.drafts()] == [second]
        assert await checker.balance("assets:reserve:cold", "BTC") == Amount(BTC, "1.5")


async def test_month_limit_in_kzt_spans_days(make_desk) -> None:
    open_as = await make_desk('[[policy.limits]]\nper = "month"\ncurrency = "KZT"\nbelow = "100000000"\n')
    async with open_as("aliya") as maker, open_as("bolat") as checker:
        await checker.approve(await maker.draft(move("1")))
        late = await maker.draft(move("0.99", at=T0 + timedelta(days=10)))
        with pytest.raises(
            PolicyRefused, match=r"limit:month:KZT: 50,000,000 KZT already posted or approved in 2026-11"
        ):
            await maker.draft(move("1", at=T0 + timedelta(days=20)))
        await checker.approve(late)
        # December is a new window
        await maker.draft(move("1.5", at=T0 + timedelta(days=30)))


async def test_limits_do_not_block_a_reversal(make_desk) -> None:
    from desk.register import reversal_of

    open_as = await make_desk(DAY_LIMIT)
    async with open_as("aliya") as maker, open_as("bolat") as checker:
        seq = await checker.approve(await maker.draft(move("1.9")))
        undo = await maker.draft(reversal_of(await maker.entry(seq), T0 + timedelta(hours=1)))
        assert isinstance(await checker.approve(undo), int)


async def test_a_refusal_is_an_entry_rejection_so_every_caller_shows_it(make_desk) -> None:
    open_as = await make_desk('[[policy.limits]]\nper = "transfer"\nasset = "BTC"\nbelow = "1"\n')
    async with open_as("aliya") as reg:
        with pytest.raises(EntryRejected, match="refused by rule limit:transfer:BTC"):
            await reg.draft(move("3"))


async def test_a_draft_with_some_of_its_quorum_already_claims_its_share_of_the_window(make_desk) -> None:
    quorum = '[[policy.quorums]]\nasset = "BTC"\nat_least = "1"\napprovals = 2\n'
    open_as = await make_desk(DAY_LIMIT + quorum)
    async with open_as("aliya") as maker, open_as("bolat") as checker:
        big = await maker.draft(move("1.5"))
        await maker.draft(move("0.4"))  # nothing approved yet: only itself counts
        assert await checker.approve(big) is None  # one of two approvals: 1.5 BTC is now claimed
        with pytest.raises(PolicyRefused, match=r"limit:day:BTC: 1\.5 BTC already posted or approved on 2026-11-02"):
            await maker.draft(move("0.5", at=T0 + timedelta(hours=3)))


async def test_kzte_is_valued_at_its_configured_peg(make_desk) -> None:
    from desk.register import NewEntry, Posting

    open_as = await make_desk(
        '[prices]\nkzte_peg = "2"\n[[policy.limits]]\nper = "transfer"\ncurrency = "KZT"\nbelow = "1000"\n'
    )
    async with open_as("sync") as reg:
        await reg.post(
            NewEntry(
                kind="opening",
                ts=T0,
                postings=(
                    Posting("equity:opening", -Amount(KZTE, 5000)),
                    Posting("assets:wallet:ops", Amount(KZTE, 5000)),
                ),
            )
        )
    async with open_as("aliya") as maker:

        def kzte_move(amount: str) -> NewEntry:
            return NewEntry(
                kind="transfer",
                ts=T0,
                postings=(
                    Posting("assets:wallet:ops", -Amount(KZTE, amount)),
                    Posting("assets:reserve:cold", Amount(KZTE, amount)),
                ),
            )

        await maker.draft(kzte_move("499.99"))  # 999.98 KZT at 2 KZT per KZTE
        with pytest.raises(PolicyRefused, match="this moves 1,000 KZT"):
            await maker.draft(kzte_move("500"))


async def test_a_purchase_is_judged_by_the_limits_like_a_transfer(make_desk) -> None:
    from desk.compliance.acquisitions import purchase_entry

    open_as = await make_desk('[[policy.limits]]\nper = "transfer"\nasset = "USDT"\nbelow = "50000"\n')
    values = {"exchange": "aix", "order_id": "o-1", "asset": "BTC", "amount": "1", "pay": "USDT", "price": "97000"}
    async with open_as("aliya") as reg:
        big = purchase_entry(reg, {**values, "amount": "0.6", "order_id": "o-0"}, T0)
        with pytest.raises(PolicyRefused, match=r"rule limit:transfer:USDT: this moves 58,200 USDT"):
            await reg.draft(big)
        allowed = purchase_entry(reg, {**values, "amount": "0.4"}, T0)
        assert await reg.draft(allowed) == 1
