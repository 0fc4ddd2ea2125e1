"""What a person is about to confirm, in full: the postings, what they are worth in KZT and
in dollars with the price behind each value (which quote, from when), the rules that apply
and the approvals still needed, and who drafted it and when.

Approving, rejecting, posting a seizure and drafting a purchase all show this before the
second key that does it (the screen's confirm modal), so an operator never decides on a
one-line summary; `describe_draft` and `describe_entry` know no face, and their `lines()`
read the same on the command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from desk.controls import Controls, describe_tally
from desk.register import Draft, NewEntry, Posting, Register
from desk.register.text import shown
from desk.valuation.prices import PriceMissing, PricePolicy, Valued, snapshot, value_in

#: the currencies a value is shown in, in this order (dollars may come out as USDT: labelled so)
CURRENCIES = ("KZT", "USD")
#: why a seizure has no approval step (desk.compliance.acquisitions explains it at length)
SEIZURE_RULE = "posted at once, no second operator: it records a handover that already happened"


@dataclass(frozen=True, slots=True)
class Worth:
    """One value of the entry: `value` in `currency` (None when no price exists, `why` says),
    and the prices it rests on with their time."""

    currency: str
    value: Decimal | None
    provenance: str
    stale: bool = False

    def text(self) -> str:
        if self.value is None:
            return f"n/a in {self.currency}: {self.provenance}"
        places = Decimal(1) if self.currency == "KZT" else Decimal("0.01")
        stale = "  STALE" if self.stale else ""
        return f"{self.value.quantize(places):,} {self.currency}  ({self.provenance}){stale}"


@dataclass(frozen=True, slots=True)
class Description:
    """An entry (drafted or about to be recorded) as a person confirms it."""

    title: str
    entry: NewEntry
    worth: tuple[Worth, ...]
    rules: str
    #: who drafted it and when ("drafted by aliya at ..."), or who records it now
    origin: str

    @property
    def postings(self) -> tuple[Posting, ...]:
        return self.entry.postings

    def lines(self) -> list[str]:
        """Plain text, one fact a line (no markup: memos are typed by people)."""
        e = self.entry
        width = max((len(p.account) for p in e.postings), default=0)
        lines = [self.title, self.origin, "", "postings:"]
        lines += [f"  {p.account:<{width}}  {p.amount!s:>28}" for p in e.postings]
        if e.price is not None:
            lines.append(f"  at price {e.price}")
        lines += ["", "worth now:", *(f"  {w.text()}" for w in self.worth)]
        lines += [
            "",
            f"rules: {self.rules}",
            f"memo: {shown(e.memo) or '-'}",
            f"reference: {shown(e.reference or '-')}",
        ]
        lines += [f"{key.replace('_', ' ')}: {shown(str(value))}" for key, value in (e.details or {}).items()]
        return lines


async def describe_draft(register: Register, draft: Draft, at: datetime, settings: Any = None) -> Description:
    """Draft `draft` for its approver or rejecter: valued at `at` (now: what approving moves)."""
    tally = await _tally(register, draft)
    origin = f"drafted by {draft.drafted_by} at {draft.created_at:%Y-%m-%d %H:%M:%S} UTC"
    title = f"draft #{draft.id}: {draft.entry.kind}"
    return Description(title, draft.entry, await worth_of(register, draft.entry, at, settings), tally, origin)


async def describe_entry(register: Register, entry: NewEntry, at: datetime, settings: Any = None) -> Description:
    """A seizure or purchase typed but not yet recorded: a seizure posts at once, a purchase
    becomes a draft under the rules shown."""
    if entry.kind == "seizure":
        rules = SEIZURE_RULE
        title = "post this seizure"
    else:
        stand_in = Draft(id=0, created_at=at, drafted_by=register.operator, state="pending", entry=entry)
        rules = f"drafted for approval; {await _tally(register, stand_in)}"
        title = f"draft this {entry.kind}"
    origin = f"recorded by {register.operator} at {at:%Y-%m-%d %H:%M:%S} UTC"
    return Description(title, entry, await worth_of(register, entry, at, settings), rules, origin)


async def _tally(register: Register, draft: Draft) -> str:
    controls = register.controls
    if not isinstance(controls, Controls):  # a register's own guard: plain maker-checker
        return "maker-checker: one approval by an operator other than the maker"
    return describe_tally(await controls.tally(register, draft))


async def worth_of(register: Register, entry: NewEntry, at: datetime, settings: Any = None) -> tuple[Worth, ...]:
    """What `entry` moves (its positive legs; a purchase's bought leg) worth in KZT and USD at
    `at`, each with its quotes. A purchase is valued by what it buys."""
    moved = [p.amount for p in entry.postings if p.amount.units > 0]
    policy = PricePolicy.from_settings(settings) if hasattr(settings, "valuation") else PricePolicy()
    book = await snapshot(register, sorted({a.asset.code for a in moved}), at)
    found = []
    for currency in CURRENCIES:
        try:
            parts = [value_in(book, amount, at, currency, policy) for amount in moved]
        except PriceMissing as exc:
            found.append(Worth(currency, None, exc.why))
            continue
        found.append(_summed(parts, currency))
    return tuple(found)


def _summed(parts: list[Valued], currency: str) -> Worth:
    value = sum((p.value for p in parts), Decimal(0))
    label = "/".join(sorted({p.currency for p in parts})) or currency  # USDT is never shown as USD
    provenance = "; ".join(dict.fromkeys(_source(p) for p in parts)) or "no price needed"
    return Worth(label, value, provenance, any(p.stale for p in parts))


def _source(valued: Valued) -> str:
    if valued.source in ("par", "peg"):
        return valued.source
    rate = f", official rate of {valued.kzt_rate_date}" if valued.kzt_rate_date else ""
    return f"{valued.source} quoted {valued.source_time:%Y-%m-%d %H:%M} UTC{rate}"
