"""The account rules (desk/register/rules.py): which kinds of entry may move money out of and
into which types of account, judged in the register's write path for every face."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk.config import DeskSettings
from desk.money import BTC, Amount
from desk.register import KINDS, NewEntry, Posting, Register, RuleRefused, reversal_of, rules
from desk.register.accounts import KINDS as ACCOUNT_TYPES
from tests.register.conftest import T0, earning, payout, transfer

ONE = Amount(BTC, "0.1")


def account_of(account_type: str) -> str:
    named = {"income:mining": "f2main", "assets:pool": "f2main", "assets:wallet": "ops", "assets:exchange": "aix",
             "assets:reserve": "cold", "income:seized": "case-17", "assets:transit": "bitcoin"}  # fmt: skip
    return f"{account_type}:{named[account_type]}" if ACCOUNT_TYPES[account_type] else account_type


def test_every_account_type_has_a_rule_each_way() -> None:
    assert set(rules.RULES) == {(t, d) for t in ACCOUNT_TYPES for d in (rules.OUT, rules.IN)}


@pytest.mark.parametrize("rule", rules.FLOW_RULES, ids=lambda r: r.name)
def test_each_rule_admits_its_kinds_and_refuses_the_others_by_name(rule: rules.FlowRule) -> None:
    amount = -ONE if rule.direction == rules.OUT else ONE
    leg = [Posting(account_of(rule.account_type), amount)]
    for kind in KINDS:
        if kind == "reversal":
            continue
        refusal = rules.flow_refusal(kind, leg)
        if kind in rule.kinds:
            assert refusal is None, (kind, refusal)
        else:
            assert refusal is not None and refusal.rule == rule.name, kind
            assert str(refusal).startswith(f"refused by rule {rule.name}: a {kind} may not")


async def fund(register: Register) -> None:
    await register.ingest([earning(1, "3"), payout(1, "2", tx="aa" * 32)])


async def counts(register: Register) -> tuple[int, int, int]:
    return (await register.count(), len(await register.drafts(limit=None)), len(await register.actions(1000)))


@pytest.mark.parametrize(
    ("source", "target", "rule"),
    [
        ("income:mining:f2main", "assets:reserve:cold", "income:mining:out"),
        ("assets:pool:f2main", "assets:reserve:cold", "assets:pool:out"),
        ("assets:wallet:ops", "income:mining:f2main", "income:mining:in"),
        ("assets:wallet:ops", "assets:pool:f2main", "assets:pool:in"),
        ("equity:opening", "assets:reserve:cold", "equity:opening:out"),
        ("assets:wallet:ops", "income:seized:case-17", "income:seized:in"),
    ],
)
async def test_a_transfer_no_desk_allows_is_refused_at_draft_naming_the_rule(
    register: Register, source: str, target: str, rule: str
) -> None:
    await fund(register)
    before = await counts(register)
    with pytest.raises(RuleRefused) as refused:
        await register.draft(transfer("0.1", source=source, target=target))
    assert refused.value.rule == rule
    assert await counts(register) == before


async def test_a_feed_entry_into_the_reserve_is_refused_and_nothing_of_its_batch_written(register: Register) -> None:
    wrong = NewEntry(
        kind="earning",
        ts=T0,
        postings=(Posting("income:mining:f2main", -ONE), Posting("assets:reserve:cold", ONE)),
        source="pool:f2main",
        external_id="earn-x",
    )
    with pytest.raises(RuleRefused, match="assets:reserve:in"):
        await register.ingest([earning(1), wrong])
    assert await register.count() == 0


async def test_a_posted_fee_out_of_the_reserve_is_refused(register: Register) -> None:
    fee = NewEntry(kind="fee", ts=T0, postings=(Posting("assets:reserve:cold", -ONE), Posting("expenses:fees", ONE)))
    with pytest.raises(RuleRefused, match="refused by rule assets:reserve:out"):
        await register.post(fee)


async def test_approval_judges_the_rules_again(
    register: Register, settings: DeskSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A draft recorded before a rule existed (here: with the rules switched off) is refused
    when it comes to be approved, and nothing is posted."""
    await fund(register)
    with monkeypatch.context() as patch:
        patch.setattr(rules, "check_flows", lambda entry: None)
        draft_id = await register.draft(transfer("0.1", source="income:mining:f2main"))
    async with Register.open(settings.register, operator="bek") as checker:
        with pytest.raises(RuleRefused, match="income:mining:out"):
            await checker.approve(draft_id)
        assert await checker.count() == 2
        assert await checker.balance("assets:reserve:cold", "BTC") == Amount(BTC, 0)


async def approved(register: Register, settings: DeskSettings, entry: NewEntry) -> int:
    draft_id = await register.draft(entry)
    async with Register.open(settings.register, operator="bek") as checker:
        seq = await checker.approve(draft_id)
    assert seq is not None
    return seq


async def test_a_reversal_undoes_exactly_one_entry_once(register: Register, settings: DeskSettings) -> None:
    await fund(register)
    seq = await approved(register, settings, transfer("0.5"))
    original = await register.entry(seq)
    later = T0 + timedelta(days=2)
    first = await register.draft(reversal_of(original, later))
    second = await register.draft(reversal_of(original, later))
    async with Register.open(settings.register, operator="bek") as checker:
        await checker.approve(first)
        with pytest.raises(RuleRefused, match=f"reversal:once: entry #{seq} is already reversed"):
            await checker.approve(second)
    skewed = reversal_of(original, later)
    halved = (Posting(p.account, Amount.from_units(BTC, p.amount.units // 2)) for p in skewed.postings)
    with pytest.raises(RuleRefused, match="reversal:mirror"):
        await register.draft(NewEntry(kind="reversal", ts=later, postings=tuple(halved), reverses=seq))
    with pytest.raises(RuleRefused, match="reversal:exists"):
        await register.draft(NewEntry(kind="reversal", ts=later, postings=skewed.postings, reverses=999))
    assert (await register.verify()).ok


async def test_an_approval_that_takes_more_than_the_wallet_holds_names_the_funds_rule(
    register: Register, settings: DeskSettings
) -> None:
    await fund(register)
    draft_id = await register.draft(transfer("2.5"))
    async with Register.open(settings.register, operator="bek") as checker:
        with pytest.raises(RuleRefused, match="refused by rule funds: insufficient balance in assets:wallet:ops"):
            await checker.approve(draft_id)
