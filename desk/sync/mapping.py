"""How feed records become register entries: the accounting of mining revenue.

    earning:  income:mining:<pool>  -> assets:pool:<pool>
    payout:   assets:pool:<pool>    -> assets:wallet:<wallet>  (the network fee -> expenses:fees)

Entries carry `(source, external_id)` so the register writes each once, the payout's tx id
as reference, and its status, so a queued payout confirmed later stays one payout.

A record of zero (a day without revenue, a payout of nothing) moves no money: it becomes no
entry, and the day is kept as a quiet day of the pool (`Mapped.quiet`) instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from desk.feeds.records import Earning, Payout
from desk.feeds.records import Quote as FeedQuote
from desk.register import NewEntry, Posting, Quote


@dataclass(slots=True)
class Mapped:
    """A window's entries, and per day the rows of zero that made none."""

    entries: list[NewEntry] = field(default_factory=list)
    quiet: Counter[date] = field(default_factory=Counter)


#: (earnings, payouts, wallet) -> what to write: `map_records`, or a stand-in the engine is given
Mapper = Callable[[list[Earning], list[Payout], str], Mapped]


def source_of(pool: str) -> str:
    return f"pool:{pool}"


def map_records(earnings: list[Earning], payouts: list[Payout], wallet: str) -> Mapped:
    """Entries for every record that moves money; quiet days for those that do not."""
    mapped = Mapped()
    for earning in earnings:
        if earning.amount:
            mapped.entries.append(earning_entry(earning))
        else:
            mapped.quiet[earning.day] += 1
    for payout in payouts:
        if payout.amount:
            mapped.entries.append(payout_entry(payout, wallet))
        else:
            mapped.quiet[payout.requested_at.astimezone(UTC).date()] += 1
    return mapped


def earning_entry(earning: Earning) -> NewEntry:
    pool = earning.pool
    # dated at the end of the day it was earned for, unless the pool says when it credited it
    ts = earning.at or datetime.combine(earning.day, time(0), tzinfo=UTC) + timedelta(days=1) - timedelta(seconds=1)
    fees = f", pool fee {earning.fees}" if earning.fees else ""
    return NewEntry(
        kind="earning",
        ts=ts,
        postings=(Posting(f"income:mining:{pool}", -earning.amount), Posting(f"assets:pool:{pool}", earning.amount)),
        memo=f"{pool} earnings for {earning.day.isoformat()}{fees}",
        source=source_of(pool),
        external_id=f"earning:{earning.external_id}",
    )


def payout_entry(payout: Payout, wallet: str) -> NewEntry:
    """The payout leaves the pool's balance; the wallet receives it less the network fee
    (a Payout never has a fee above its amount: the record refuses to exist)."""
    pool = payout.pool
    received = payout.amount - payout.fee
    postings = [Posting(f"assets:pool:{pool}", -payout.amount)]
    if received:
        postings.append(Posting(f"assets:wallet:{wallet}", received))
    if payout.fee:
        postings.append(Posting("expenses:fees", payout.fee))
    rail = " (lightning)" if payout.rail == "lightning" else ""
    return NewEntry(
        kind="payout",
        ts=payout.requested_at,
        postings=tuple(postings),
        memo=f"{pool} payout{rail} to {payout.destination}"[:200],
        reference=payout.tx_id,
        source=source_of(pool),
        external_id=f"payout:{payout.external_id}",
        status=payout.status,
    )


def register_quote(quote: FeedQuote) -> Quote:
    return Quote(
        base=quote.base,
        quote=quote.quote,
        price=quote.price,
        source=quote.source,
        source_time=quote.source_time,
        received_time=quote.received_time,
    )
