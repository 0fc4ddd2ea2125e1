"""How feed records become register entries: the accounting of mining revenue.

    earning:  income:mining:<pool>  -> assets:pool:<pool>
    payout:   assets:pool:<pool>    -> assets:wallet:<wallet>  (the network fee -> expenses:fees)

Entries carry `(source, external_id)` so the register writes each once, the payout's tx id
as reference, and its status, so a queued payout confirmed later stays one payout.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from desk.feeds.records import Earning, Payout
from desk.feeds.records import Quote as FeedQuote
from desk.register import NewEntry, Posting, Quote


def source_of(pool: str) -> str:
    return f"pool:{pool}"


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
    return Quote(base=quote.base, quote=quote.quote, price=quote.price, source=quote.source,
                 source_time=quote.source_time, received_time=quote.received_time)
