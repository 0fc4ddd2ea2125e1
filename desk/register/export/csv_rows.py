"""CSV: one row per posting, amounts at full precision, for spreadsheets and auditors."""

from __future__ import annotations

import csv
import io

from desk.register.canonical import details_text
from desk.register.entries import Entry, format_ts

COLUMNS = [
    "seq",
    "ts",
    "kind",
    "account",
    "asset",
    "amount",
    "price",
    "reference",
    "status",
    "memo",
    "drafted_by",
    "approved_by",
    "hash",
    "details",
]


def header(accounts: list[str]) -> str:
    return _line(COLUMNS)


def entry(e: Entry) -> str:
    return "".join(
        _line(
            [
                e.seq,
                format_ts(e.ts),
                e.kind,
                p.account,
                p.asset.code,
                p.amount.format(grouping=False),
                e.price if e.price is not None else "",
                e.reference or "",
                e.status or "",
                e.memo,
                e.drafted_by or "",
                e.approved_by or "",
                e.hash,
                details_text(e.details) or "",
            ]
        )
        for p in e.postings
    )


def _line(values: list[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()
