"""Recording an acquisition — coins that come in other than by mining. A seizure is posted at
once (it records a handover that already happened; desk.compliance.acquisitions says why no
second operator is asked); a purchase becomes a draft for another operator. `desk seize`,
`desk purchase` and the acquisition form all go through here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from desk.compliance.acquisitions import (
    OPTIONAL,
    PURCHASE_FIELDS,
    SEIZURE_FIELDS,
    purchase_entry,
    record_seizure,
    seizure_entry,
)
from desk.money import Amount
from desk.register import EntryRejected, NewEntry, Register
from desk.valuation.prices import PriceMissing, PricePolicy, market_priced, value_of

Kind = Literal["seizure", "purchase"]
#: the fields each kind is typed in, in the order a person fills them
FIELDS: dict[str, tuple[str, ...]] = {"seizure": SEIZURE_FIELDS, "purchase": PURCHASE_FIELDS}


@dataclass(frozen=True, slots=True)
class Recorded:
    """What recording did: a seizure's posted entry seq, or a purchase's draft id."""

    kind: Kind
    number: int
    entry: NewEntry

    @property
    def posted(self) -> bool:
        return self.kind == "seizure"


def acquisition_entry(register: Register, kind: Kind, values: Mapping[str, str], at: datetime) -> NewEntry:
    """The entry `values` describe, or EntryRejected naming the field (`field`) to fix."""
    build = seizure_entry if kind == "seizure" else purchase_entry
    return build(register, values, at)


async def record_acquisition(register: Register, kind: Kind, entry: NewEntry) -> Recorded:
    """Post a seizure (opening its case account with it) or draft a purchase."""
    if kind == "seizure":
        return Recorded(kind, await record_seizure(register, entry), entry)
    return Recorded(kind, await register.draft(entry), entry)


def field_problems(register: Register, kind: Kind, values: Mapping[str, str], at: datetime) -> dict[str, str]:
    """Every problem of the fields typed so far, by field, before the rest is filled in: the
    form shows a field's problem as soon as the field is left, not only when the whole entry
    is asked for. Each empty field gets a stand-in that passes, so the builder judges the
    typed ones; an amount is judged only against an asset that is right."""
    typed = {name: (values.get(name) or "").strip() for name in FIELDS[kind]}
    trial = {**_stand_ins(register), **{name: text for name, text in typed.items() if text}}
    found: dict[str, str] = {}
    for _ in FIELDS[kind]:
        try:
            acquisition_entry(register, kind, trial, at)
        except EntryRejected as exc:
            name = exc.field or ""
            if not typed.get(name) or name in found:
                break  # a stand-in refused (nothing to stand in with): the typed fields are judged on submit
            found[name] = str(exc)
            trial[name] = _stand_ins(register).get(name, "")
            if name in ("asset", "pay"):
                trial["amount"] = "1"
            continue
        break
    return found


def _stand_ins(register: Register) -> dict[str, str]:
    """A value for each field that the builders take, where the register has one."""
    accounts = register.accounts()
    reserves = [a for a in accounts if a.startswith("assets:reserve:")]
    venues = [a.removeprefix("assets:exchange:") for a in accounts if a.startswith("assets:exchange:")]
    codes = sorted(register.assets())
    stand = {"case": "stand-in", "case_reference": "-", "legal_basis": "-", "authority": "-", "order_id": "-"}
    stand |= {"amount": "1", "price": "1"}
    if codes:
        stand |= {"asset": codes[0], "pay": codes[0]}
    if reserves:
        stand["to"] = reserves[0]
    if venues:
        stand["exchange"] = venues[0]
    return stand


def missing_fields(kind: Kind, values: Mapping[str, str]) -> list[str]:
    """The required fields of `kind` still empty, in the order they are filled."""
    return [name for name in FIELDS[kind] if name not in OPTIONAL and not (values.get(name) or "").strip()]


#: how far a purchase's price may stray from the market before the operator is warned
PRICE_WARNING_PERCENT = Decimal(5)


async def purchase_warnings(register: Register, entry: NewEntry, at: datetime, settings: Any = None) -> list[str]:
    """What a person should look at twice before drafting purchase `entry`: a price more
    than PRICE_WARNING_PERCENT from the market's at `at` (or no market price to compare).
    A warning, not a refusal: a fill may be far from the last quote for a reason."""
    if entry.kind != "purchase" or entry.price is None:
        return []
    paid = next(p.amount.asset.code for p in entry.postings if p.amount.units < 0)
    bought = next(p.amount.asset for p in entry.postings if p.amount.units > 0)
    currency = {"USDT": "USDT", "USD": "USD", "KZT": "KZT", "KZTE": "KZT"}.get(paid)
    if currency is None or not market_priced(bought.code):
        return []
    policy = PricePolicy.from_settings(settings) if hasattr(settings, "valuation") else PricePolicy()
    try:
        market = await value_of(register, Amount(bought, 1), at, currency, policy=policy)
    except PriceMissing as exc:
        return [f"no market price to compare the price with: {exc.why}"]
    if not market.price:
        return []
    off = (entry.price - market.price) / market.price * 100
    if abs(off) <= PRICE_WARNING_PERCENT:
        return []
    side = "above" if off > 0 else "below"
    return [
        f"price {entry.price} {paid} per {bought.code} is {abs(off):.1f} % {side} the market "
        f"({market.price:,.2f} {market.currency}, {market.source} at {market.source_time:%Y-%m-%d %H:%M} UTC)"
    ]
