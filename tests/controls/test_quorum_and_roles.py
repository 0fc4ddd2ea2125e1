"""Quorum counts distinct checkers, never the maker; roles refuse with the role named."""

from __future__ import annotations

import pytest

from desk.controls import controls_of
from desk.money import BTC, Amount
from desk.reconcile import resolutions
from desk.register import NotPermitted, PolicyRefused, SelfApproval
from tests.controls.conftest import ROLES, move

QUORUM_KZT = ROLES + '[[policy.quorums]]\ncurrency = "KZT"\nat_least = "100000000"\napprovals = 2\n'


async def test_at_the_threshold_two_distinct_checkers_are_needed(make_desk) -> None:
    open_as = await make_desk(QUORUM_KZT)  # 2 BTC = 100,000,000 KZT
    async with open_as("aliya") as maker, open_as("bolat") as bolat, open_as("dana") as dana:
        draft_id = await maker.draft(move("2"))
        assert await bolat.approve(draft_id) is None
        tally = await controls_of(bolat).tally(bolat, await bolat.draft_by_id(draft_id))
        assert (tally.required, tally.approvers, tally.remaining) == (2, ("bolat",), 1)
        assert "quorum:KZT:100000000" in tally.rules
        with pytest.raises(PolicyRefused, match="bolat has already approved draft #1; the same checker counts once"):
            await bolat.approve(draft_id)
        with pytest.raises(SelfApproval):
            await maker.approve(draft_id)
        assert await maker.balance("assets:reserve:cold", "BTC") == Amount(BTC, 0)
        seq = await dana.approve(draft_id)
        entry = await dana.entry(seq)
        assert (entry.drafted_by, entry.approved_by) == ("aliya", "dana")
        actions = [(a["action"], a["operator"]) for a in await dana.actions()][:4]
        assert actions == [
            ("approve", "dana"),
            ("refused_self_approval", "aliya"),
            ("approval", "bolat"),
            ("draft", "aliya"),
        ]
        assert (await dana.actions())[0]["detail"] == {
            "approvers": ["bolat", "dana"],
            "required": 2,
            "draft_hash": (await dana.draft_by_id(draft_id)).body_hash,
        }
        assert (await dana.verify()).ok


async def test_below_the_threshold_one_checker_posts(make_desk) -> None:
    open_as = await make_desk(QUORUM_KZT)
    async with open_as("aliya") as maker, open_as("bolat") as bolat:
        draft_id = await maker.draft(move("1.99999999"))
        assert isinstance(await bolat.approve(draft_id), int)


async def test_quorum_in_asset_units_and_the_biggest_tier_wins(make_desk) -> None:
    tiers = (
        ROLES
        + '[[policy.quorums]]\nasset = "BTC"\nat_least = "5"\napprovals = 2\n'
        + '[[policy.quorums]]\nasset = "BTC"\nat_least = "10"\napprovals = 3\n'
    )
    open_as = await make_desk(tiers.replace('carl = ["admin"]', 'carl = ["admin", "checker"]'))
    async with open_as("aliya") as maker, open_as("bolat") as b, open_as("dana") as d, open_as("carl") as c:
        draft_id = await maker.draft(move("10"))
        assert await b.approve(draft_id) is None
        assert await d.approve(draft_id) is None
        assert isinstance(await c.approve(draft_id), int)
        small = await maker.draft(move("4.99999999"))
        assert isinstance(await b.approve(small), int)


async def test_an_unpriced_draft_gets_the_stricter_reading_of_a_value_quorum(make_desk) -> None:
    from datetime import timedelta

    from tests.controls.conftest import T0

    open_as = await make_desk(QUORUM_KZT)
    async with open_as("aliya") as maker, open_as("bolat") as bolat:
        draft_id = await maker.draft(move("0.1", at=T0 - timedelta(days=30)))
        assert await bolat.approve(draft_id) is None


@pytest.mark.parametrize(
    ("operator", "act", "role"),
    [
        ("audit", "draft", "maker"),
        ("bolat", "draft", "maker"),
        ("zed", "draft", "maker"),
        ("audit", "approve", "checker"),
        ("zed", "approve", "checker"),
        ("carl", "approve", "checker"),
        ("audit", "reject", "checker"),
    ],
)
async def test_acts_outside_ones_roles_are_refused_naming_the_role(
    make_desk, operator: str, act: str, role: str
) -> None:
    open_as = await make_desk(ROLES)
    async with open_as("aliya") as maker, open_as(operator) as reg:
        draft_id = await maker.draft(move("1"))
        with pytest.raises(NotPermitted, match=rf"{operator} may not {act}: that needs the {role} role") as err:
            if act == "draft":
                await reg.draft(move("1"))
            elif act == "approve":
                await reg.approve(draft_id)
            else:
                await reg.reject(draft_id, "no")
        assert err.value.role == role
        assert [d.id for d in await reg.drafts()] == [draft_id]


async def test_the_maker_may_withdraw_their_own_draft(make_desk) -> None:
    open_as = await make_desk(ROLES)
    async with open_as("aliya") as maker:
        draft_id = await maker.draft(move("1"))
        await maker.reject(draft_id, "typo in the amount")
        assert await maker.drafts() == []


async def test_without_roles_everyone_is_maker_and_checker_and_the_maker_still_never_approves(make_desk) -> None:
    open_as = await make_desk()
    async with open_as("anyone") as maker, open_as("else") as checker:
        draft_id = await maker.draft(move("1"))
        with pytest.raises(SelfApproval):
            await maker.approve(draft_id)
        assert isinstance(await checker.approve(draft_id), int)


async def test_posting_a_persons_entry_needs_the_maker_role_and_feeds_need_none(make_desk) -> None:
    from dataclasses import replace
    from datetime import timedelta

    from desk.register import NewEntry, Posting
    from tests.controls.conftest import T0, funding

    opening = NewEntry(
        kind="opening",
        ts=T0,
        postings=(Posting("equity:opening", -Amount(BTC, "1")), Posting("assets:reserve:cold", Amount(BTC, "1"))),
        memo="opening reserve",
    )
    open_as = await make_desk(ROLES)
    async with open_as("audit") as audit, open_as("aliya") as maker, open_as("sync") as feed:
        with pytest.raises(NotPermitted, match="audit may not post: that needs the maker role"):
            await audit.post(opening)
        assert isinstance(await maker.post(opening), int)
        later = replace(funding("1"), external_id="fund-2", ts=T0 + timedelta(hours=1))
        assert (await feed.ingest([later])).new == 1


async def test_recording_kwh_and_resolving_a_break_are_acts_that_need_a_role(make_desk) -> None:
    open_as = await make_desk(ROLES)
    async with open_as("audit") as audit, open_as("aliya") as maker, open_as("bolat") as checker:
        with pytest.raises(NotPermitted, match="audit may not post: that needs the maker role"):
            await audit.record_action("fee_kwh", {"period": "2026-11", "kwh": "10"})
        assert isinstance(await maker.record_action("fee_kwh", {"period": "2026-11", "kwh": "10"}), int)
        with pytest.raises(NotPermitted, match="aliya may not approve: that needs the checker role"):
            await resolutions.resolve(maker, "rb-000000000001", "timing, paid next day")
        assert isinstance(await resolutions.resolve(checker, "rb-000000000001", "timing, paid next day"), int)
        assert list(await resolutions.resolved(audit)) == ["rb-000000000001"]
