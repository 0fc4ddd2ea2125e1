"""Entries and postings: what the register records, and the rules an entry must keep.

An entry is double-entry: its postings sum to zero per asset. A conversion is the one
exception that balances through its price: exactly two postings in two assets, the asset
given up (negative) times the price equals the asset received, to the received asset's
precision. A purchase balances the same way but carries the price as an exchange quotes it
(units given per one unit received: 97,000 USDT per BTC), so there the received leg is the
base.

Seizures and purchases carry `details`, their own fields (case reference, legal basis and
seizing authority; exchange and order id), which are part of the hashed canonical form. An
entry without details hashes exactly as before details existed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from desk.money import Amount, Asset, MoneyError, to_decimal
from desk.register.accounts import account_kind
from desk.register.errors import EntryRejected
from desk.register.text import check_text

KINDS = (
    "earning",
    "payout",
    "transfer",
    "conversion",
    "fee",
    "seizure",
    "opening",
    "reversal",
    "purchase",
    "settlement",
    "return",
)
#: The kinds the chain watch posts on an approved on-chain transfer's behalf (desk/transfers):
#: a `settlement` moves it from transit to its destination once confirmed, a `return` moves it
#: back to its source when it expired, failed or was double-spent. Each is named by the chained
#: transfer action that posted it, so neither needs a second operator: the transfer they finish
#: was approved by one.
LIFECYCLE_KINDS = frozenset({"settlement", "return"})
#: Kinds that move the fund's money by a person's decision: drafted by one operator and
#: posted only when another approves.
NEEDS_APPROVAL = frozenset({"transfer", "conversion", "reversal", "purchase"})
#: Kinds that balance through their price rather than per asset.
PRICED = frozenset({"conversion", "purchase"})
#: The detail fields a kind takes: name -> required. A seizure may omit them (seizures were
#: recorded before they had fields); a purchase may not. A reversal of a purchase names the
#: kind it reverses so that its price reads the purchase's way.
DETAILS: dict[str, dict[str, bool]] = {
    "seizure": {"case_reference": True, "legal_basis": True, "authority": True},
    "purchase": {"exchange": True, "order_id": True},
    "reversal": {"reverses_kind": True},
    # an on-chain transfer is drafted into `assets:transit:<chain>`; it names where it goes
    "transfer": {"to": True, "chain": True},
}
STATUSES = ("queued", "confirmed")


@dataclass(frozen=True, slots=True)
class Posting:
    account: str
    amount: Amount

    @property
    def asset(self) -> Asset:
        return self.amount.asset


@dataclass(frozen=True, slots=True)
class NewEntry:
    """An entry before it is written. Feed entries carry `source` and `external_id`."""

    kind: str
    ts: datetime
    postings: tuple[Posting, ...]
    memo: str = ""
    reference: str | None = None
    source: str | None = None
    external_id: str | None = None
    status: str | None = None
    price: Decimal | None = None
    reverses: int | None = None
    #: the kind's own fields (see DETAILS); None for kinds that have none
    details: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """A posted entry as read back, with who drafted and approved it and its chain hashes.

    `status` and `reference` are the current ones: a queued payout confirmed later shows
    its tx id here, while `amendments` keeps the history of the change.
    """

    seq: int
    ts: datetime
    kind: str
    memo: str
    reference: str | None
    source: str | None
    external_id: str | None
    status: str | None
    price: Decimal | None
    reverses: int | None
    drafted_by: str | None
    approved_by: str | None
    approved_at: datetime | None
    prev_hash: str
    hash: str
    postings: tuple[Posting, ...] = ()
    amendments: tuple[dict[str, str], ...] = field(default_factory=tuple)
    details: Mapping[str, str] | None = None

    @property
    def key(self) -> tuple[str, int]:
        """The keyset-pagination key of this entry: (timestamp text, seq)."""
        return (format_ts(self.ts), self.seq)


def format_ts(ts: datetime) -> str:
    """Timestamps are stored as fixed-width UTC text so they sort as they compare."""
    if ts.utcoffset():
        ts = ts.astimezone(UTC)
    return ts.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_ts(text: str) -> datetime:
    """The register's fixed-width UTC text (`2026-11-06T10:00:00.000000Z`) back to a time.
    fromisoformat, not strptime: a walk parses a timestamp per entry, and this is ten times
    faster."""
    return datetime.fromisoformat(text[:-1] + "+00:00")


def validate(entry: NewEntry, precisions: Mapping[str, int]) -> None:
    """Raise EntryRejected naming the first rule `entry` breaks; return if it keeps them all."""
    if entry.kind not in KINDS:
        raise EntryRejected(f"kind {entry.kind!r} is not one of {', '.join(KINDS)}", field="kind")
    if not isinstance(entry.ts, datetime) or entry.ts.tzinfo is None:
        raise EntryRejected("ts must be a timezone-aware date-time", field="ts")
    if entry.status is not None and entry.status not in STATUSES:
        raise EntryRejected(f"status {entry.status!r} is not one of {', '.join(STATUSES)}", field="status")
    if (entry.source is None) != (entry.external_id is None):
        raise EntryRejected("source and external_id come together or not at all", field="external_id")
    for name in ("memo", "reference", "source", "external_id"):
        value = getattr(entry, name)
        if value is not None:
            check_text(value, name)
    if len(entry.postings) < 2:
        raise EntryRejected("an entry needs at least two postings", field="postings")
    for posting in entry.postings:
        if not isinstance(posting, Posting) or not isinstance(posting.amount, Amount):
            raise EntryRejected("each posting needs an account and an Amount", field="postings")
        account_kind(posting.account)
        code = posting.asset.code
        if precisions.get(code) != posting.asset.precision:
            raise EntryRejected(
                f"asset {code} is not configured with precision {posting.asset.precision}", field="asset"
            )
        if not posting.amount:
            raise EntryRejected(f"posting to {posting.account} is zero", field="amount")
    if entry.kind in PRICED or (entry.kind == "reversal" and entry.price is not None):
        _check_priced(entry)
    else:
        if entry.price is not None:
            raise EntryRejected("only a conversion or a purchase (or its reversal) carries a price", field="price")
        _check_balanced(entry.postings)
    if entry.kind == "reversal" and entry.reverses is None:
        raise EntryRejected("a reversal must name the entry it reverses", field="reverses")
    _check_details(entry)


def _check_details(entry: NewEntry) -> None:
    """The kind's own fields: only those it takes, each non-empty text, the required ones
    present; a purchase's paid leg is on the exchange it names."""
    fields = DETAILS.get(entry.kind, {})
    details = entry.details
    if details is None:
        if entry.kind == "purchase":
            raise EntryRejected("a purchase needs its details: exchange and order_id", field="details")
        return
    if not fields:
        raise EntryRejected(f"a {entry.kind} carries no details", field="details")
    for name, value in details.items():
        if name not in fields:
            raise EntryRejected(
                f"details.{name} is not a field of a {entry.kind}; its fields: {', '.join(fields)}", field="details"
            )
        if not isinstance(value, str) or not value.strip():
            raise EntryRejected(f"details.{name} must be non-empty text", field="details")
        check_text(value, f"details.{name}")
    missing = [name for name, required in fields.items() if required and name not in details]
    if missing:
        raise EntryRejected(f"a {entry.kind} needs details.{', details.'.join(missing)}", field="details")
    if entry.kind == "reversal" and details["reverses_kind"] != "purchase":
        raise EntryRejected("details.reverses_kind is only given for the reversal of a purchase", field="details")
    if entry.kind == "transfer":
        _check_on_chain(entry.postings, details)
    if entry.kind == "purchase":
        paid = [p for p in entry.postings if p.amount.value < 0]
        venue = f"assets:exchange:{details['exchange']}"
        if [p.account for p in paid] != [venue]:
            raise EntryRejected(f"a purchase on {details['exchange']} pays from {venue}", field="postings")


