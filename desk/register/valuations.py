"""The register's side of valuation: price lookups and the append-only valuations table.

A valuation freezes what an inflow was worth when it arrived: the price, its source and time,
the USD and KZT values and the official rate used. Rows are never changed (triggers refuse
it); a correction, or a price that arrives for an inflow first recorded as `missing`, is a
new row with the next revision. Each row is also recorded in the chained actions log, so a
quietly rewritten valuation breaks the chain. The domain rules (which price, which rate) live
in desk/valuation/; this module only reads and writes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from desk.register import actions
from desk.register.chain import Head, chained_action
from desk.register.entries import format_ts, parse_ts
from desk.register.quotes import Quote
from desk.register.units import from_db

if TYPE_CHECKING:
    from desk.register.register import Register

#: Newest-market lookup: each source's latest quote at or before a time, one index seek each
#: (the index quotes_market_source walks the distinct sources without a scan).
_LATEST_SQL = """
WITH RECURSIVE src(s) AS (
    SELECT MIN(source) FROM quotes WHERE base = ?1 AND quote = ?2
    UNION ALL
    SELECT (SELECT MIN(source) FROM quotes WHERE base = ?1 AND quote = ?2 AND source > src.s)
    FROM src WHERE src.s IS NOT NULL
)
SELECT q.source, q.source_time, q.price, q.received_time FROM src JOIN quotes q
  ON q.base = ?1 AND q.quote = ?2 AND q.source = src.s
 AND q.source_time = (SELECT MAX(source_time) FROM quotes
                      WHERE base = ?1 AND quote = ?2 AND source = src.s AND source_time <= ?3)
