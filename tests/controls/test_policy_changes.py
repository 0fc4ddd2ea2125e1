"""Policy changes are maker-checker actions in the chained log, applied once another admin approves."""

from __future__ import annotations

import sqlite3

import pytest

from desk.controls import controls_of, proposals
from desk.register import EntryRejected, NotPermitted, PolicyRefused, SelfApproval
from tests.controls.conftest import ROLES, move

LIMIT = {"op": "limit_set", "per": "transfer", "asset": "BTC", "below": "1"}


async def test_a_change_applies_only_when_a_different_admin_approves(make_desk) -> None:
    open_as = await make_desk(ROLES)
    async with open_as("dana") as dana, open_as("carl") as carl, open_as("aliya") as maker:
        proposal = await proposals.propose(dana, LIMIT)
        await maker.draft(move("2"))  # not in force yet
        with pytest.raises(SelfApproval, match="a different admin must approve it"):
            await proposals.approve(dana, proposal)
        change = await proposals.approve(carl, proposal)
        assert change.describe() == "limit BTC per transfer below 1"
        with pytest.raises(PolicyRefused, match="rule limit:transfer:BTC"):
            await maker.draft(move("2"))
        assert (await controls_of(carl).policy(carl)).limits[0].rule == "limit:transfer:BTC"
        log = [(a["action"], a["operator"]) for a in await carl.actions()][:3]
        assert log == [("policy_approve", "carl"), ("policy_refused_self_approval", "dana"), ("draft", "aliya")]
        assert (await carl.verify()).ok


async def test_only_admins_propose_and_decide(make_desk) -> None:
    open_as = await make_desk(ROLES)
    async with open_as("bolat") as bolat, open_as("audit") as audit, open_as("dana") as dana:
        with pytest.raises(NotPermitted, match="bolat may not propose: that needs the admin role"):
            await proposals.propose(bolat, LIMIT)
        proposal = await proposals.propose(dana, LIMIT)
        with pytest.raises(NotPermitted, match="audit may not decide: that needs the admin role"):
            await proposals.approve(audit, proposal)
        with pytest.raises(NotPermitted, match="admin role"):
            await proposals.reject(audit, proposal, "no")
        assert [p.id for p in await proposals.proposals(dana)] == [proposal]


async def test_rejected_changes_never_apply_and_need_a_reason(make_desk) -> None:
    open_as = await make_desk(ROLES)
    async with open_as("dana") as dana, open_as("carl") as carl, open_as("aliya") as maker:
        proposal = await proposals.propose(dana, LIMIT)
        with pytest.raises(EntryRejected, match="needs a reason"):
            await proposals.reject(carl, proposal, " ")
        await proposals.reject(carl, proposal, "too tight")
        with pytest.raises(EntryRejected, match="already rejected"):
            await proposals.approve(carl, proposal)
        await maker.draft(move("2"))


async def test_role_grants_and_revocations_change_who_may_act(make_desk) -> None:
    open_as = await make_desk(ROLES)
    async with open_as("dana") as dana, open_as("carl") as carl, open_as("aliya") as maker, open_as("zed") as zed:
        draft_id = await maker.draft(move("1"))
        with pytest.raises(NotPermitted):
            await zed.approve(draft_id)
        await proposals.approve(
            carl, await proposals.propose(dana, {"op": "role_grant", "operator": "zed", "role": "checker"})
        )
        assert isinstance(await zed.approve(draft_id), int)
        revoke = {"op": "role_revoke", "operator": "aliya", "role": "maker"}
        await proposals.approve(dana, await proposals.propose(carl, revoke))
        with pytest.raises(
            NotPermitted, match="aliya may not draft: that needs the maker role, and aliya holds viewer"
        ):
            await maker.draft(move("1"))


async def test_allowlist_and_quorum_changes(make_desk) -> None:
    open_as = await make_desk(ROLES + '[policy.allowlist]\nBTC = ["assets:reserve:cold"]\n')
    async with open_as("dana") as dana, open_as("carl") as carl, open_as("aliya") as maker, open_as("bolat") as bolat:
        with pytest.raises(PolicyRefused, match="allowlist:BTC"):
            await maker.draft(move("1", to="assets:exchange:aix"))
        add = {"op": "allow_add", "asset": "BTC", "destination": "assets:exchange:aix"}
        await proposals.approve(carl, await proposals.propose(dana, add))
        await maker.draft(move("1", to="assets:exchange:aix"))
        remove = {"op": "allow_remove", "asset": "BTC", "destination": "assets:reserve:cold"}
        await proposals.approve(carl, await proposals.propose(dana, remove))
        with pytest.raises(PolicyRefused, match=r"allowed: assets:exchange:aix\)"):
            await maker.draft(move("1"))
        quorum = {"op": "quorum_set", "asset": "BTC", "at_least": "1", "approvals": "2"}
        await proposals.approve(carl, await proposals.propose(dana, quorum))
        draft_id = await maker.draft(move("1", to="assets:exchange:aix"))
        assert await bolat.approve(draft_id) is None
        policy = await controls_of(dana).policy(dana)
        assert policy.as_data()["allowlist"] == {"BTC": ["assets:exchange:aix"]}
        assert policy.as_data()["quorums"] == [{"rule": "quorum:BTC:1", "at_least": "1", "unit": "BTC", "approvals": 2}]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"op": "limit_set", "per": "week", "asset": "BTC", "below": "1"}, "per: 'week' is not one of"),
        ({"op": "limit_set", "per": "day", "asset": "BTC", "currency": "KZT", "below": "1"}, "exactly one of"),
        ({"op": "limit_set", "per": "day", "asset": "DOGE", "below": "1"}, "asset: 'DOGE' is not in the register"),
        ({"op": "limit_set", "per": "day", "currency": "KZT", "below": "-5"}, "below: must be more than zero"),
        ({"op": "quorum_set", "currency": "KZT", "at_least": "1", "approvals": "1"}, "approvals: a whole number"),
        ({"op": "role_grant", "operator": "zed", "role": "king"}, "role: 'king' is not one of"),
        ({"op": "promote"}, "unknown policy change 'promote'"),
    ],
)
async def test_a_malformed_change_is_refused_when_proposed(make_desk, change: dict, message: str) -> None:
    open_as = await make_desk(ROLES)
    async with open_as("dana") as dana:
        with pytest.raises(EntryRejected, match=message):
            await proposals.propose(dana, change)
        assert await proposals.proposals(dana) == []


async def test_policy_changes_are_chained_and_tampering_is_caught(make_desk) -> None:
    open_as = await make_desk(ROLES)
    async with open_as("dana") as dana, open_as("carl") as carl:
        await proposals.approve(carl, await proposals.propose(dana, LIMIT))
        result = await carl.verify()
        assert result.ok and result.actions == 2
        path = carl.path
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER actions_no_update")
    conn.execute(
        "UPDATE actions SET detail = replace(detail, ?, ?) WHERE action = 'policy_approve'",
        ('"below":"1"', '"below":"1000"'),
    )
    conn.commit()
    conn.close()
    async with open_as("carl") as carl:
        result = await carl.verify()
        assert not result.ok
        assert "action #2 (policy_approve) no longer matches its hash" in result.problems[0]


async def test_without_roles_any_operator_proposes_and_another_approves(make_desk) -> None:
    open_as = await make_desk()
    async with open_as("anna") as anna, open_as("ben") as ben:
        proposal = await proposals.propose(anna, LIMIT)
        with pytest.raises(SelfApproval):
            await proposals.approve(anna, proposal)
        await proposals.approve(ben, proposal)
        with pytest.raises(PolicyRefused):
            await anna.draft(move("1"))
