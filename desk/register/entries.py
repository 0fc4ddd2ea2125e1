"""Entries and postings: what the register records, and the rules an entry must keep.

An entry is double-entry: its postings sum to zero per asset. A conversion is the one
exception that balances through its price: exactly two postings in two assets, the asset
given up (negative) times the price equals the asset received, to the received asset's
precision.
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

KINDS = ("earning", "payout", "transfer", "conversion", "fee", "seizure", "opening", "reversal")
#: Kinds that move the fund's money by a person's decision: drafted by one operator and
#: posted only when another approves.
NEEDS_APPROVAL = frozenset({"transfer", "conversion", "reversal"})
STATUSES = ("queued", "confirmed")
MAX_TEXT = 500


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
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


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
        if value is not None and len(value) > MAX_TEXT:
            raise EntryRejected(f"{name} is longer than {MAX_TEXT} characters", field=name)
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
    if entry.kind == "conversion" or (entry.kind == "reversal" and entry.price is not None):
        _check_priced(entry)
    else:
        if entry.price is not None:
            raise EntryRejected("only a conversion (or its reversal) carries a price", field="price")
        _check_balanced(entry.postings)
    if entry.kind == "reversal" and entry.reverses is None:
        raise EntryRejected("a reversal must name the entry it reverses", field="reverses")


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

    In a conversion the base is the asset given up (the negative leg); in the reversal of a
    conversion, which carries the same price, it is the asset given back (the positive leg).
    """
    first, second = entry.postings
    negative, positive = (first, second) if first.amount.value < 0 else (second, first)
    return (negative, positive) if entry.kind == "conversion" else (positive, negative)


def _check_priced(entry: NewEntry) -> None:
    if len(entry.postings) != 2 or entry.postings[0].asset == entry.postings[1].asset:
        raise EntryRejected(f"a priced {entry.kind} has exactly two postings in two different assets", field="postings")
    if entry.price is None:
        raise EntryRejected("a conversion must carry its price", field="price")
    try:
        price = to_decimal(entry.price, what="price")
    except (MoneyError, TypeError) as exc:
        raise EntryRejected(str(exc), field="price") from None
    if price <= 0:
        raise EntryRejected("price must be positive", field="price")
    first, second = entry.postings
    if (first.amount.value < 0) == (second.amount.value < 0):
        raise EntryRejected("a conversion gives up one asset and receives another (opposite signs)", field="postings")
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
    conversion's reversal carries the same price and balances through it)."""
    postings = tuple(Posting(p.account, -p.amount) for p in original.postings)
    return NewEntry(
        kind="reversal",
        ts=ts,
        postings=postings,
        memo=memo or f"reversal of #{original.seq}",
        reverses=original.seq,
        price=original.price,
    )
