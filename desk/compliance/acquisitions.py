"""Acquisitions: the coins the fund gets other than by mining (seizures and purchases),
built from what an operator typed.

One place turns the typed fields into an entry, for the command line (`desk seize`,
`desk purchase`) and the screen's forms alike; each refusal is an EntryRejected whose
`field` names the field to fix.

A seizure is posted at once, without a second operator: it records a fact that has already
happened (an authority handed coins to a reserve address under an order), not a decision of
the desk that moves the fund's money, which is what maker-checker guards. It is still signed
by the operator, chained, and carries its case reference, legal basis and seizing authority,
and the reserve's on-chain reconciliation catches a seizure that never arrived. A purchase
spends the fund's money, so it is drafted and posted only when another operator approves
it, like a conversion.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from desk.money import Amount, Asset, MoneyError, parse_amount, to_decimal
from desk.register import EntryRejected, NewEntry, Posting, Register
from desk.register.accounts import account_kind

SEIZURE_FIELDS = ("case", "case_reference", "legal_basis", "authority", "asset", "amount", "to", "tx", "memo")
PURCHASE_FIELDS = ("exchange", "order_id", "asset", "amount", "price", "pay", "into", "memo")
OPTIONAL = frozenset({"tx", "memo", "into"})


def _required(values: Mapping[str, str], fields: tuple[str, ...]) -> dict[str, str]:
    cleaned = {name: (values.get(name) or "").strip() for name in fields}
    for name in fields:
        if name not in OPTIONAL and not cleaned[name]:
            raise EntryRejected("required", field=name)
    return cleaned


def _asset(register: Register, code: str, field: str) -> Asset:
    try:
        return register.asset(code)
    except EntryRejected as exc:
        raise EntryRejected(str(exc), field=field) from None


def _refused(exc: MoneyError, field: str) -> EntryRejected:
    """A money refusal for `field`, without the label the message starts with: the field is
    named where it is shown (`--amount: ...` on the command line, the form's label)."""
    return EntryRejected(str(exc).removeprefix(f"{field}: "), field=field)


def _amount(register: Register, code: str, text: str) -> Amount:
    asset = _asset(register, code, "asset")
    try:
        amount = parse_amount(text, asset, what="amount")
    except MoneyError as exc:
        raise _refused(exc, "amount") from None
    if not amount:
        raise EntryRejected("must be more than zero", field="amount")
    return amount


def seizure_entry(register: Register, values: Mapping[str, str], at: datetime) -> NewEntry:
    """The seizure `values` describe: from income:seized:<case> into a reserve account."""
    v = _required(values, SEIZURE_FIELDS)
    source = f"income:seized:{v['case']}"
    try:
        account_kind(source)
    except EntryRejected:
        raise EntryRejected(
            f"{v['case']!r} is not an account name (lower case letters, digits, - and _)", field="case"
        ) from None
    amount = _amount(register, v["asset"], v["amount"])
    reserves = [a for a in register.accounts() if a.startswith("assets:reserve:")]
    if v["to"] not in reserves:
        raise EntryRejected(f"{v['to']} is not a reserve account; known: {', '.join(reserves)}", field="to")
    return NewEntry(
        kind="seizure",
        ts=at,
        postings=(Posting(source, -amount), Posting(v["to"], amount)),
        memo=v["memo"] or f"seizure, case {v['case_reference']}",
        reference=v["tx"] or None,
        details={"case_reference": v["case_reference"], "legal_basis": v["legal_basis"], "authority": v["authority"]},
    )


def purchase_entry(register: Register, values: Mapping[str, str], at: datetime) -> NewEntry:
    """The purchase `values` describe: paid from assets:exchange:<exchange> at `price` (units of
    the paying asset per one unit bought), landing on the exchange or `into`."""
    v = _required(values, PURCHASE_FIELDS)
    bought = _amount(register, v["asset"], v["amount"])
    pay_asset = _asset(register, v["pay"], "pay")
    try:
        price = to_decimal(v["price"], what="price")
    except MoneyError as exc:
        raise _refused(exc, "price") from None
    if price <= 0:
        raise EntryRejected("must be a positive number", field="price")
    venue = f"assets:exchange:{v['exchange']}"
    into = v["into"] or venue
    for field, account in (("exchange", venue), ("into", into)):
        if account not in register.accounts():
            raise EntryRejected(f"no account {account}; known: {', '.join(register.accounts())}", field=field)
    return NewEntry(
        kind="purchase",
        ts=at,
        postings=(Posting(venue, -bought.convert(price, pay_asset)), Posting(into, bought)),
        memo=v["memo"] or f"purchase on {v['exchange']}",
        reference=v["order_id"],
        price=price,
        details={"exchange": v["exchange"], "order_id": v["order_id"]},
    )


async def record_seizure(register: Register, entry: NewEntry) -> int:
    """Post a seizure, opening its case account with it if it is new (only if the seizure is
    posted: a refused one leaves nothing behind); return the seq."""
    source = entry.postings[0].account
    return await register.post(entry, opening=[source] if source not in register.accounts() else [])
