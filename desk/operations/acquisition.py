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
from desk.money import amount_text
from desk.register import EntryRejected, NewEntry, Register
from desk.valuation.prices import snapshot

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


@dataclass(frozen=True, slots=True)
class PriceWarning:
    """A purchase's price away from the market by more than the configured band: said before
    the draft is recorded, not refused (a thin market or a fast move can be real)."""

    price: Decimal
    market: Decimal
    source: str
    percent: Decimal
    band: Decimal

    def __str__(self) -> str:
        side = "above" if self.percent > 0 else "below"
        return (
            f"price {self.price:,f} is {abs(self.percent):.1f} % {side} the market "
            f"({self.market:,f} at {self.source}; warned beyond {self.band} %)"
        )


async def purchase_price_warning(register: Register, settings: Any, entry: NewEntry) -> PriceWarning | None:
    """Whether a purchase's price is further from the latest market price of the same pair
    (bought asset in the paying one, any source, at or before the entry's time) than
    `[valuation] purchase_band` percent; None when it is within, or no market quotes the pair."""
    if entry.kind != "purchase" or entry.price is None or len(entry.postings) != 2:
        return None
    paid, bought = entry.postings
    base, quote = bought.amount.asset.code, paid.amount.asset.code
    book = await snapshot(register, [base], entry.ts)
    quotes = book.latest(base, quote, entry.ts)
    if not quotes:
        return None
    market = max(quotes, key=lambda q: q.source_time)
    band = Decimal(getattr(getattr(settings, "valuation", None), "purchase_band", Decimal(5)))
    percent = (entry.price / market.price - 1) * 100
    if abs(percent) <= band:
        return None
    return PriceWarning(entry.price, market.price, f"{market.source} {base}/{quote}", percent, band)


def legs_text(entry: NewEntry) -> str:
    """Both legs of a purchase (`0.25000000 BTC for 24,353.087500 USDT`), else the amount
    received: a purchase's draft hid what was paid."""
    given = next((p for p in entry.postings if p.amount.units < 0), None)
    received = next((p for p in entry.postings if p.amount.units > 0), None)
    if received is None:
        return amount_text(given.amount) if given else ""
    if given is not None and given.amount.asset != received.amount.asset:
        return f"{amount_text(received.amount)} for {amount_text(-given.amount)}"
    return amount_text(received.amount)


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