ORDER BY q.source
"""

#: Rows at or above this are hashed in a worker thread, off the event loop.
THREAD_THRESHOLD = 200


COLUMNS = (
    "entry_seq, asset, units, revision, state, cause, price, price_currency, source, source_time, "
    "usd, kzt, kzt_rate, kzt_rate_date, kzt_rate_source, reason, valued_at, action_seq"
)


async def latest_quotes(register: Register, base: str, quote: str, at: datetime) -> list[Quote]:
    """The latest quote of `base` in `quote` from each source at or before `at`."""
    rows = await register._all(_LATEST_SQL, (base, quote, format_ts(at)))
    return _quotes(base, quote, rows)


def _quotes(base: str, quote: str, rows: Sequence[Sequence[Any]]) -> list[Quote]:
    return [Quote(base, quote, Decimal(r[2]), r[0], parse_ts(r[1]), parse_ts(r[3])) for r in rows]


async def earliest_quote(register: Register, base: str, quote: str) -> datetime | None:
    """When the price history of a market begins (an index seek)."""
    row = await register._one("SELECT MIN(source_time) FROM quotes WHERE base = ? AND quote = ?", (base, quote))
    return parse_ts(row[0]) if row and row[0] else None


async def quotes_between(
    register: Register, markets: Sequence[tuple[str, str]], since: datetime, until: datetime
) -> list[Quote]:
    """Every quote of `markets` in [since, until], plus each source's last one before `since`
    (so a lookup anywhere in the span answers as `latest_quotes` would)."""
    found: list[Quote] = []
    for base, quote in markets:
        found += await latest_quotes(register, base, quote, since)
        rows = await register._all(
            "SELECT source, source_time, price, received_time FROM quotes "
            "WHERE base = ? AND quote = ? AND source_time > ? AND source_time <= ?",
            (base, quote, format_ts(since), format_ts(until)),
        )
        found += (
            await asyncio.to_thread(_quotes, base, quote, rows)
            if len(rows) > THREAD_THRESHOLD
            else _quotes(base, quote, rows)
        )
    return found


@dataclass(frozen=True, slots=True)
class Valuation:
    """One row of the valuations table (`id` and `action_seq` are 0 before it is written)."""

    entry_seq: int
    asset: str
    units: int
    revision: int
    state: str  # valued | stale | missing
    cause: str  # receipt | late price | correction
    price: Decimal | None = None
    price_currency: str | None = None
    source: str | None = None
    source_time: datetime | None = None
    usd: Decimal | None = None
    kzt: Decimal | None = None
    kzt_rate: Decimal | None = None
    kzt_rate_date: date | None = None
    kzt_rate_source: str | None = None
    reason: str | None = None
    valued_at: datetime | None = None
    action_seq: int = 0
    id: int = 0

    def detail(self) -> dict[str, Any]:
        """What the actions log records: every field, as text."""
        return {
            "asset": self.asset,
            "units": str(self.units),
            "revision": self.revision,
            "state": self.state,
            "cause": self.cause,
            "price": _text(self.price),
            "price_currency": self.price_currency,
            "source": self.source,
            "source_time": format_ts(self.source_time) if self.source_time else None,
            "usd": _text(self.usd),
            "kzt": _text(self.kzt),
            "kzt_rate": _text(self.kzt_rate),
            "kzt_rate_date": self.kzt_rate_date.isoformat() if self.kzt_rate_date else None,
            "kzt_rate_source": self.kzt_rate_source,
            "reason": self.reason,
        }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _row(r: Sequence[Any]) -> Valuation:
    return Valuation(
        id=r[0],
        entry_seq=r[1],
        asset=r[2],
        units=int(r[3]),
        revision=r[4],
        state=r[5],
        cause=r[6],
        price=_dec(r[7]),
        price_currency=r[8],
        source=r[9],
        source_time=parse_ts(r[10]) if r[10] else None,
        usd=_dec(r[11]),
        kzt=_dec(r[12]),
        kzt_rate=_dec(r[13]),
        kzt_rate_date=date.fromisoformat(r[14]) if r[14] else None,
        kzt_rate_source=r[15],
        reason=r[16],
        valued_at=parse_ts(r[17]),
        action_seq=r[18],
    )


class ValuationChanged(Exception):
    """Another writer valued the same entries first; nothing was written, try again."""


async def valued_through(register: Register) -> int:
    row = await register._one("SELECT value FROM meta WHERE key = 'valued_through'")
    return int(row[0]) if row else 0


async def write(
    register: Register, rows: Sequence[Valuation], *, expect_through: int | None = None, through: int | None = None
) -> int:
    """Append `rows` (each recorded in the chained actions log) in one transaction and, with
    `through`, advance the valued-through mark. With `expect_through`, refuse (ValuationChanged)
    if another writer moved the mark since it was read. Returns the number written.

    The chained rows are hashed before the write lock is taken, from the actions head as it
    was; inside the transaction they are used only if that head is still the head (else they
    are hashed again), so other writers wait for the inserts, not for the hashing."""
    now = format_ts(register._clock())
    head = await actions.head(register)
    prepared = await _prepare(head, rows, now, register.operator) if rows else None
    async with register._db.write():
        if expect_through is not None and await valued_through(register) != expect_through:
            raise ValuationChanged("another writer valued these entries first")
        if rows:
            current = await actions.head(register)
            chained, values = (
                prepared if current == head and prepared else await _prepare(current, rows, now, register.operator)
            )
            await actions.insert_rows(register, chained)
            await register._db.executemany(f"INSERT INTO valuations ({COLUMNS}) VALUES ({','.join('?' * 18)})", values)
        if through is not None:
            await register._db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('valued_through', ?)", (through,)
            )
    return len(rows)


async def _prepare(head: Head, rows: Sequence[Valuation], now: str, operator: str) -> tuple[list[tuple], list[tuple]]:
    if len(rows) >= THREAD_THRESHOLD:
        return await asyncio.to_thread(_prepared, head, rows, now, operator)
    return _prepared(head, rows, now, operator)


def _prepared(head: Head, rows: Sequence[Valuation], now: str, operator: str) -> tuple[list[tuple], list[tuple]]:
    """The chained action rows (hashed by `chained_action`, as every action is) and the
    valuation rows (pure: a worker thread for big batches)."""
    chained, values = [], []
    for v in rows:
        d = v.detail()
        action = chained_action(head, ts=now, operator=operator, action="valuation", detail=d, entry_seq=v.entry_seq)
        chained.append(action)
        head = (action[0], action[8])
        values.append(
            (
                v.entry_seq,
                v.asset,
                d["units"],
                v.revision,
                v.state,
                v.cause,
                d["price"],
                v.price_currency,
                v.source,
                d["source_time"],
                d["usd"],
                d["kzt"],
                d["kzt_rate"],
                d["kzt_rate_date"],
                v.kzt_rate_source,
                v.reason,
                now,
                action[0],
            )
        )
    return chained, values


async def current(register: Register, seqs: Sequence[int] | None = None) -> dict[tuple[int, str], Valuation]:
    """The newest revision per (entry, asset): for `seqs`, or for every valued entry. Rows
    are turned into records in a worker thread: a million of them would stall the loop."""
    sql = f"SELECT id, {COLUMNS} FROM valuations"
    order = " ORDER BY entry_seq, asset, revision"
    if seqs is None:
        rows = await register._all(sql + order)
    else:
        rows = []
        for i in range(0, len(seqs), 500):
            chunk = list(seqs[i : i + 500])
            rows += await register._all(sql + f" WHERE entry_seq IN ({','.join('?' * len(chunk))})" + order, chunk)
    return await asyncio.to_thread(_newest, rows) if len(rows) > THREAD_THRESHOLD else _newest(rows)


def _newest(rows: Sequence[Sequence[Any]]) -> dict[tuple[int, str], Valuation]:
    """Rows in (entry, asset, revision) order -> the last revision of each."""
    last: dict[tuple[int, str], Sequence[Any]] = {}
    for r in rows:
        last[(r[1], r[2])] = r
    return {key: _row(r) for key, r in last.items()}


class CostRow(NamedTuple):
    """The part of an inflow's newest valuation a FIFO lot's cost needs."""

    units: int
    usd: Decimal | None
    kzt: Decimal | None
    usdt: bool
    entry_seq: int
    revision: int
    source: str

    @property
    def basis(self) -> str:
        return f"valuation #{self.entry_seq} rev {self.revision} ({self.source})"


async def costs(register: Register, seqs: Sequence[int] | None = None) -> dict[tuple[int, str], CostRow]:
    """(entry, asset) -> its newest valuation's cost figures, for `seqs` or every valued inflow."""
    sql = "SELECT entry_seq, asset, units, usd, kzt, price_currency, revision, state, source FROM valuations"
    order = " ORDER BY entry_seq, asset, revision"
    if seqs is None:
        rows = await register._all(sql + order)
    else:
        rows = []
        for i in range(0, len(seqs), 500):
            chunk = list(seqs[i : i + 500])
            rows += await register._all(sql + f" WHERE entry_seq IN ({','.join('?' * len(chunk))})" + order, chunk)
    return await asyncio.to_thread(_cost_rows, rows) if len(rows) > THREAD_THRESHOLD else _cost_rows(rows)


