"""Valuation at receipt: every inflow valued once, at the price in force when it arrived, frozen.

An inflow is an entry that brings value into the fund: an earning (income:mining -> assets:pool),
a seizure, an opening balance, or any entry crediting an income:* account. Its value is the
sum of what it puts into asset accounts, per asset. The pass is incremental: it values only
entries after the register's valued-through mark, and then retries the inflows whose newest
valuation is still `missing` (a price may have arrived since). Nothing written is ever
changed: a late price or a correction is a new revision.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

from desk.inflow_kinds import RECEIPT_KINDS
from desk.money import Amount, Asset
from desk.register import Register
from desk.register import valuations as store
from desk.register.entries import parse_ts
from desk.register.units import from_db
from desk.register.valuations import Valuation, ValuationChanged
from desk.valuation.prices import (
    PriceBook,
    PriceMissing,
    PricePolicy,
    QuoteLookup,
    in_tenge,
    market_priced,
    markets_for,
    official_rate,
    value_in,
)

#: Entries read and valued per transaction: one chunk is a short write even at a million.
CHUNK = 50_000

_locks: weakref.WeakKeyDictionary[Register, asyncio.Lock] = weakref.WeakKeyDictionary()


class Inflow(NamedTuple):
    seq: int
    ts: datetime
    kind: str
    amount: Amount


@dataclass(frozen=True, slots=True)
class PassResult:
    """What one pass did: entries scanned, valuations written (new, filled late), still missing."""

    scanned: int = 0
    valued: int = 0
    filled: int = 0
    missing: int = 0
    seconds: Decimal = Decimal(0)


def inflows_of(rows: Sequence[tuple[Any, ...]], assets: dict[str, Asset]) -> list[Inflow]:
    """The inflows among posting rows (seq, ts, kind, account, asset, units) in seq order."""
    result: list[Inflow] = []
    for seq, group in groupby(rows, key=itemgetter(0)):
        postings = list(group)
        kind = postings[0][2]
        credits_income = any(p[3].startswith("income:") and from_db(p[5]) < 0 for p in postings)
        if kind in RECEIPT_KINDS or credits_income:
            received: dict[str, int] = {}
            for p in postings:
                units = from_db(p[5])
                if p[3].startswith("assets:") and units > 0:
                    received[p[4]] = received.get(p[4], 0) + units
            ts = parse_ts(postings[0][1])
            for code, units in sorted(received.items()):
                result.append(Inflow(seq, ts, kind, Amount.from_units(assets[code], units)))
    return result


def valuation_of(
    book: QuoteLookup, inflow: Inflow, policy: PricePolicy, *, revision: int = 1, cause: str = "receipt"
) -> Valuation:
    """The frozen record of `inflow`: valued, stale, or missing with the reason; never zero."""
    base = dict(
        entry_seq=inflow.seq, asset=inflow.amount.asset.code, units=inflow.amount.units, revision=revision, cause=cause
    )
    try:
        usd = value_in(book, inflow.amount, inflow.ts, "USD", policy)
    except PriceMissing as exc:
        return Valuation(state="missing", reason=str(exc), **base)
    fields = dict(
        price=usd.price, price_currency=usd.currency, source=usd.source, source_time=usd.source_time, usd=usd.value
    )
    rate = official_rate(book, inflow.ts, policy)
    try:
        if market_priced(inflow.amount.asset.code):  # the same as value_in(..., "KZT"), one lookup less
            if rate is None:
                raise PriceMissing(inflow.amount.asset.code, "KZT", inflow.ts, "no official USD/KZT rate")
            kzt = in_tenge(usd, rate)
        else:
            kzt = value_in(book, inflow.amount, inflow.ts, "KZT", policy)
    except PriceMissing as exc:
        return Valuation(state="missing", reason=str(exc), **base, **fields)
    stale = usd.stale or kzt.stale
    reason = None
    if stale:
        reason = f"price older than the staleness bound at {inflow.ts.isoformat()}: {kzt.source}"
    return Valuation(
        state="stale" if stale else "valued",
        reason=reason,
        kzt=kzt.value,
        kzt_rate=kzt.kzt_rate,
        kzt_rate_date=kzt.kzt_rate_date,
        kzt_rate_source=rate.source if rate is not None and kzt.kzt_rate is not None else None,
        **base,
        **fields,
    )


def value_all(book: QuoteLookup, inflows: Sequence[Inflow], policy: PricePolicy) -> list[Valuation]:
    return [valuation_of(book, i, policy) for i in inflows]


async def price_book(register: Register, inflows: Sequence[Inflow]) -> PriceBook:
    """Every quote valuing `inflows` could use, held in memory."""
    if not inflows:
        return PriceBook([])
    since = min(i.ts for i in inflows)
    until = max(i.ts for i in inflows)
    markets = sorted({m for i in inflows for m in markets_for(i.amount.asset.code)})
    quotes = await store.quotes_between(register, markets, since, until)
    return await asyncio.to_thread(PriceBook, quotes)


async def value_inflows(register: Register, policy: PricePolicy, *, chunk: int = CHUNK) -> PassResult:
    """Value every inflow not valued yet, then fill the missing ones a price now covers.

    Safe to run from several places (the sync, the screen, `desk value`): one pass at a time
    per register object, and a pass that finds another process moved the mark first writes
    nothing (the next pass continues from there).
    """
    lock = _locks.setdefault(register, asyncio.Lock())
    started = time.perf_counter()
    scanned = valued = missing = 0
    async with lock:
        assets = register.assets()
        head, _ = await register.head()
        through = await store.valued_through(register)
        try:
            while through < head:
                # never past the head read above: entries appended since (another feed of
                # the same sync) are left for the next pass, which starts at `upto`
                upto = min(head, through + chunk)
                rows = await store.inflow_rows(register, through, upto - through)
                inflows = await asyncio.to_thread(inflows_of, rows, assets)
                book = await price_book(register, inflows)
                records = await asyncio.to_thread(value_all, book, inflows, policy)
                await store.write(register, records, expect_through=through, through=upto)
                scanned += upto - through
                valued += len(records)
                missing += sum(1 for r in records if r.state == "missing")
                through = upto
        except ValuationChanged:
            pass
        filled, still = await _fill_missing(register, policy)
    seconds = Decimal(time.perf_counter() - started).quantize(Decimal("0.001"))  # float-ok: elapsed seconds
    return PassResult(scanned, valued, filled, still, seconds)


async def _fill_missing(register: Register, policy: PricePolicy) -> tuple[int, int]:
    """New revisions for missing valuations a price now covers; returns (filled, still missing)."""
    open_rows = await store.open_missing(register)
    if not open_rows:
        return 0, 0
    assets = register.assets()
    # a price can only have arrived for an inflow dated after the first quote of its markets
    # (live quotes never cover the past): the others are not worth a look on every poll
    first = {
        m: await store.earliest_quote(register, *m) for m in {m for v, _, _ in open_rows for m in markets_for(v.asset)}
    }
    candidates = [(v, ts, kind) for v, ts, kind in open_rows if _coverable(v.asset, ts, first)]
    inflows = [Inflow(v.entry_seq, ts, kind, Amount.from_units(assets[v.asset], v.units)) for v, ts, kind in candidates]
    book = await price_book(register, inflows)
    fresh = []
    for (old, _, _), inflow in zip(candidates, inflows, strict=True):
        record = valuation_of(book, inflow, policy, revision=old.revision + 1, cause="late price")
        if record.state != "missing":
            fresh.append(record)
    if fresh:
        await store.write(register, fresh)
    return len(fresh), len(open_rows) - len(fresh)


def _coverable(code: str, ts: datetime, first: dict[tuple[str, str], datetime | None]) -> bool:
    """Whether the price history now reaches back to `ts` for what valuing `code` needs."""

    def reaches(market: tuple[str, str]) -> bool:
        start = first.get(market)
        return start is not None and start <= ts

    dollars = not market_priced(code) or reaches((code, "USD")) or reaches((code, "USDT"))
    return dollars and (code == "KZT" or reaches(("USD", "KZT")))


async def revalue(
    register: Register,
    entry_seq: int,
    policy: PricePolicy,
    *,
    reason: str,
    at: datetime | None = None,
) -> list[Valuation]:
    """Correct an entry's valuation: value it again from the price history as it stands now
    (e.g. after a corrected quote was recorded), optionally at a corrected time, and append the
    result as a new revision naming `reason`. The earlier rows stay as they were."""
    current = await store.history(register, entry_seq)
    if not current:
        raise ValueError(f"entry #{entry_seq} has no valuation to correct (is it an inflow, and valued yet?)")
    latest: dict[str, Valuation] = {}
    for v in current:
        latest[v.asset] = v
    entry = await register.entry(entry_seq)
    assets = register.assets()
    when = at or entry.ts
    inflows = [Inflow(entry_seq, when, entry.kind, Amount.from_units(assets[a], v.units)) for a, v in latest.items()]
    book = await price_book(register, inflows)
    fresh = []
    for inflow in inflows:
        record = valuation_of(
            book, inflow, policy, revision=latest[inflow.amount.asset.code].revision + 1, cause="correction"
        )
        fresh.append(_with_reason(record, reason))
    await store.write(register, fresh)
    return fresh


def _with_reason(record: Valuation, reason: str) -> Valuation:
    return replace(record, reason=f"{reason}; {record.reason}" if record.reason else reason)