def _check_on_chain(postings: tuple[Posting, ...], details: Mapping[str, str]) -> None:
    """An on-chain transfer takes from one account into `assets:transit:<chain>` and names
    an address-holding account as where it settles."""
    transit = f"assets:transit:{details['chain']}"
    into = [p.account for p in postings if p.amount.value > 0]
    if len(postings) != 2 or into != [transit]:
        raise EntryRejected(
            f"an on-chain transfer on {details['chain']} moves one amount into {transit}", field="postings"
        )
    if account_kind(details["to"]) not in ("assets:reserve", "assets:wallet", "assets:exchange"):
        raise EntryRejected(
            f"details.to {details['to']!r} is not a reserve, wallet or exchange account", field="details"
        )
    if any(p.account == details["to"] for p in postings):
        raise EntryRejected("an on-chain transfer goes to another account than the one it leaves", field="details")


def net_by_asset(postings: Iterable[Posting]) -> dict[Asset, int]:
    sums: dict[Asset, int] = defaultdict(int)
    for posting in postings:
        sums[posting.asset] += posting.amount.units
    return sums


def _check_balanced(postings: tuple[Posting, ...]) -> None:
    for asset, units in net_by_asset(postings).items():
        if units:
            off = Amount.from_units(asset, units)
            raise EntryRejected(f"postings in {asset.code} do not sum to zero (off by {off})", field="postings")


