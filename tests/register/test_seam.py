"""The register's seam: one write transaction for what a caller composes, one hasher for
every chained action, and the Guard it asks before a person's act."""

from __future__ import annotations

import json

import pytest

from desk.register import EntryRejected, NewEntry, OpenGuard, PolicyRefused, Register
from desk.register.canonical import GENESIS, chain_hash
from desk.register.chain import action_hash, action_payload, chained_action
from tests.register.conftest import earning, payout, transfer


async def test_a_transaction_commits_its_writes_together(register: Register) -> None:
    async with register.transaction() as tx:
        (seq,) = await tx.append([earning(1)])
        action = await tx.record("note", {"about": seq, "text": "Қазақстан"})
        await tx.set_mark("price_history:kraken:BTC/USD", "2026-11-01")
        # reads through the register see what the block wrote
        assert (await register.actions(1))[0]["seq"] == action
    assert await register.count() == 1
    assert await register.meta_value("price_history:kraken:BTC/USD") == "2026-11-01"
    assert (await register.entry(seq)).drafted_by == "aliya"
    assert (await register.verify()).ok


async def test_a_transaction_that_raises_leaves_nothing_written(register: Register) -> None:
    with pytest.raises(RuntimeError):
        async with register.transaction() as tx:
            await tx.append([earning(1)])
            await tx.record("note", {"text": "half"})
            await tx.set_mark("price_history:kraken:BTC/USD", "2026-11-01")
            raise RuntimeError("the caller changed its mind")
    assert await register.count() == 0
    assert await register.actions() == []
    assert await register.meta_value("price_history:kraken:BTC/USD") is None
    assert (await register.verify()).ok


async def test_a_transaction_keeps_the_rules_of_the_register(register: Register) -> None:
    async with register.transaction() as tx:
        with pytest.raises(EntryRejected, match="needs a second operator"):
            await tx.append([transfer("0.1")])
        with pytest.raises(EntryRejected, match="not a sync mark"):
            await tx.set_mark("entry_count", "999")
        with pytest.raises(EntryRejected, match=r"note\.text"):
            await tx.record("note", {"text": "bell\x07"})
    assert await register.count() == 0 and await register.actions() == []


@pytest.mark.parametrize(
    "detail",
    [
        {},
        {"reason": "wrong wallet"},
        {"note": "Алия checked it", "nested": {"b": [1, "é"], "a": None}},
        {"quote": 'say "hi"\\ and a tab\t', "n": 3},
        {"control": "\x1f", "emoji": "🙂"},
    ],
)
def test_one_hasher_writes_what_verify_recomputes(detail: dict) -> None:
    """`chained_action` (every writer) hashes as the long form did and as verify checks."""
    head = (41, "ab" * 32)
    row = chained_action(head, ts="2026-11-01T00:00:00.000000Z", operator="aliya", action="x", detail=detail)
    assert row[0] == 42 and row[7] == head[1]
    assert json.loads(row[6]) == detail
    assert row[8] == chain_hash(head[1], action_payload(row)) == action_hash(row)
    assert chained_action((0, GENESIS), ts="t", operator="o", action="a")[:2] == (1, "t")


async def test_an_open_guard_judges_nothing_until_a_policy_is_approved(settings, tmp_path) -> None:
    from desk.controls import Controls, proposals

    path = settings.register.path
    async with Register.open(path, operator="aliya", create=True, controls=OpenGuard()) as reg:
        await reg.init_accounts(settings)
        await reg.post(earning(1))
        await reg.ingest([payout(1)])
        withdrawn = await reg.draft(transfer("0.001"))
    async with Register.open(path, operator="bolat", controls=Controls()) as reg:
        await proposals.propose(reg, {"op": "limit_set", "per": "day", "asset": "BTC", "below": "5"})
    async with Register.open(path, operator="dana", controls=Controls()) as reg:
        await proposals.approve(reg, 1)
    async with Register.open(path, operator="aliya", controls=OpenGuard()) as reg:
        with pytest.raises(PolicyRefused, match="opened without the controls"):
            await reg.post(earning(2))
        with pytest.raises(PolicyRefused, match="draft refused"):
            await reg.draft(transfer("0.001"))
        await reg.reject(withdrawn, "a maker may still withdraw their own draft")
        assert await reg.count() == 2


class Refusing:
    """A guard that notes what it was asked and refuses posting."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def authorize(self, register: Register, act: str) -> None:
        self.asked.append(act)
        if act == "post":
            raise PolicyRefused("test", f"{register.operator} may not {act} here")

    async def check_draft(self, register: Register, entry: NewEntry) -> None:
        self.asked.append("draft")

    async def check_approval(self, register, draft):  # type: ignore[no-untyped-def]
        self.asked.append("approve")
        return await OpenGuard().check_approval(register, draft)

    async def check_reject(self, register, draft) -> None:  # type: ignore[no-untyped-def]
        self.asked.append("reject")


async def test_the_register_asks_the_guard_it_was_opened_with(settings) -> None:
    guard = Refusing()
    async with Register.open(settings.register, operator="aliya", create=True, controls=guard) as reg:
        await reg.init_accounts(settings)
        with pytest.raises(PolicyRefused, match="aliya may not post here"):
            await reg.post(earning(1))
        await reg.ingest([payout(1)])  # a feed's write is not a person's act
        draft = await reg.draft(transfer("0.001"))
        reg.act_as("bolat")
        assert await reg.approve(draft) == 2
        await reg.reject(await reg.draft(transfer("0.002")), "no")
        assert await reg.count() == 2
    assert guard.asked == ["post", "draft", "approve", "draft", "reject"]
