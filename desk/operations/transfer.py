"""Drafting a transfer between two accounts: the checks a person's typing goes through and the
draft it becomes. The transfer form runs `check_transfer` on every keystroke and `desk
transfer` once, so both refuse exactly the same things, in the same words, by the register's
own rules (desk/register/rules.py) — before the register is asked."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from desk.config import DeskSettings
from desk.money import Amount, MoneyError, parse_amount
from desk.register import EntryRejected, NewEntry, Posting, Register, RegisterError, rules
from desk.transfers.drafting import draft_transfer as draft_entry
from desk.transfers.drafting import on_chain_entry

#: a field's name ("from", "to", "asset", "amount", "reference", "memo") as a face shows it
Label = Callable[[str], str]
#: the fields a transfer cannot be drafted without
REQUIRED = ("from", "to", "asset", "amount")


def as_typed(name: str) -> str:
    """The form's naming: a field is called by its own name."""
    return name


@dataclass(frozen=True, slots=True)
class TransferInput:
    """A transfer as typed, every field text (an empty reference is none)."""

    source: str
    target: str
    asset: str
    amount: str
    reference: str = ""
    memo: str = ""

    def typed(self, name: str) -> str:
        values = {"from": self.source, "to": self.target, "asset": self.asset, "amount": self.amount}
        return values.get(name, "").strip()


@dataclass(frozen=True, slots=True)
class TransferCheck:
    """What the typing so far amounts to: the amount once it parses, and every problem found
    (each a sentence naming its field), in the order a person fills the fields."""

    amount: Amount | None
    problems: list[str] = field(default_factory=list)


def check_transfer(
    register: Register,
    typed: TransferInput,
    *,
    held: Mapping[tuple[str, str], Amount] | None = None,
    label: Label = as_typed,
) -> TransferCheck:
    """Judge `typed` as far as it goes (an empty field is not a problem yet): the accounts,
    the asset, the amount, the account rules for each leg, and — when `held` (balances per
    (account, asset)) is given — whether the source holds the amount."""
    accounts = set(register.accounts())
    problems: list[str] = []
    src, dst, code, text = (typed.typed(name) for name in REQUIRED)
    for name, account in (("from", src), ("to", dst)):
        if account and account not in accounts:
            problems.append(f"{label(name)}: unknown account {account}")
    if src and src == dst:
        problems.append(f"{label('from')} and {label('to')} are the same account")
    asset = None
    if code:
        try:
            asset = register.asset(code)
        except RegisterError as exc:
            problems.append(f"{label('asset')}: {exc}")
    amount: Amount | None = None
    if asset is not None and text:
        try:
            amount = parse_amount(text, asset, what=label("amount"))
        except MoneyError as exc:
            problems.append(str(exc))
        else:
            if amount.units <= 0:
                problems.append(f"{label('amount')}: must be more than zero")
                amount = None
    if src in accounts and dst in accounts and src != dst:
        # the direction of each leg is what the account rules judge; one unit stands in for an
        # amount not typed yet
        moved = amount or Amount.from_units(asset or next(iter(register.assets().values())), 1)
        refusal = rules.flow_refusal("transfer", (Posting(src, -moved), Posting(dst, moved)))
        if refusal is not None:
            problems.append(str(refusal))
    if held is not None and src in accounts and amount is not None:
        units = {key: have.units for key, have in held.items()}
        refusal = rules.funds_refusal((Posting(src, -amount),), units)
        if refusal is not None:
            problems.append(str(refusal))
    return TransferCheck(amount, problems)


def missing(typed: TransferInput) -> list[str]:
    """The required fields still empty."""
    return [name for name in REQUIRED if not typed.typed(name)]


@dataclass(frozen=True, slots=True)
class Drafted:
    """A transfer drafted: the draft's id, the amount it moves and the chain it travels on
    (None for a book move between accounts without addresses)."""

    id: int
    amount: Amount
    chain: str | None = None


async def draft_transfer(
    register: Register,
    typed: TransferInput,
    at: datetime,
    *,
    settings: DeskSettings | None = None,
    label: Label = as_typed,
) -> Drafted:
    """Record `typed` as a draft at `at` for a second operator to approve.
    Refused (EntryRejected naming the field, nothing written) when a field is missing or a
    check fails; the register then judges the draft itself (funds, limits, text). With the
    desk's `settings`, a transfer between two watched addresses is drafted on chain, through
    `assets:transit:<chain>` (desk/transfers/drafting.py)."""
    empty = missing(typed)
    if empty:
        raise EntryRejected(f"{label(empty[0])}: empty; it is required", field=empty[0])
    check = check_transfer(register, typed, label=label)
    if check.problems or check.amount is None:
        raise EntryRejected(check.problems[0] if check.problems else f"{label('amount')}: required")
    source, target, reference = typed.source.strip(), typed.target.strip(), typed.reference or None
    if settings is None:
        postings = (Posting(source, -check.amount), Posting(target, check.amount))
        entry = NewEntry(kind="transfer", ts=at, postings=postings, memo=typed.memo, reference=reference)
    else:
        entry = on_chain_entry(settings, source, target, check.amount, at, typed.memo, reference)
    try:
        draft_id = await draft_entry(register, entry)
    except EntryRejected as exc:
        if exc.field in ("memo", "reference") and label(exc.field) != exc.field:
            raise EntryRejected(f"{label(exc.field)}: {exc}", field=exc.field) from None
        raise
    return Drafted(draft_id, check.amount, (entry.details or {}).get("chain"))
