"""Which kinds of entry may move money out of and into which types of account, as data.

The register judges every entry against these rules in its write path (`post`, `ingest`,
`draft` and again at `approve`), so the CLI, the screen, the sync and a script meet the same
refusal, named by the rule (`refused by rule income:mining:in: ...`). The screen's transfer
form asks the same functions as you type; there is no second copy of a rule anywhere.

A posting that takes money out of an account (a negative amount) is the account's `out`,
one that puts money in is its `in`. Reversals are judged by their own rules: a reversal
undoes exactly one posted entry (the same postings negated), once — so it may move money
only where the entry it undoes moved it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from desk.money import Amount, Asset
from desk.register.accounts import account_kind
from desk.register.entries import LIFECYCLE_KINDS, Entry, NewEntry, Posting
from desk.register.errors import RuleRefused

OUT, IN = "out", "in"


@dataclass(frozen=True, slots=True)
class FlowRule:
    """Money may leave (`out`) or enter (`in`) an account of `account_type` only in an entry
    of one of `kinds`."""

    account_type: str
    direction: str
    kinds: frozenset[str]
    why: str

    @property
    def name(self) -> str:
        return f"{self.account_type}:{self.direction}"


def _rule(account_type: str, direction: str, kinds: Iterable[str], why: str) -> FlowRule:
    return FlowRule(account_type, direction, frozenset(kinds), why)


FLOW_RULES: tuple[FlowRule, ...] = (
    _rule("income:mining", OUT, {"earning"}, "mining income is credited only by a pool's earnings"),
    _rule("income:mining", IN, (), "mining income is never debited; undo an earning by reversing it"),
    _rule("income:seized", OUT, {"seizure"}, "seized income is credited only by a seizure"),
    _rule("income:seized", IN, (), "seized income is never debited; undo a seizure by reversing it"),
    _rule("assets:pool", OUT, {"payout"}, "a pool account gives only by paying out"),
    _rule("assets:pool", IN, {"earning", "opening"}, "a pool account receives only its earnings"),
    _rule(
        "assets:wallet",
        OUT,
        {"transfer", "conversion", "fee", "settlement"},
        "a wallet gives by a transfer, conversion or fee (an on-chain transfer's fee when it settles)",
    ),
    _rule(
        "assets:wallet",
        IN,
        {"payout", "transfer", "conversion", "purchase", "seizure", "opening", "settlement", "return"},
        "a wallet receives payouts, transfers (settled or returned), conversions, purchases, seizures and "
        "opening balances",
    ),
    _rule(
        "assets:exchange",
        OUT,
        {"transfer", "conversion", "purchase", "fee", "settlement"},
        "an exchange account gives by a transfer, conversion, purchase or fee (an on-chain transfer's fee when it "
        "settles)",
    ),
    _rule(
        "assets:exchange",
        IN,
        {"transfer", "conversion", "purchase", "seizure", "opening", "settlement", "return"},
        "an exchange account receives transfers (settled or returned), conversions, purchases, seizures and "
        "opening balances",
    ),
    _rule(
        "assets:reserve",
        OUT,
        {"transfer", "conversion", "settlement"},
        "the reserve gives only through maker-checker (a transfer or conversion, drafted and approved) "
        "and the network fee such a transfer paid on chain when it settles",
    ),
    _rule(
        "assets:reserve",
        IN,
        {"transfer", "conversion", "purchase", "seizure", "opening", "settlement", "return"},
        "the reserve receives through maker-checker (settled or returned on chain), a seizure or an opening balance",
    ),
    _rule(
        "assets:transit",
        OUT,
        {"settlement", "return"},
        "coins in transit leave only when their transfer settles at its destination or returns to its source",
    ),
    _rule("assets:transit", IN, {"transfer"}, "coins enter transit only by an approved on-chain transfer"),
    _rule("expenses:fees", OUT, (), "fees paid are never taken back; undo a fee by reversing its entry"),
    _rule(
        "expenses:fees",
        IN,
        {"payout", "fee", "transfer", "conversion", "purchase", "settlement"},
        "fees are paid by payouts, fees, transfers, conversions, purchases and settled on-chain transfers",
    ),
    _rule("equity:opening", OUT, {"opening"}, "opening equity funds only opening balances"),
    _rule("equity:opening", IN, (), "opening equity is never paid back into"),
)

RULES: Mapping[tuple[str, str], FlowRule] = {(r.account_type, r.direction): r for r in FLOW_RULES}

#: The reversal's own rules.
REVERSAL_EXISTS = "reversal:exists"
REVERSAL_MIRROR = "reversal:mirror"
REVERSAL_ONCE = "reversal:once"
#: Settlements and returns: posted only by a transfer's chained action (register/transfers.py).
LIFECYCLE = "lifecycle"
_lifecycle: ContextVar[bool] = ContextVar("lifecycle", default=False)


@contextmanager
def lifecycle_gate() -> Iterator[None]:
    """Within this block (a transfer action's write, desk/register/transfers.py) the entries
    that settle or return a transfer may pass `check_flows`; nowhere else."""
    token = _lifecycle.set(True)
    try:
        yield
    finally:
        _lifecycle.reset(token)


#: Funds: what an approval may take from an account that must hold it.
FUNDS = "funds"
FUNDED_TYPES = frozenset({"assets:wallet", "assets:exchange", "assets:reserve"})


def flow_refusal(kind: str, postings: Iterable[Posting]) -> RuleRefused | None:
    """The first flow rule `kind` with `postings` breaks, as the refusal to raise, or None."""
    if kind == "reversal":
        return None  # judged against the entry it undoes: see reversal_refusal
    for posting in postings:
        if not posting.amount:
            continue
        direction = OUT if posting.amount.value < 0 else IN
        rule = RULES.get((account_kind(posting.account), direction))
        if rule is not None and kind not in rule.kinds:
            verb = "take money out of" if direction == OUT else "put money into"
            return RuleRefused(rule.name, f"a {kind} may not {verb} {posting.account}: {rule.why}")
    return None


def check_flows(entry: NewEntry) -> None:
    if entry.kind in LIFECYCLE_KINDS and not _lifecycle.get():
        raise RuleRefused(
            LIFECYCLE,
            f"a {entry.kind} is posted only by the chain watch or `desk broadcast` as an approved transfer's "
            "life goes on (desk/transfers); it cannot be posted, ingested or drafted",
        )
    refusal = flow_refusal(entry.kind, entry.postings)
    if refusal is not None:
        raise refusal


def reversal_refusal(entry: NewEntry, original: Entry | None, reversed_by: int | None) -> RuleRefused | None:
    """A reversal names a posted entry, negates exactly its postings, and is its only one."""
    if original is None:
        return RuleRefused(
            REVERSAL_EXISTS, f"a reversal undoes a posted entry, and there is no entry #{entry.reverses}"
        )
    mirrored = [(p.account, -p.amount) for p in original.postings]
    if sorted(((p.account, p.amount) for p in entry.postings), key=_order) != sorted(mirrored, key=_order):
        return RuleRefused(
            REVERSAL_MIRROR, f"a reversal of #{original.seq} negates exactly its postings, and these differ"
        )
    if reversed_by is not None:
        return RuleRefused(REVERSAL_ONCE, f"entry #{original.seq} is already reversed by #{reversed_by}")
    return None


def _order(leg: tuple[str, Amount]) -> tuple[str, str, int]:
    return (leg[0], leg[1].asset.code, leg[1].units)


def funds_needed(postings: Iterable[Posting]) -> dict[tuple[str, str], int]:
    """(account, asset) -> units the postings take out of accounts that must hold them."""
    needs: dict[tuple[str, str], int] = {}
    for p in postings:
        if p.amount.value < 0 and account_kind(p.account) in FUNDED_TYPES:
            key = (p.account, p.asset.code)
            needs[key] = needs.get(key, 0) - p.amount.units
    return needs


def funds_refusal(postings: Iterable[Posting], held: Mapping[tuple[str, str], int]) -> RuleRefused | None:
    """Refusal when postings take more from a wallet, exchange or reserve account than it
    holds (`held`: units per (account, asset))."""
    legs = list(postings)
    assets: dict[str, Asset] = {p.asset.code: p.asset for p in legs}
    for (account, code), units in funds_needed(legs).items():
        have = held.get((account, code), 0)
        if have < units:
            asset = assets[code]
            return RuleRefused(
                FUNDS,
                f"insufficient balance in {account}: it holds {Amount.from_units(asset, have)}, the entry takes "
                f"{Amount.from_units(asset, units)}",
                field="amount",
            )
    return None
