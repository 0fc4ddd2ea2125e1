"""The price history, chained: every quote the register keeps carries the SHA-256 of its
canonical form and of the quote kept before it.

Valuations at receipt are frozen from these quotes and the limits of the treasury policy
are judged in their prices, so a quietly edited price changes figures. Quotes get their own
chain (position `n`, `prev_hash`, `hash`) rather than a place in the actions log: the sync
keeps several a minute. A quote already kept is ignored, as before, and takes no place in
the chain. `desk verify` recomputes the chain; a checkpoint pins its head.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from json.encoder import encode_basestring as _string  # what canonical_json writes strings with
from typing import TYPE_CHECKING, Any

from desk.money import to_decimal
from desk.register.canonical import GENESIS, hash_body
from desk.register.entries import format_ts, parse_ts

if TYPE_CHECKING:
    from desk.register.register import Register


@dataclass(frozen=True, slots=True)
class Quote:
    """`price` units of `quote` per one `base`, as `source` said at `source_time`: what a
    price feed reads and what the register keeps (one class for both, so nothing converts).

    USDT is its own currency, never USD; KZT comes only from the National Bank. `note` says
    when a rate is an earlier day's (NBK on a holiday); it is shown, not kept.
    """

    base: str
    quote: str
    price: Decimal
    source: str
    source_time: datetime
    received_time: datetime
    note: str | None = None


#: The columns of a quote in the order they are hashed and written.
COLUMNS = ("source", "base", "quote", "source_time", "price", "received_time")
#: Keys per existence query (4 variables each, well under SQLite's limit).
CHUNK = 200


def payload(n: int, row: Sequence[str]) -> dict[str, Any]:
    """The hashed form of the quote at position `n` (`row` in COLUMNS order)."""
    return {"v": 1, "n": n, **dict(zip(COLUMNS, row, strict=True))}


def body(n: int, row: Sequence[str]) -> str:
    """`canonical_json(payload(n, row))`, written out directly (a test holds them equal):
    verify rehashes the whole price history."""
    source, base, quote, source_time, price, received_time = row
    return (
        f'{{"base":{_string(base)},"n":{n},"price":{_string(price)},"quote":{_string(quote)},'
        f'"received_time":{_string(received_time)},"source":{_string(source)},'
        f'"source_time":{_string(source_time)},"v":1}}'
    )


def chained(rows: Iterable[Sequence[str]], head: tuple[int, str]) -> list[tuple[Any, ...]]:
    """`rows` (COLUMNS order) with their chain position, previous hash and hash, from `head`."""
    n, prev = head
    out = []
    for row in rows:
        n += 1
        digest = hash_body(prev, body(n, row))
        out.append((*row, n, prev, digest))
        prev = digest
    return out


async def record(register: Register, quotes: Iterable[Quote]) -> int:
    """Keep `quotes` (a quote already kept is ignored); return how many were new."""
    rows = [
        (
            q.source,
            q.base,
            q.quote,
            format_ts(q.source_time),
            str(to_decimal(q.price, what="price")),
            format_ts(q.received_time),
        )
        for q in quotes
    ]
    if not rows:
        return 0
    async with register._db.write():
        return await insert_new(register, rows)


async def price_at(register: Register, base: str, quote: str, at: datetime, source: str | None) -> Quote | None:
    sql = (
        "SELECT source, base, quote, source_time, price, received_time FROM quotes "
        "WHERE base = ? AND quote = ? AND source_time <= ?"
    )
    params: list[Any] = [base, quote, format_ts(at)]
    if source:
        sql += " AND source = ?"
        params.append(source)
    row = await register._one(sql + " ORDER BY source_time DESC LIMIT 1", params)
    if row is None:
        return None
    return Quote(row[1], row[2], Decimal(row[4]), row[0], parse_ts(row[3]), parse_ts(row[5]))


async def insert_new(register: Register, rows: Sequence[tuple[str, ...]]) -> int:
    """Inside a write transaction: keep the quotes of `rows` (COLUMNS order) that are not
    kept yet, chained; return how many were new."""
    kept: set[tuple[str, ...]] = set()
    for first in range(0, len(rows), CHUNK):
        chunk = rows[first : first + CHUNK]
        marks = ",".join("(?,?,?,?)" for _ in chunk)
        found = await register._all(
            f"WITH v(source, base, quote, source_time) AS (VALUES {marks}) "
            "SELECT q.source, q.base, q.quote, q.source_time FROM v JOIN quotes q ON q.base = v.base "
            "AND q.quote = v.quote AND q.source_time = v.source_time AND q.source = v.source",
            [v for row in chunk for v in row[:4]],
        )
        kept.update(tuple(r) for r in found)
    fresh: list[tuple[str, ...]] = []
    for row in rows:
        if row[:4] not in kept:
            kept.add(row[:4])
            fresh.append(row)
    if fresh:
        head = await register._one("SELECT n, hash FROM quotes WHERE n IS NOT NULL ORDER BY n DESC LIMIT 1")
        await register._db.executemany(
            f"INSERT INTO quotes ({', '.join(COLUMNS)}, n, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)",
            chained(fresh, (head[0], head[1]) if head else (0, GENESIS)),
        )
    return len(fresh)


def chain_existing(conn: sqlite3.Connection) -> None:
    """Migration step: put the quotes kept before the chain existed into it, in the order
    they were received (ties broken by the key), so they are covered from now on."""
    (last,) = conn.execute("SELECT COALESCE(MAX(n), 0) FROM quotes").fetchone()
    head_row = conn.execute("SELECT hash FROM quotes WHERE n = ?", (last,)).fetchone()
    rows = conn.execute(
        f"SELECT {', '.join(COLUMNS)} FROM quotes WHERE n IS NULL "
        "ORDER BY received_time, source_time, base, quote, source"
    ).fetchall()
    conn.executemany(
        "UPDATE quotes SET n = ?, prev_hash = ?, hash = ? WHERE source = ? AND base = ? AND quote = ? "
        "AND source_time = ?",
        [
            (n, prev, digest, *row[:4])
            for *row, n, prev, digest in chained(rows, (last, head_row[0] if head_row else GENESIS))
        ],
    )
