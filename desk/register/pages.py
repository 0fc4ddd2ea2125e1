"""Windowed reads: keyset pages over indexed columns, for the screen and for `walk`.

A page is N entries on one side of a key `(ts, seq)`: older than it (newest first) or newer
than it (oldest first); without a key, the newest or the oldest N. Every filter maps onto an
index whose leading columns it fixes, so fetching a page costs the same at a thousand
entries as at a million. The one exception is a memo search, which scans in time order until
the page is full; a term of eight or more hex digits is taken for a tx hash prefix and
looked up through the reference index alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from desk.register.entries import format_ts

Key = tuple[str, int]
#: An entry as read back: its row with the current status and reference (see entry_state).
ENTRY_COLUMNS = (
    "e.seq, e.ts, e.kind, e.memo, COALESCE(s.reference, e.reference), e.source, e.external_id, "
    "COALESCE(s.status, e.status), e.price, e.reverses, e.drafted_by, e.approved_by, e.approved_at, "
    "e.prev_hash, e.hash, e.details"
)
ENTRY_JOINS = "LEFT JOIN entry_state s ON s.entry_seq = e.seq"
#: Eight or more hex digits: a tx hash prefix, searched by reference only.
_HEX = re.compile(r"[0-9a-fA-F]{8,}")


@dataclass(frozen=True, slots=True)
class PageFilter:
    account: str | None = None
    asset: str | None = None
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    #: matches a reference / tx hash by prefix, or the memo by substring
    text: str | None = None

    @property
    def empty(self) -> bool:
        return not any((self.account, self.asset, self.kind, self.since, self.until, self.text))

    @property
    def on_entries(self) -> bool:
        """Whether the filter reads the entries table alone (kind and dates): then a page is
        one query of its rows, not one of keys and another of rows."""
        return not (self.account or self.asset or self.text)


def page_queries(
    filters: PageFilter, account_id: int | None, *, key: Key | None, newest_first: bool, limit: int
) -> list[tuple[str, list[object]]]:
    """SQL selecting the (seq, ts) of one page: the `limit` entries past `key` (older than it
    newest first, or newer than it oldest first; from the newest or the oldest without one).
    A text search is several queries, merged by the caller: the reference prefix through its
    index, references added by amendments, and (unless the term is a hex tx-hash prefix) the
    memo substring."""
    if not filters.text:
        return [_query(filters, account_id, key, newest_first, limit, text=None)]
    modes = ["ref", "amended"]
    if not _HEX.fullmatch(filters.text):  # a tx hash (or its prefix) is looked up by reference alone
        modes.append("memo")
    return [_query(filters, account_id, key, newest_first, limit, text=mode) for mode in modes]


def entries_query(
    filters: PageFilter, *, key: Key | None, newest_first: bool, limit: int, columns: str, joined: str
) -> tuple[str, list[object]]:
    """SQL selecting `columns` (of `entries e`, with `joined` joins) of one page, for a filter
    `on_entries`: the rows themselves, in walk order."""
    if not filters.on_entries:
        raise ValueError("entries_query serves filters on the entries table alone")
    return _query(filters, None, key, newest_first, limit, text=None, columns=(columns, joined))


def _query(
    filters: PageFilter,
    account_id: int | None,
    key: Key | None,
    newest_first: bool,
    limit: int,
    text: str | None,
    columns: tuple[str, str] | None = None,
) -> tuple[str, list[object]]:
    params: list[object] = []
    where: list[str] = []
    if text in ("ref", "amended"):
        prefix = (filters.text or "").lower()
        if text == "ref":
            source, ts_col, seq_col = "entries e", "e.ts", "e.seq"
            where.append("e.reference IS NOT NULL AND lower(e.reference) >= ? AND lower(e.reference) < ?")
        else:
            source, ts_col, seq_col = "refs r JOIN entries e ON e.seq = r.entry_seq", "e.ts", "e.seq"
            where.append("r.ref >= ? AND r.ref < ?")
        params += [prefix, prefix + "\uffff"]
        if account_id is not None or filters.asset:
            where.append(
                "EXISTS (SELECT 1 FROM postings p WHERE p.entry_seq = e.seq"
                + (" AND p.account_id = ?" if account_id is not None else "")
                + (" AND p.asset = ?" if filters.asset else "")
                + ")"
            )
            params += [v for v in (account_id, filters.asset) if v is not None]
    elif account_id is not None or filters.asset:
        source, ts_col, seq_col = "postings p JOIN entries e ON e.seq = p.entry_seq", "p.ts", "p.entry_seq"
        if account_id is not None:
            where.append("p.account_id = ?")
            params.append(account_id)
        if filters.asset:
            where.append("p.asset = ?")
            params.append(filters.asset)
    else:
        source, ts_col, seq_col = "entries e", "e.ts", "e.seq"
    if text == "memo":
        escaped = (filters.text or "").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append("e.memo LIKE ? ESCAPE '\\'")
        params.append(f"%{escaped}%")
    if filters.kind:
        where.append("e.kind = ?")
        params.append(filters.kind)
    if filters.since:
        where.append(f"{ts_col} >= ?")
        params.append(format_ts(filters.since))
    if filters.until:
        where.append(f"{ts_col} < ?")
        params.append(format_ts(filters.until))
    order = "DESC" if newest_first else "ASC"
    if key is not None:
        where.append(f"({ts_col}, {seq_col}) {'<' if newest_first else '>'} (?, ?)")
        params += list(key)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    selected = f"DISTINCT {seq_col}, {ts_col}"
    if columns is not None:
        selected, source = columns[0], f"{source} {columns[1]}"
    sql = f"SELECT {selected} FROM {source} {clause} ORDER BY {ts_col} {order}, {seq_col} {order} LIMIT ?"
    params.append(limit)
    return sql, params