def priced_legs(entry: NewEntry | Entry) -> tuple[Posting, Posting]:
    """(base, other) of a priced entry: |base| x price = |other|.

    In a conversion the base is the asset given up (the negative leg); in a purchase it is
    the asset received (the positive leg: the price is quoted per unit bought). A reversal
    carries the same price as what it reverses, with the legs mirrored.
    """
    first, second = entry.postings
    negative, positive = (first, second) if first.amount.value < 0 else (second, first)
    kind = entry.kind
    if kind == "reversal":
        kind = (entry.details or {}).get("reverses_kind", "conversion")
        negative, positive = positive, negative
    return (positive, negative) if kind == "purchase" else (negative, positive)


def _check_priced(entry: NewEntry) -> None:
    if len(entry.postings) != 2 or entry.postings[0].asset == entry.postings[1].asset:
        raise EntryRejected(f"a priced {entry.kind} has exactly two postings in two different assets", field="postings")
    if entry.price is None:
        raise EntryRejected(f"a {entry.kind} must carry its price", field="price")
    try:
        price = to_decimal(entry.price, what="price")
    except (MoneyError, TypeError) as exc:
        raise EntryRejected(str(exc), field="price") from None
    if price <= 0:
        raise EntryRejected("price must be positive", field="price")
    first, second = entry.postings
    if (first.amount.value < 0) == (second.amount.value < 0):
        raise EntryRejected(
            f"a {entry.kind} gives up one asset and receives another (opposite signs)", field="postings"
        )
    base, other = priced_legs(entry)
    expected = abs(base.amount).convert(price, other.asset)
    if expected != abs(other.amount):
        raise EntryRejected(
            f"{entry.kind} does not balance at price {price}: {abs(base.amount)} x {price} = {expected}, "
            f"not {abs(other.amount)}",
            field="price",
        )


def reversal_of(original: Entry, ts: datetime, memo: str = "") -> NewEntry:
    """The entry that undoes `original`: every posting negated, naming what it reverses (a
    conversion's or purchase's reversal carries the same price and balances through it)."""
    postings = tuple(Posting(p.account, -p.amount) for p in original.postings)
    return NewEntry(
        kind="reversal",
        ts=ts,
        postings=postings,
        memo=memo or f"reversal of #{original.seq}",
        reverses=original.seq,
        price=original.price,
        details={"reverses_kind": "purchase"} if original.kind == "purchase" else None,
    )