def _cost_rows(rows: Sequence[Sequence[Any]]) -> dict[tuple[int, str], CostRow]:
    last: dict[tuple[int, str], Sequence[Any]] = {}
    for r in rows:
        last[(r[0], r[1])] = r
    return {
        key: CostRow(int(r[2]), _dec(r[3]), _dec(r[4]), r[5] == "USDT", r[0], r[6], r[8] or r[7])
        for key, r in last.items()
    }


async def history(register: Register, entry_seq: int) -> list[Valuation]:
    """Every revision of an entry's valuations, oldest first."""
    rows = await register._all(
        f"SELECT id, {COLUMNS} FROM valuations WHERE entry_seq = ? ORDER BY asset, revision", (entry_seq,)
    )
    return [_row(r) for r in rows]


async def open_missing(register: Register) -> list[tuple[Valuation, datetime, str]]:
    """Valuations whose newest revision is still `missing` (a price may have arrived since),
    with their entry's time and kind."""
    cols = ", ".join(f"v.{c.strip()}" for c in COLUMNS.split(","))
    rows = await register._all(
        f"SELECT v.id, {cols}, e.ts, e.kind FROM valuations v JOIN entries e ON e.seq = v.entry_seq "
        "WHERE v.state = 'missing' AND NOT EXISTS (SELECT 1 FROM valuations w WHERE w.entry_seq = v.entry_seq "
        "AND w.asset = v.asset AND w.revision > v.revision) ORDER BY v.entry_seq"
    )
    return [(_row(r), parse_ts(r[19]), r[20]) for r in rows]


async def inflow_rows(register: Register, after: int, limit: int) -> list[tuple[int, str, str, str, str, Any]]:
    """(seq, ts, kind, account, asset, units) of every posting of entries after `after`, at
    most `limit` entries, in seq order: the raw material of the incremental pass."""
    return await register._all(
        "SELECT p.entry_seq, e.ts, e.kind, a.path, p.asset, p.units FROM postings p "
        "JOIN entries e ON e.seq = p.entry_seq JOIN accounts a ON a.id = p.account_id "
        "WHERE p.entry_seq > ? AND p.entry_seq <= ? ORDER BY p.entry_seq, p.idx",
        (after, after + limit),
    )


async def valuation_mark(register: Register) -> int:
    row = await register._one("SELECT MAX(id) FROM valuations")
    return int(row[0]) if row and row[0] is not None else 0


async def daily_moves(register: Register, prefix: str) -> list[tuple[str, str, str, int]]:
    """(account, asset, day, net units) of every account under `prefix`, by day."""
    ids = {i: p for p, i in register._account_ids.items() if p.startswith(prefix)}
    if not ids:
        return []
    rows = await register._all(
        f"SELECT account_id, asset, day, units FROM daily WHERE account_id IN ({','.join('?' * len(ids))}) "
        "ORDER BY day",
        list(ids),
    )
    return [(ids[r[0]], r[1], r[2], from_db(r[3])) for r in rows]


class Receipt(NamedTuple):
    """What a report shows of an inflow's newest valuation: its value at receipt or why not."""

    units: int
    state: str
    usd: Decimal | None
    kzt: Decimal | None
    currency: str | None
    reason: str | None


async def receipts(register: Register, seqs: Sequence[int]) -> dict[tuple[int, str], Receipt]:
    """(entry, asset) -> its newest valuation's figures, for `seqs` (a month's inflows): six
    columns, not the whole record `current` builds."""
    rows = []
    for i in range(0, len(seqs), 500):
        chunk = list(seqs[i : i + 500])
        rows += await register._all(
            "SELECT entry_seq, asset, units, state, usd, kzt, price_currency, reason FROM valuations "
            f"WHERE entry_seq IN ({','.join('?' * len(chunk))}) ORDER BY entry_seq, asset, revision",
            chunk,
        )
    last = {(r[0], r[1]): r for r in rows}
    return {key: Receipt(int(r[2]), r[3], _dec(r[4]), _dec(r[5]), r[6], r[7]) for key, r in last.items()}
