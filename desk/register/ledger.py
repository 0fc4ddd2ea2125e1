"""Turning validated entries into rows: hashes chained, postings, balance deltas.

Pure functions over plain data, so a batch of a hundred thousand entries can be prepared in
a worker thread while the event loop stays free, then written in one short transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from desk.register.canonical import details_text, entry_body, hash_body
from desk.register.entries import NewEntry, format_ts
from desk.register.units import to_db


@dataclass(slots=True)
class Signatures:
    """Who drafted and approved the entries of a batch (None for feed entries)."""

    drafted_by: str | None = None
    approved_by: str | None = None
    approved_at: str | None = None


@dataclass(slots=True)
class Rows:
    entries: list[tuple] = field(default_factory=list)
    postings: list[tuple] = field(default_factory=list)
    #: (account_id, asset) -> net units
    balance_deltas: dict[tuple[int, str], int] = field(default_factory=lambda: defaultdict(int))
    #: (account_id, asset, day) -> net units
    daily_deltas: dict[tuple[int, str, str], int] = field(default_factory=lambda: defaultdict(int))
    head_seq: int = 0
    head_hash: str = ""


def build_rows(
    batch: Sequence[NewEntry],
    *,
    head_seq: int,
    head_hash: str,
    account_ids: Mapping[str, int],
    signatures: Signatures,
) -> Rows:
    rows = Rows()
    seq, prev = head_seq, head_hash
    for entry in batch:
        seq += 1
        ts = format_ts(entry.ts)
        day = ts[:10]
        price = str(entry.price) if entry.price is not None else None
        triples = [(p.account, p.asset.code, p.amount.units) for p in entry.postings]
        body = entry_body(
            seq=seq,
            ts=ts,
            kind=entry.kind,
            memo=entry.memo,
            reference=entry.reference,
            source=entry.source,
            external_id=entry.external_id,
            status=entry.status,
            price=price,
            reverses=entry.reverses,
            drafted_by=signatures.drafted_by,
            approved_by=signatures.approved_by,
            approved_at=signatures.approved_at,
            postings=triples,
            details=entry.details,
        )
        digest = hash_body(prev, body)
        rows.entries.append(
            (
                seq,
                ts,
                entry.kind,
                entry.memo,
                entry.reference,
                entry.source,
                entry.external_id,
                entry.status,
                price,
                entry.reverses,
                signatures.drafted_by,
                signatures.approved_by,
                signatures.approved_at,
                prev,
                digest,
                details_text(entry.details),
            )
        )
        for idx, (account, asset, units) in enumerate(triples):
            account_id = account_ids[account]
            rows.postings.append((seq, idx, account_id, asset, to_db(units), ts))
            rows.balance_deltas[(account_id, asset)] += units
            rows.daily_deltas[(account_id, asset, day)] += units
        prev = digest
    rows.head_seq, rows.head_hash = seq, prev
    return rows


def checked_rows(
    batch: Sequence[NewEntry],
    check: Callable[[NewEntry], None] | None,
    **build: Any,
) -> Rows:
    """`build_rows` after `check` has accepted every entry of `batch` (it raises on the
    first it refuses), so validation runs in the same worker step as the hashing."""
    if check is not None:
        for entry in batch:
            check(entry)
    return build_rows(batch, **build)
