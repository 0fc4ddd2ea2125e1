"""Transfers into the reserve need a second operator; the record says who did what."""

from __future__ import annotations

import pytest

from desk.config import DeskSettings
from desk.money import BTC, Amount
from desk.register import EntryRejected, Register, SelfApproval
from tests.register.conftest import earning, payout, transfer


async def fund_wallet(reg: Register) -> None:
    await reg.ingest([earning(1, "3"), payout(1, "2", tx="aa" * 32)])


async def test_draft_approved_by_another_operator_is_posted_with_both_names(
    register: Register, settings: DeskSettings
) -> None:
    await fund_wallet(register)
    draft_id = await register.draft(transfer("1.5"))
    assert await register.balance("assets:reserve:cold", "BTC") == Amount(BTC, 0)
    async with Register.open(settings.register, operator="bek") as checker:
        seq = await checker.approve(draft_id)
        entry = await checker.entry(seq)
    assert (entry.drafted_by, entry.approved_by) == ("aliya", "bek")
    assert await register.balance("assets:reserve:cold", "BTC") == Amount(BTC, "1.5")
    assert [a["action"] for a in await register.actions()][:2] == ["approve", "draft"]
    assert (await register.verify()).ok


async def test_self_approval_is_refused_and_the_attempt_recorded(register: Register) -> None:
    await fund_wallet(register)
    draft_id = await register.draft(transfer("1"))
    with pytest.raises(SelfApproval, match="different operator"):
        await register.approve(draft_id)
    assert (await register.drafts())[0].id == draft_id
    assert (await register.actions())[0]["action"] == "refused_self_approval"
    assert await register.count() == 2


async def test_rejection_needs_a_reason_and_closes_the_draft(register: Register, settings: DeskSettings) -> None:
    draft_id = await register.draft(transfer("1"))
    async with Register.open(settings.register, operator="bek") as checker:
        with pytest.raises(EntryRejected, match="reason"):
            await checker.reject(draft_id, "  ")
        await checker.reject(draft_id, "wrong wallet")
        with pytest.raises(EntryRejected, match="already rejected"):
            await checker.approve(draft_id)
    assert await register.drafts() == []
    assert (await register.actions())[0]["detail"] == {"reason": "wrong wallet"}


async def test_approval_that_would_overdraw_the_wallet_is_refused(register: Register, settings: DeskSettings) -> None:
    await fund_wallet(register)
    draft_id = await register.draft(transfer("2.00000001"))
    async with Register.open(settings.register, operator="bek") as checker:
        with pytest.raises(EntryRejected, match="insufficient balance in assets:wallet:ops"):
            await checker.approve(draft_id)
    assert await register.count() == 2
